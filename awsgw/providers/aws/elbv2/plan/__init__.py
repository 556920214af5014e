"""What ALB and NLB plans share, pure: the load balancer and target group specs."""
