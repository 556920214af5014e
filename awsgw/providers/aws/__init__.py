"""AWS data planes on shared bases: ``common`` (session, tags, network, ACM), ``elbv2``
(what ALB and NLB share), and one package per data plane (``alb``, ``lattice``)."""
