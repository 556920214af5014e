"""Gateway parameters (pure): the ``LoadBalancerConfiguration`` a GatewayClass's
``spec.parametersRef`` (defaults for its Gateways) and a Gateway's
``spec.infrastructure.parametersRef`` name, checked against what the data plane honours and
merged: the Gateway's own values win field by field, attributes and tags key by key,
listeners port by port.

A reference that cannot be followed or a configuration that says something wrong is a
``Verdict`` (``InvalidParameters``) naming the object and the field, and nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import ValidationError

from awsgw.core.capabilities import Capabilities, attribute_problem
from awsgw.core.conditions import Reason, Verdict
from awsgw.core.store import Store
from awsgw.objects import (
    AWSGW_GROUP,
    LOAD_BALANCER_CONFIGURATION,
    Gateway,
    GatewayClass,
    LoadBalancerConfiguration,
    LoadBalancerSettings,
)
from awsgw.objects.meta import spec_problem

SCHEME_ANNOTATION = "awsgw.io/scheme"
"""The Gateway annotation that chose the scheme before configurations (still read)."""
RESERVED_TAG_PREFIXES = ("awsgw.io/", "aws:")
LOG_KINDS = ("access_logs", "connection_logs", "health_check_logs")


@dataclass(frozen=True)
class ListenerParameters:
    """What a configuration says of the Gateway's TLS listeners on one port."""

    port: int
    ssl_policy: str | None = None
    alpn_policy: str | None = None


@dataclass(frozen=True)
class LoadBalancerParameters:
    """A Gateway's load balancer settings, merged; unset fields keep awsgw's defaults."""

    sources: tuple[str, ...] = ()
    """The configurations they come from (``LoadBalancerConfiguration ns/name``)."""
    scheme: str | None = None
    ip_address_type: str | None = None
    subnet_ids: tuple[str, ...] = ()
    subnet_tags: tuple[tuple[str, str], ...] = ()
    security_groups: tuple[str, ...] | None = None
    """Security groups attached beside the owned one (None: unset, () : none)."""
    attributes: tuple[tuple[str, str], ...] = ()
    tags: tuple[tuple[str, str], ...] = ()
    web_acl: str | None = None
    """``wafv2WebACLArn`` (None: unset; awsgw then leaves associations alone)."""
    shield_advanced: bool | None = None
    listeners: tuple[ListenerParameters, ...] = ()

    def listener(self, port: int) -> ListenerParameters | None:
        return next((ls for ls in self.listeners if ls.port == port), None)

    def over(self, base: LoadBalancerParameters) -> LoadBalancerParameters:
        """These parameters on top of ``base`` (its defaults)."""
        listeners = {ls.port: ls for ls in base.listeners}
        for ls in self.listeners:
            below = listeners.get(ls.port, ListenerParameters(ls.port))
            listeners[ls.port] = ListenerParameters(
                ls.port, ls.ssl_policy or below.ssl_policy, ls.alpn_policy or below.alpn_policy
            )
        subnets = self.subnet_ids or self.subnet_tags
        return LoadBalancerParameters(
            sources=(*base.sources, *self.sources),
            scheme=self.scheme or base.scheme,
            ip_address_type=self.ip_address_type or base.ip_address_type,
            subnet_ids=self.subnet_ids if subnets else base.subnet_ids,
            subnet_tags=self.subnet_tags if subnets else base.subnet_tags,
            security_groups=(
                self.security_groups if self.security_groups is not None else base.security_groups
            ),
            attributes=tuple(sorted({**dict(base.attributes), **dict(self.attributes)}.items())),
            tags=tuple(sorted({**dict(base.tags), **dict(self.tags)}.items())),
            web_acl=self.web_acl or base.web_acl,
            shield_advanced=(
                self.shield_advanced if self.shield_advanced is not None else base.shield_advanced
            ),
            listeners=tuple(listeners[p] for p in sorted(listeners)),
        )


NO_PARAMETERS = LoadBalancerParameters()


def _invalid(message: str) -> Verdict:
    return Verdict(False, Reason.INVALID_PARAMETERS, message)


def _settings(cfg: LoadBalancerConfiguration, name: str) -> LoadBalancerSettings | Verdict:
    try:
        return LoadBalancerSettings.model_validate(cfg.spec)
    except ValidationError as exc:
        return _invalid(f"{name} {spec_problem(exc)}")


def _unsupported(settings: LoadBalancerSettings, caps: Capabilities) -> str | None:
    """The first field set that the data plane does not honour."""
    data = settings.model_dump(by_alias=True, exclude_none=True)
    for key in data:
        if key != "listeners" and key not in caps.parameters:
            return f"spec.{key}"
    for i, ls in enumerate(settings.listeners or []):
        for key, value in (("sslPolicy", ls.ssl_policy), ("alpnPolicy", ls.alpn_policy)):
            if value is not None and f"listeners.{key}" not in caps.parameters:
                return f"spec.listeners[{i}].{key}"
    return None


def _problem(settings: LoadBalancerSettings, caps: Capabilities) -> str | None:
    """What a configuration says that the data plane cannot have (field: why)."""
    unsupported = _unsupported(settings, caps)
    if unsupported is not None:
        return f"{unsupported}: not supported by {caps.short}"
    what = f"a load balancer attribute {caps.short} has"
    refused = attribute_problem(settings.attributes or {}, caps.attributes, what)
    if refused is not None:
        return refused
    for key, value in (settings.tags or {}).items():
        if key.startswith(RESERVED_TAG_PREFIXES):
            reserved = " and ".join(RESERVED_TAG_PREFIXES)
            return f"spec.tags[{key}]: keys starting with {reserved} are reserved"
        if not 1 <= len(key) <= 128 or len(value) > 256:
            return f"spec.tags[{key}]: keys are 1–128 characters, values at most 256"
    ports = [ls.port for ls in settings.listeners or []]
    if len(set(ports)) != len(ports):
        return "spec.listeners: a port is given more than once"
    return None


