"""The Application Load Balancer data plane (``awsgw.io/alb``)."""
