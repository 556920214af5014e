"""What every object has: camelCase models that keep unknown fields, metadata, and the
mapping each object was read from."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, Generic, TypeVar, overload

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError
from pydantic.alias_generators import to_camel

GATEWAY_GROUP = "gateway.networking.k8s.io"
MULTICLUSTER_GROUP = "multicluster.x-k8s.io"
Port = Annotated[int, Field(ge=1, le=65535)]


def field_path(loc: tuple[int | str, ...]) -> str:
    """A validation error's location as a field path: ``spec.listeners[0].port``."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def spec_problem(exc: ValidationError) -> str:
    """The first error of validating a ``spec``: ``spec.field: message (and N more)``."""
    first = exc.errors()[0]
    more = f" (and {exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
    return f"{field_path(('spec', *first['loc']))}: {first['msg']}{more}"


Owner = TypeVar("Owner")
Value = TypeVar("Value")


class computed_once(Generic[Owner, Value]):  # noqa: N801 (named like the decorator it replaces)
    """A value of a read-only object, computed on first access and kept in its ``__dict__``
    as ``functools.cached_property`` keeps it, without the lock Python 3.11's takes on each
    first access (one lock for every instance): two threads that compute it at once get
    equal values, and either is kept."""

    def __init__(self, compute: Callable[[Owner], Value]) -> None:
        self.compute = compute
        self.name = compute.__name__
        self.__doc__ = compute.__doc__

    @overload
    def __get__(self, instance: None, owner: type[Owner]) -> computed_once[Owner, Value]: ...

    @overload
    def __get__(self, instance: Owner, owner: type[Owner]) -> Value: ...

    def __get__(
        self, instance: Owner | None, owner: type[Owner]
    ) -> computed_once[Owner, Value] | Value:
        if instance is None:
            return self
        value = instance.__dict__[self.name] = self.compute(instance)
        return value


class K8sModel(BaseModel):
    """Base: camelCase aliases, unknown fields kept, populate by name or alias."""

    model_config = ConfigDict(
        alias_generator=to_camel,
        populate_by_name=True,
        extra="allow",
        frozen=False,
        ignored_types=(computed_once,),
    )


class ObjectMeta(K8sModel):
    name: Annotated[str, Field(min_length=1, max_length=253)]
    namespace: str | None = None
    generation: int = 1
    creation_timestamp: str | None = None
    resource_version: str | None = None
    uid: str | None = None
    labels: dict[str, str] = Field(default_factory=dict)
    annotations: dict[str, str] = Field(default_factory=dict)
    deletion_timestamp: str | None = None
    finalizers: list[str] = Field(default_factory=list)


class KubeObject(K8sModel):
    """Any top-level object: apiVersion, kind, metadata; ``raw`` is what was read."""

    api_version: str
    kind: str
    metadata: ObjectMeta
    _raw: dict[str, Any] = PrivateAttr(default_factory=dict)
    _order: int = PrivateAttr(default=0)

    @property
    def namespace(self) -> str:
        return self.metadata.namespace or "default"

    @property
    def name(self) -> str:
        return self.metadata.name

    @computed_once
    def key(self) -> str:
        """``namespace/name`` (or ``name`` for cluster-scoped objects); computed once (an
        object read is replaced, never changed)."""
        if self.metadata.namespace is None and self.kind in CLUSTER_SCOPED:
            return self.name
        return f"{self.namespace}/{self.name}"

    @property
    def raw(self) -> dict[str, Any]:
        private = self.__pydantic_private__  # not pydantic's slow __getattr__ path
        raw: dict[str, Any] = private["_raw"] if private is not None else self._raw
        return raw

    @property
    def order(self) -> int:
        """Position in which the object was read (ties of creation time break on it)."""
        private = self.__pydantic_private__
        order: int = private["_order"] if private is not None else self._order
        return order

    @property
    def generation(self) -> int:
        return self.metadata.generation


CLUSTER_SCOPED = {"GatewayClass", "Namespace", "Node"}
