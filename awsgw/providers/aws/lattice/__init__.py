"""The VPC Lattice data plane (``awsgw.io/lattice``)."""
