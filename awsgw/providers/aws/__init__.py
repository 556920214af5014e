"""AWS providers (ELBv2 Application Load Balancers)."""
