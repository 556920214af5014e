"""What ALB and NLB share on ELBv2: reads of load balancers, listeners, rules and target groups."""
