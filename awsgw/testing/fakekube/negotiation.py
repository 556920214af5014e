"""Content negotiation on the Accept header, as the API server does it for JSON: a media type
may ask for a conversion with ``as=<Kind>;g=<group>;v=<version>`` (a Table, partial object
metadata, aggregated discovery). The first acceptable clause wins (by ``q``, then order); a
clause asking for a conversion the endpoint does not offer is skipped, and when none is
acceptable the plain JSON document is served (clients read the Content-Type)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

JSON = "application/json"
META = "meta.k8s.io"
DISCOVERY = "apidiscovery.k8s.io"


@dataclass(frozen=True)
class Conversion:
    """A requested conversion: ``kind`` in ``group``/``version`` (e.g. Table, meta.k8s.io, v1)."""

    group: str
    version: str
    kind: str

    @property
    def api_version(self) -> str:
        return f"{self.group}/{self.version}"

    @property
    def content_type(self) -> str:
        """The Content-Type of a response in this conversion (parameters ordered g, v, as)."""
        return f"{JSON};g={self.group};v={self.version};as={self.kind}"


@dataclass(frozen=True)
class Clause:
    media_type: str
    params: dict[str, str]
    q: float


def parse_accept(header: str) -> list[Clause]:
    """The clauses of an Accept header, most preferred first (stable for equal ``q``)."""
    clauses = []
    for part in header.split(","):
        media_type, *raw = (p.strip() for p in part.split(";"))
        if not media_type:
            continue
        params: dict[str, str] = {}
        for item in raw:
            key, _, value = item.partition("=")
            params[key.strip().lower()] = value.strip().strip('"')
        try:
            q = float(params.pop("q", "1"))
        except ValueError:
            q = 1.0
        clauses.append(Clause(media_type.lower(), params, q))
    return sorted((c for c in clauses if c.q > 0), key=lambda c: -c.q)


def _accepts_json(media_type: str) -> bool:
    return media_type in (JSON, "application/*", "*/*")


def negotiate(header: str | None, offered: Iterable[Conversion]) -> Conversion | None:
    """The conversion the client asks for among ``offered``, or None for the plain document."""
    choices = {(c.group, c.version, c.kind): c for c in offered}
    for clause in parse_accept(header or ""):
        if not _accepts_json(clause.media_type):
            continue
        kind = clause.params.get("as")
        if not kind:
            return None
        found = choices.get((clause.params.get("g", ""), clause.params.get("v", ""), kind))
        if found is not None:
            return found
    return None


def table_conversions() -> tuple[Conversion, ...]:
    return (Conversion(META, "v1", "Table"), Conversion(META, "v1beta1", "Table"))


def partial_conversions(kind: str) -> tuple[Conversion, ...]:
    """PartialObjectMetadata (a get) or PartialObjectMetadataList (a list), v1 and v1beta1."""
    return (Conversion(META, "v1", kind), Conversion(META, "v1beta1", kind))


def discovery_conversions() -> tuple[Conversion, ...]:
    return (
        Conversion(DISCOVERY, "v2", "APIGroupDiscoveryList"),
        Conversion(DISCOVERY, "v2beta1", "APIGroupDiscoveryList"),
    )
