"""An HTTP request as a client sends it, for the request evaluators of every data plane
(``awsgw explain`` and the offline conformance run)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Request:
    host: str
    path: str = "/"
    """The path, with ``?query`` if any."""
    method: str = "GET"
    headers: tuple[tuple[str, str], ...] = ()
    port: int = 80
    scheme: str = "http"

    @property
    def path_only(self) -> str:
        return self.path.split("?", 1)[0]

    @property
    def query(self) -> str:
        return self.path.split("?", 1)[1] if "?" in self.path else ""
