"""Label and field selectors, parsed with the kube-apiserver's grammar and matched on objects.

Label selectors: ``k=v``, ``k==v``, ``k!=v``, ``k in (a,b)``, ``k notin (a,b)``, ``k``, ``!k``,
``k>1``, ``k<1``, joined by commas. Field selectors: ``path=v``, ``path==v``, ``path!=v``
over the labels a resource supports (``metadata.name`` and ``metadata.namespace`` always).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from .errors import ApiError, bad_request

_TOKEN = re.compile(r"\s*(!=|==|=|!|\(|\)|,|>|<|[^\s!=(),<>]+)")


@dataclass(frozen=True)
class Requirement:
    key: str
    op: str  # "=", "!=", "in", "notin", "exists", "!", ">", "<"
    values: tuple[str, ...] = ()

    def matches(self, labels: dict[str, str]) -> bool:
        present = self.key in labels
        value = labels.get(self.key, "")
        if self.op in ("=", "in"):
            return present and value in self.values
        if self.op in ("!=", "notin"):
            return not present or value not in self.values
        if self.op == "exists":
            return present
        if self.op == "!":
            return not present
        try:
            have, want = int(value), int(self.values[0])
        except ValueError:
            return False
        return present and (have > want if self.op == ">" else have < want)


def _tokens(text: str) -> list[str]:
    out: list[str] = []
    pos = 0
    text = text.strip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m:
            raise bad_request(f"unable to parse requirement: {text!r}")
        out.append(m.group(1))
        pos = m.end()
    return out


def parse_labels(text: str) -> list[Requirement]:
    """Parse a label selector; a malformed one is a 400 BadRequest as on the API server."""
    toks = _tokens(text)
    reqs: list[Requirement] = []
    i = 0

    def fail() -> ApiError:
        return bad_request(f"unable to parse requirement: found unexpected input in {text!r}")

    while i < len(toks):
        if toks[i] == "!":
            if i + 1 >= len(toks):
                raise fail()
            reqs.append(Requirement(toks[i + 1], "!"))
            i += 2
        else:
            key = toks[i]
            if key in ",()=!=<>":
                raise fail()
            i += 1
            op = toks[i] if i < len(toks) else ","
            if op == ",":
                reqs.append(Requirement(key, "exists"))
            elif op in ("=", "==", "!=", ">", "<"):
                if i + 1 >= len(toks) or toks[i + 1] in ",()":
                    value = ""
                    i += 1
                else:
                    value = toks[i + 1]
                    i += 2
                if op in (">", "<") and not re.fullmatch(r"-?\d+", value):
                    raise bad_request(
                        f"unable to parse requirement: for 'gt', 'lt' operators, "
                        f"the value must be an integer, not {value!r}"
                    )
                reqs.append(Requirement(key, "=" if op == "==" else op, (value,)))
            elif op in ("in", "notin"):
                if i + 1 >= len(toks) or toks[i + 1] != "(":
                    raise fail()
                i += 2
                values: list[str] = []
                while i < len(toks) and toks[i] != ")":
                    if toks[i] != ",":
                        values.append(toks[i])
                    i += 1
                if i >= len(toks):
                    raise fail()
                i += 1
                reqs.append(Requirement(key, op, tuple(values)))
            else:
                raise fail()
        if i < len(toks):
            if toks[i] != ",":
                raise fail()
            i += 1
    return reqs


@dataclass(frozen=True)
class FieldTerm:
    label: str
    path: str
    negate: bool
    value: str


def _split_unescaped(text: str, sep: str) -> list[str]:
    parts, cur, escaped = [], "", False
    for ch in text:
        if escaped:
            cur += ch
            escaped = False
        elif ch == "\\":
            cur += ch
            escaped = True
        elif ch == sep:
            parts.append(cur)
            cur = ""
        else:
            cur += ch
    parts.append(cur)
    return parts


def _unescape(value: str) -> str:
    return re.sub(r"\\(.)", r"\1", value)


def parse_fields(text: str, labels: dict[str, str]) -> list[FieldTerm]:
    """Parse a field selector against the field labels (label -> stored path) a resource has."""
    terms: list[FieldTerm] = []
    for part in _split_unescaped(text.strip(), ","):
        if not part.strip():
            continue
        m = re.fullmatch(r"\s*([^!=\s]+)\s*(!=|==|=)(.*)", part)
        if not m:
            raise bad_request(f"invalid selector: '{text}'; can't understand '{part}'")
        label, op, value = m.group(1), m.group(2), _unescape(m.group(3).strip())
        if label not in labels:
            raise bad_request(f"field label not supported: {label}")
        terms.append(FieldTerm(label, labels[label], op == "!=", value))
    return terms


def dig(obj: dict[str, Any], path: str) -> Any:
    cur: Any = obj
    for part in path.split("."):
        if not isinstance(cur, dict):
            return None
        cur = cur.get(part)
    return cur


def _field_string(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


@dataclass(frozen=True)
class Selector:
    """A parsed label and field selector; ``matches`` takes a stored object."""

    labels: tuple[Requirement, ...] = ()
    fields: tuple[FieldTerm, ...] = ()

    @property
    def empty(self) -> bool:
        return not self.labels and not self.fields

    def matches(self, obj: dict[str, Any]) -> bool:
        meta = obj.get("metadata") or {}
        obj_labels = meta.get("labels") or {}
        if not all(r.matches(obj_labels) for r in self.labels):
            return False
        for term in self.fields:
            equal = _field_string(dig(obj, term.path)) == term.value
            if equal == term.negate:
                return False
        return True


def make_selector(label_text: str, field_text: str, field_labels: dict[str, str]) -> Selector:
    labels = {"metadata.name": "metadata.name", "metadata.namespace": "metadata.namespace"}
    labels.update(field_labels)
    return Selector(
        tuple(parse_labels(label_text)) if label_text else (),
        tuple(parse_fields(field_text, labels)) if field_text else (),
    )
