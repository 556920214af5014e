"""awsgw: a Gateway API controller for AWS load balancers."""

__version__ = "0.1.0"
