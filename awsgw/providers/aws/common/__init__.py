"""Shared by every AWS data plane: the session, owner tags and names, VPC, subnets
and security groups, ACM certificates."""
