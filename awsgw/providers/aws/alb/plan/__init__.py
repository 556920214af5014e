"""ALB planning, pure: the neutral model → listener rules and target groups,
their API shapes, and the rule diff."""