def _parameters(settings: LoadBalancerSettings, source: str) -> LoadBalancerParameters:
    subnets = settings.subnets
    return LoadBalancerParameters(
        sources=(source,),
        scheme=settings.scheme,
        ip_address_type=settings.ip_address_type,
        subnet_ids=tuple(subnets.ids or ()) if subnets else (),
        subnet_tags=tuple(sorted((subnets.tags or {}).items())) if subnets else (),
        security_groups=(
            tuple(dict.fromkeys(settings.security_groups))
            if settings.security_groups is not None
            else None
        ),
        attributes=tuple(sorted((settings.attributes or {}).items())),
        tags=tuple(sorted((settings.tags or {}).items())),
        web_acl=settings.wafv2_web_acl_arn,
        shield_advanced=settings.shield_advanced,
        listeners=tuple(
            ListenerParameters(ls.port, ls.ssl_policy, ls.alpn_policy)
            for ls in sorted(settings.listeners or [], key=lambda ls: ls.port)
        ),
    )


def _follow(
    field: str, group: str, kind: str, namespace: str, name: str, store: Store, caps: Capabilities
) -> LoadBalancerParameters | Verdict:
    if (group, kind) != (AWSGW_GROUP, LOAD_BALANCER_CONFIGURATION):
        return _invalid(
            f"{field}: {group or 'core'}/{kind} is not a kind awsgw reads "
            f"({AWSGW_GROUP}/{LOAD_BALANCER_CONFIGURATION})"
        )
    source = f"{LOAD_BALANCER_CONFIGURATION} {namespace}/{name}"
    cfg = store.get(LOAD_BALANCER_CONFIGURATION, f"{namespace}/{name}", LoadBalancerConfiguration)
    if cfg is None:
        return _invalid(f"{field}: {source} not found")
    settings = _settings(cfg, source)
    if isinstance(settings, Verdict):
        return settings
    problem = _problem(settings, caps)
    if problem is not None:
        return _invalid(f"{source} {problem}")
    return _parameters(settings, source)


def _complete(params: LoadBalancerParameters) -> str | None:
    """What the merged parameters lack (a log kind enabled without its bucket)."""
    attributes = dict(params.attributes)
    for kind in LOG_KINDS:
        if attributes.get(f"{kind}.s3.enabled") == "true" and not attributes.get(
            f"{kind}.s3.bucket"
        ):
            return (
                f"spec.attributes[{kind}.s3.bucket]: required when {kind}.s3.enabled is true "
                f"({', '.join(params.sources)})"
            )
    return None


def class_parameters(
    gc: GatewayClass, store: Store, caps: Capabilities
) -> LoadBalancerParameters | Verdict:
    """The defaults a GatewayClass's ``spec.parametersRef`` gives its Gateways."""
    ref = gc.spec.parameters_ref
    if ref is None:
        return NO_PARAMETERS
    if ref.namespace is None and ref.kind == LOAD_BALANCER_CONFIGURATION:
        return _invalid(f"spec.parametersRef.namespace: required for {ref.kind}")
    namespace = ref.namespace or ""
    return _follow("spec.parametersRef", ref.group, ref.kind, namespace, ref.name, store, caps)


def gateway_parameters(
    gw: Gateway, defaults: LoadBalancerParameters, store: Store, caps: Capabilities
) -> LoadBalancerParameters | Verdict:
    """The Gateway's parameters: its ``spec.infrastructure.parametersRef`` (same namespace)
    over its class's defaults. The listener ports a Gateway's own configuration names must
    be TLS listener ports of it (a class's apply where they match)."""
    ref = gw.spec.infrastructure.parameters_ref if gw.spec.infrastructure else None
    if ref is None:
        own = NO_PARAMETERS
    else:
        field = "spec.infrastructure.parametersRef"
        found = _follow(field, ref.group, ref.kind, gw.namespace, ref.name, store, caps)
        if isinstance(found, Verdict):
            return found
        own = found
        tls_ports = {ls.port for ls in gw.spec.listeners if ls.protocol in caps.tls_modes}
        for i, ls in enumerate(own.listeners):
            if ls.port not in tls_ports:
                return _invalid(
                    f"{own.sources[0]} spec.listeners[{i}].port: {ls.port} is not the port of "
                    f"a TLS listener of Gateway {gw.key}"
                )
    merged = own.over(defaults)
    lacking = _complete(merged)
    return _invalid(lacking) if lacking is not None else merged


def scheme_note(gw: Gateway, params: LoadBalancerParameters) -> str | None:
    """When a configuration's scheme overrides the Gateway's scheme annotation, that."""
    annotated = gw.metadata.annotations.get(SCHEME_ANNOTATION)
    if gw.spec.infrastructure is not None:
        annotated = gw.spec.infrastructure.annotations.get(SCHEME_ANNOTATION, annotated)
    if params.scheme is None or annotated is None or annotated == params.scheme:
        return None
    return (
        f"the scheme {params.scheme} of {params.sources[-1]} wins over "
        f"metadata.annotations[{SCHEME_ANNOTATION}] ({annotated})"
    )
