"""The JSONPath subset of CRD printer columns, evaluated as client-go's jsonpath package does
with missing keys allowed: ``.a.b``, ``['a']``, ``[0]``, ``[-1]``, ``[*]`` and filters
``[?(@.type=="Ready")]`` (``==``, ``!=``, ``<``, ``<=``, ``>``, ``>=`` against a literal, or
``[?(@.field)]`` for presence). A path that does not parse raises ``ValueError``.

``find`` returns every value the path reaches, in document order; ``print_value`` renders one
the way ``kubectl`` prints a ``string`` column (JSON for lists and objects).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

_NAME = re.compile(r"[A-Za-z0-9_$-]+")
_FILTER = re.compile(r"\?\(\s*@((?:\.[A-Za-z0-9_$-]+)+)\s*(?:(==|!=|<=|>=|<|>)\s*(.+?))?\s*\)")


@dataclass(frozen=True)
class Field:
    name: str


@dataclass(frozen=True)
class Index:
    index: int


@dataclass(frozen=True)
class Wildcard:
    pass


@dataclass(frozen=True)
class Filter:
    path: tuple[str, ...]
    op: str  # "" tests presence
    literal: Any = None


Step = Field | Index | Wildcard | Filter


def parse(path: str) -> tuple[Step, ...]:
    """The steps of ``path`` (optionally wrapped in ``{}``)."""
    text = path.strip()
    if text.startswith("{") and text.endswith("}"):
        text = text[1:-1].strip()
    steps: list[Step] = []
    pos = 0
    while pos < len(text):
        if text[pos] == ".":
            match = _NAME.match(text, pos + 1)
            if not match:
                raise ValueError(f"unrecognized identifier in {path!r} at {pos}")
            steps.append(Field(match.group(0)))
            pos = match.end()
        elif text[pos] == "[":
            end = _closing_bracket(text, pos, path)
            steps.append(_bracket(text[pos + 1 : end].strip(), path))
            pos = end + 1
        else:
            raise ValueError(f"unrecognized character {text[pos]!r} in {path!r}")
    return tuple(steps)


def _closing_bracket(text: str, start: int, path: str) -> int:
    depth, quote = 0, ""
    for i in range(start, len(text)):
        ch = text[i]
        if quote:
            quote = "" if ch == quote else quote
        elif ch in "\"'":
            quote = ch
        elif ch in "[(":
            depth += 1
        elif ch in "])":
            depth -= 1
            if depth == 0 and ch == "]":
                return i
    raise ValueError(f"unclosed bracket in {path!r}")


def _bracket(inner: str, path: str) -> Step:
    if inner == "*":
        return Wildcard()
    if len(inner) >= 2 and inner[0] == inner[-1] and inner[0] in "\"'":
        return Field(inner[1:-1])
    if re.fullmatch(r"-?\d+", inner):
        return Index(int(inner))
    match = _FILTER.fullmatch(inner)
    if match:
        fields = tuple(match.group(1).lstrip(".").split("."))
        if match.group(2) is None:
            return Filter(fields, "")
        return Filter(fields, match.group(2), _literal(match.group(3), path))
    raise ValueError(f"unsupported JSONPath expression [{inner}] in {path!r}")


def _literal(text: str, path: str) -> Any:
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "\"'":
        return text[1:-1]
    if text in ("true", "false"):
        return text == "true"
    try:
        return int(text)
    except ValueError:
        pass
    try:
        return float(text)
    except ValueError:
        raise ValueError(f"unsupported literal {text!r} in {path!r}") from None


def find(path: str | tuple[Step, ...], data: Any) -> list[Any]:
    """Every value ``path`` reaches in ``data``; missing keys yield nothing."""
    steps = parse(path) if isinstance(path, str) else path
    values = [data]
    for step in steps:
        values = [out for value in values for out in _step(step, value)]
    return values


def _step(step: Step, value: Any) -> list[Any]:
    if isinstance(step, Field):
        return [value[step.name]] if isinstance(value, dict) and step.name in value else []
    if isinstance(step, Index):
        if isinstance(value, list) and -len(value) <= step.index < len(value):
            return [value[step.index]]
        return []
    if isinstance(step, Wildcard):
        if isinstance(value, list):
            return list(value)
        if isinstance(value, dict):
            return [value[k] for k in sorted(value)]
        return []
    if not isinstance(value, list):
        return []
    return [item for item in value if _matches(step, item)]


def _matches(step: Filter, item: Any) -> bool:
    found = find(tuple(Field(p) for p in step.path), item)
    if not step.op:
        return bool(found)
    if not found:
        return False
    left, right = found[0], step.literal
    if step.op == "==":
        return bool(left == right)
    if step.op == "!=":
        return bool(left != right)
    comparable = (isinstance(left, (int, float)) and isinstance(right, (int, float))) or (
        isinstance(left, str) and isinstance(right, str)
    )
    if not comparable or isinstance(left, bool) or isinstance(right, bool):
        return False
    ordered: dict[str, bool] = {
        "<": left < right,
        "<=": left <= right,
        ">": left > right,
        ">=": left >= right,
    }
    return ordered[step.op]


def go_json(value: Any) -> str:
    """Compact JSON with sorted keys and Go's HTML escaping, as ``encoding/json`` writes it."""
    text = json.dumps(value, separators=(",", ":"), sort_keys=True, ensure_ascii=False)
    return (
        text.replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


def go_number(value: float) -> str:
    """A float as Go's ``%v`` prints it (``80``, ``1.5``, ``1e+21``)."""
    if value.is_integer() and abs(value) < 1e21:
        return str(int(value))
    text = repr(value)
    if "e" in text:
        mantissa, _, exponent = text.partition("e")
        sign = "-" if exponent.startswith("-") else "+"
        text = f"{mantissa}e{sign}{exponent.lstrip('+-').rjust(2, '0')}"
    return text


def print_value(value: Any) -> str | None:
    """One value as a ``string`` printer column shows it; None for JSON null."""
    if value is None:
        return None
    if isinstance(value, (dict, list)):
        return go_json(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return go_number(value)
    return str(value)
