"""The Network Load Balancer data plane (``awsgw.io/nlb``): TCP, UDP and TLS listeners for
stream Routes, and HTTP/HTTPS listeners served by an ALB chained behind the NLB."""
