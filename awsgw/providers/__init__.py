"""Cloud providers: each turns the neutral model into real load balancers."""
