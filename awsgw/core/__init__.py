"""The pure core: attachment, statuses and the provider-neutral model (no I/O)."""
