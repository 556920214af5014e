"""VPC Lattice planning, pure: the neutral model → services, rules and target
groups, their names and API shapes, and the rule diff."""
