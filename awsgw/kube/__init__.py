"""The controller in a cluster (``awsgw run``): the only package that imports ``kubernetes``.

Reflectors list and watch the API into a Cache (a Store the core reads), a work queue keyed
by Gateway feeds a worker that reconciles through the same core and provider as
``awsgw reconcile``, writes statuses, finalizers and Events; a Lease elects the one replica
that writes; an HTTP server answers health, readiness and Prometheus metrics.
"""
