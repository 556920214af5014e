"""Request bodies in the Kubernetes protobuf encoding, for the kinds ``kubectl create`` sends so.

kubectl's typed clients (``kubectl create namespace|configmap|secret|service``) write with
``Content-Type: application/vnd.kubernetes.protobuf`` and accept JSON back. Such a body is the
magic ``k8s\\x00`` then a ``runtime.Unknown`` (typeMeta = 1, raw = 2) whose raw bytes are
the object, field numbers as in the API's ``generated.proto``. Namespace, ConfigMap, Secret
and Service decode into the JSON the API server would have stored; other kinds are refused.
Go writes every non-pointer field, so zero values are dropped as JSON's ``omitempty`` would.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import Enum
from typing import Any

from .conversion import format_time

MEDIA_TYPE = "application/vnd.kubernetes.protobuf"
MAGIC = b"k8s\x00"


class Kind(Enum):
    STRING = "string"
    BYTES = "bytes"  # base64 in JSON
    INT = "int"
    BOOL = "bool"
    MESSAGE = "message"
    STRINGS = "repeated string"
    MESSAGES = "repeated message"
    STRING_MAP = "map<string, string>"
    BYTES_MAP = "map<string, bytes>"
    TIME = "Time"
    INT_OR_STRING = "IntOrString"


@dataclass(frozen=True)
class Field:
    name: str
    kind: Kind
    message: dict[int, Field] = field(default_factory=dict)
    pointer: bool = False  # a Go pointer: a zero value was set on purpose


Message = dict[int, Field]


class ProtobufError(ValueError):
    """A body that is not a protobuf-encoded object."""


class UnreadableKind(ProtobufError):
    """A protobuf-encoded object of a kind this module has no field numbers for."""


def _m(name: str, message: Message) -> Field:
    return Field(name, Kind.MESSAGE, message)


OWNER_REFERENCE: Message = {
    5: Field("apiVersion", Kind.STRING),
    1: Field("kind", Kind.STRING),
    3: Field("name", Kind.STRING),
    4: Field("uid", Kind.STRING),
    6: Field("controller", Kind.BOOL, pointer=True),
    7: Field("blockOwnerDeletion", Kind.BOOL, pointer=True),
}
OBJECT_META: Message = {
    1: Field("name", Kind.STRING),
    2: Field("generateName", Kind.STRING),
    3: Field("namespace", Kind.STRING),
    5: Field("uid", Kind.STRING),
    6: Field("resourceVersion", Kind.STRING),
    7: Field("generation", Kind.INT),
    8: Field("creationTimestamp", Kind.TIME),
    9: Field("deletionTimestamp", Kind.TIME),
    10: Field("deletionGracePeriodSeconds", Kind.INT, pointer=True),
    11: Field("labels", Kind.STRING_MAP),
    12: Field("annotations", Kind.STRING_MAP),
    13: Field("ownerReferences", Kind.MESSAGES, OWNER_REFERENCE),
    14: Field("finalizers", Kind.STRINGS),
}
SERVICE_PORT: Message = {
    1: Field("name", Kind.STRING),
    2: Field("protocol", Kind.STRING),
    6: Field("appProtocol", Kind.STRING),
    3: Field("port", Kind.INT),
    4: Field("targetPort", Kind.INT_OR_STRING),
    5: Field("nodePort", Kind.INT),
}
SERVICE_SPEC: Message = {
    1: Field("ports", Kind.MESSAGES, SERVICE_PORT),
    2: Field("selector", Kind.STRING_MAP),
    3: Field("clusterIP", Kind.STRING),
    18: Field("clusterIPs", Kind.STRINGS),
    4: Field("type", Kind.STRING),
    5: Field("externalIPs", Kind.STRINGS),
    7: Field("sessionAffinity", Kind.STRING),
    8: Field("loadBalancerIP", Kind.STRING),
    9: Field("loadBalancerSourceRanges", Kind.STRINGS),
    10: Field("externalName", Kind.STRING),
    11: Field("externalTrafficPolicy", Kind.STRING),
    12: Field("healthCheckNodePort", Kind.INT),
    13: Field("publishNotReadyAddresses", Kind.BOOL),
    14: _m("sessionAffinityConfig", {1: _m("clientIP", {1: Field("timeoutSeconds", Kind.INT)})}),
    19: Field("ipFamilies", Kind.STRINGS),
    17: Field("ipFamilyPolicy", Kind.STRING),
    20: Field("allocateLoadBalancerNodePorts", Kind.BOOL, pointer=True),
    21: Field("loadBalancerClass", Kind.STRING),
    22: Field("internalTrafficPolicy", Kind.STRING),
    23: Field("trafficDistribution", Kind.STRING),
}
KINDS: dict[tuple[str, str], Message] = {
    ("v1", "Namespace"): {
        1: _m("metadata", OBJECT_META),
        2: _m("spec", {1: Field("finalizers", Kind.STRINGS)}),
        3: _m("status", {1: Field("phase", Kind.STRING)}),
    },
    ("v1", "ConfigMap"): {
        1: _m("metadata", OBJECT_META),
        4: Field("immutable", Kind.BOOL, pointer=True),
        2: Field("data", Kind.STRING_MAP),
        3: Field("binaryData", Kind.BYTES_MAP),
    },
    ("v1", "Secret"): {
        1: _m("metadata", OBJECT_META),
        5: Field("immutable", Kind.BOOL, pointer=True),
        2: Field("data", Kind.BYTES_MAP),
        4: Field("stringData", Kind.STRING_MAP),
        3: Field("type", Kind.STRING),
    },
    ("v1", "Service"): {1: _m("metadata", OBJECT_META), 2: _m("spec", SERVICE_SPEC)},
}
_TYPE_META: Message = {1: Field("apiVersion", Kind.STRING), 2: Field("kind", Kind.STRING)}


def _varint(buf: bytes, pos: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        if pos >= len(buf) or shift > 63:
            raise ProtobufError("truncated varint")
        byte = buf[pos]
        value |= (byte & 0x7F) << shift
        pos += 1
        if not byte & 0x80:
            return value, pos
        shift += 7


def _wire(buf: bytes) -> Iterator[tuple[int, int | bytes]]:
    """(field number, varint or bytes) of each field; fixed-width fields are skipped."""
    pos = 0
    while pos < len(buf):
        key, pos = _varint(buf, pos)
        number, wire_type = key >> 3, key & 7
        if wire_type == 0:
            value, pos = _varint(buf, pos)
            yield number, value
        elif wire_type == 2:
            length, pos = _varint(buf, pos)
            if pos + length > len(buf):
                raise ProtobufError("truncated field")
            yield number, buf[pos : pos + length]
            pos += length
        elif wire_type in (1, 5):
            pos += 8 if wire_type == 1 else 4
        else:
            raise ProtobufError(f"unsupported wire type {wire_type}")


def _signed(value: int) -> int:
    return value - (1 << 64) if value >= 1 << 63 else value


def _text(raw: int | bytes) -> str:
    if not isinstance(raw, bytes):
        raise ProtobufError("expected a length-delimited field")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ProtobufError("a string is not UTF-8") from None


def _scalar(spec: Field, raw: int | bytes) -> Any:
    kind = spec.kind
    if kind == Kind.STRING:
        return _text(raw)
    if kind in (Kind.INT, Kind.BOOL):
        if not isinstance(raw, int):
            raise ProtobufError(f"{spec.name}: expected a varint")
        return bool(raw) if kind == Kind.BOOL else _signed(raw)
    if not isinstance(raw, bytes):
        raise ProtobufError(f"{spec.name}: expected a length-delimited field")
    if kind == Kind.BYTES:
        return base64.b64encode(raw).decode()
    if kind == Kind.TIME:
        parts = dict(_wire(raw))
        seconds = _signed(int(parts.get(1, 0)))
        return format_time(datetime.fromtimestamp(seconds, UTC)) if seconds else None
    if kind == Kind.INT_OR_STRING:
        parts = dict(_wire(raw))
        if parts.get(1, 0) == 1:
            return _text(parts.get(3, b""))
        return _signed(int(parts.get(2, 0)))
    return decode_message(spec.message, raw)


def decode_message(message: Message, buf: bytes) -> dict[str, Any]:
    """A message as JSON, zero values of non-pointer fields left out."""
    out: dict[str, Any] = {}
    for number, raw in _wire(buf):
        spec = message.get(number)
        if spec is None:
            continue
        if spec.kind in (Kind.STRINGS, Kind.MESSAGES):
            single = Kind.STRING if spec.kind == Kind.STRINGS else Kind.MESSAGE
            item = Field(spec.name, single, spec.message)
            out.setdefault(spec.name, []).append(_scalar(item, raw))
        elif spec.kind in (Kind.STRING_MAP, Kind.BYTES_MAP):
            if not isinstance(raw, bytes):
                raise ProtobufError(f"{spec.name}: expected a map entry")
            entry = dict(_wire(raw))
            value_kind = Kind.STRING if spec.kind == Kind.STRING_MAP else Kind.BYTES
            value = _scalar(Field(spec.name, value_kind), entry.get(2, b""))
            out.setdefault(spec.name, {})[_text(entry.get(1, b""))] = value
        else:
            value = _scalar(spec, raw)
            if spec.pointer or value not in ("", 0, False, None, {}):
                out[spec.name] = value
            else:
                out.pop(spec.name, None)
    return out


def decode(body: bytes) -> dict[str, Any]:
    """A protobuf-encoded object as the JSON object it stands for."""
    if not body.startswith(MAGIC):
        raise ProtobufError("the body does not start with the Kubernetes protobuf magic")
    unknown = dict(_wire(body[len(MAGIC) :]))  # runtime.Unknown
    type_meta, raw, encoding = unknown.get(1, b""), unknown.get(2, b""), unknown.get(3, b"")
    if not isinstance(type_meta, bytes) or not isinstance(raw, bytes) or encoding:
        raise ProtobufError("the body is not a runtime.Unknown of a plain object")
    meta = decode_message(_TYPE_META, type_meta)
    api_version, kind = meta.get("apiVersion", ""), meta.get("kind", "")
    message = KINDS.get((api_version, kind))
    if message is None:
        raise UnreadableKind(f"{kind} ({api_version})")
    return {"apiVersion": api_version, "kind": kind, **decode_message(message, raw)}


def supported() -> str:
    """The kinds this module decodes, for messages."""
    return ", ".join(kind for _, kind in KINDS)
