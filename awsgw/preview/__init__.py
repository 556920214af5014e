"""``awsgw plan``: what ``awsgw reconcile`` would change in the cloud, without changing it.

The same pass as reconcile (same reads, same providers, same diffs) with the cloud's write
seam collecting the change records instead of sending them; the records grouped per Gateway
and resource, with the statuses the objects would get, as text or JSON.
"""
