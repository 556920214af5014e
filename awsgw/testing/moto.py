"""Where moto is weaker than AWS, the gaps are filled in one place: ``install()``.

It patches moto in the current process, so ``mock_aws()``, the embedded AWS and any
harness's own moto server in this process gain the fills. Idempotent. Each service's fills
live in their own module (``moto_elbv2``, ``moto_lattice``) and say what they fill and why.
"""

from __future__ import annotations

from awsgw.testing import moto_elbv2, moto_lattice


def install() -> None:
    """Patch moto in this process (idempotent)."""
    moto_elbv2.install()
    moto_lattice.install()
