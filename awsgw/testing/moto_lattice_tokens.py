"""VPC Lattice create idempotency (``clientToken``), which moto 5.2.5 ignores, filled
faithfully to the VPC Lattice API reference.

Every VPC Lattice ``Create*`` takes a ``clientToken`` (botocore fills one in and sends the
same one again on each retry of a call): "If you retry a request that completed successfully
using the same client token and parameters, the retry succeeds without performing any
actions. If the parameters aren't identical, the retry fails" (``ConflictException``, 409).
moto ignores the token, so a create retried after a lost answer fails offline with a name
conflict (or makes a second association) where AWS answers with the first result.

The fill remembers, per account and region, each create's token with its path and
parameters and the answer it got; the same token and request answer the same again.
"""

from __future__ import annotations

import json
from typing import Any

_installed = False


def request_key(path: str, body: str | bytes | None) -> tuple[str, str, str] | None:
    """(client token, path, canonical parameters) of a create request; None without a
    token."""
    try:
        params = json.loads(body or "{}")
    except ValueError:
        return None
    if not isinstance(params, dict) or not params.get("clientToken"):
        return None
    token = str(params.pop("clientToken"))
    return token, path, json.dumps(params, sort_keys=True)


def install() -> None:
    """Patch moto's VPC Lattice responses in this process (idempotent). Call it after the
    other Lattice fills, which replace some create responses."""
    global _installed
    if _installed:
        return
    from moto.core.exceptions import JsonRESTError
    from moto.vpclattice.responses import VPCLatticeResponse

    def conflict(message: str) -> Exception:
        exc = JsonRESTError("ConflictException", message)
        exc.code = 409
        return exc

    def with_token(name: str) -> None:
        create = getattr(VPCLatticeResponse, name)

        def idempotent(self: Any) -> Any:
            key = request_key(self.path, self.body)
            if key is None:
                return create(self)
            token, path, params = key
            seen: dict[tuple[str, str], tuple[str, Any]] = self.backend.__dict__.setdefault(
                "_awsgw_client_tokens", {}
            )
            earlier = seen.get((name, token))
            if earlier is not None:
                if earlier[0] != f"{path} {params}":
                    raise conflict(f"clientToken {token} was used with other parameters")
                return earlier[1]
            answer = create(self)
            seen[(name, token)] = (f"{path} {params}", answer)
            return answer

        setattr(VPCLatticeResponse, name, idempotent)

    for name in sorted(vars(VPCLatticeResponse)):
        if name.startswith("create_"):
            with_token(name)
    _installed = True
