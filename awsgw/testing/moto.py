"""Where moto is weaker than AWS, the gaps are filled in one place: ``install()``.

It patches moto in the current process, so ``mock_aws()``, the embedded AWS and any
harness's own moto server in this process gain the fills. Idempotent. Each gap's fills live
in their own module and say what they fill and why: ``moto_elbv2`` (rule transforms, regex
values, limits), ``moto_elbv2_creates`` (idempotent creates), ``moto_elbv2_attributes``
(load balancer attributes per type, WAF associations), ``moto_nlb`` (Network Load Balancer
addresses, security groups, listener protocols and forwards), ``moto_lattice`` (missing
operations and checks), ``moto_lattice_tokens`` (``clientToken`` idempotency), ``moto_acm``
(``ListCertificates`` key-type default and name summaries). ``ImportCertificate`` needs no
fill: it is not idempotent in AWS either.
"""

from __future__ import annotations

from awsgw.testing import (
    moto_acm,
    moto_elbv2,
    moto_elbv2_attributes,
    moto_elbv2_creates,
    moto_lattice,
    moto_lattice_tokens,
    moto_nlb,
)


def install() -> None:
    """Patch moto in this process (idempotent)."""
    moto_acm.install()
    moto_elbv2.install()
    moto_elbv2_attributes.install()
    moto_elbv2_creates.install()
    moto_nlb.install()
    moto_lattice.install()
    moto_lattice_tokens.install()
