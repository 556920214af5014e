"""A minimal protocol buffers encoder: enough to write gnostic's OpenAPI v2 ``Document`` (the
form kubectl downloads /openapi/v2 in). A message is built as a list of encoded fields."""

from __future__ import annotations

import struct


def _varint(value: int) -> bytes:
    if value < 0:
        value += 1 << 64  # int64 as protobuf writes it: ten bytes, two's complement
    out = bytearray()
    while True:
        low = value & 0x7F
        value >>= 7
        if value:
            out.append(low | 0x80)
        else:
            out.append(low)
            return bytes(out)


def _key(number: int, wire_type: int) -> bytes:
    return _varint(number << 3 | wire_type)


def message(number: int, body: bytes) -> bytes:
    """A length-delimited field: an embedded message, a string's bytes or packed data."""
    return _key(number, 2) + _varint(len(body)) + body


def string(number: int, value: str) -> bytes:
    return message(number, value.encode()) if value else b""


def strings(number: int, values: list[str]) -> bytes:
    """A repeated string field (every element, empty ones too)."""
    return b"".join(message(number, v.encode()) for v in values)


def integer(number: int, value: int) -> bytes:
    """An int64 field (omitted when zero, as proto3 leaves defaults out)."""
    return _key(number, 0) + _varint(value) if value else b""


def boolean(number: int, value: bool) -> bytes:
    return _key(number, 0) + b"\x01" if value else b""


def double(number: int, value: float) -> bytes:
    return _key(number, 1) + struct.pack("<d", value) if value else b""
