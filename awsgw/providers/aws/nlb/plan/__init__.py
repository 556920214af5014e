"""NLB planning, pure: the neutral model → listeners, weighted target groups and the chained
ALB's share of the Gateway."""
