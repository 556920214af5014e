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

    @classmethod
    def grpc_call(
        cls,
        host: str,
        call: str,
        headers: tuple[tuple[str, str], ...] = (),
        port: int = 443,
        scheme: str = "https",
    ) -> Request:
        """A gRPC call (``SERVICE/METHOD``) as it travels: an HTTP/2 ``POST
        /SERVICE/METHOD`` with ``content-type: application/grpc``."""
        service, sep, method = call.strip("/").partition("/")
        if not sep or not service or not method or "/" in method:
            raise ValueError(f"gRPC call {call!r}: want SERVICE/METHOD")
        sent = (("content-type", "application/grpc"), *headers)
        return cls(host, f"/{service}/{method}", "POST", sent, port, scheme)

    @property
    def is_grpc(self) -> bool:
        """Is it a gRPC call (its content type ``application/grpc``, or a ``+`` subtype)?"""
        return any(
            k.lower() == "content-type" and v.split(";")[0].strip().startswith("application/grpc")
            for k, v in self.headers
        )

    @property
    def path_only(self) -> str:
        return self.path.split("?", 1)[0]

    @property
    def query(self) -> str:
        return self.path.split("?", 1)[1] if "?" in self.path else ""
