"""Validating a custom resource against its CRD's OpenAPI v3 schema, with the field errors the
apiextensions server reports: type, enum, required, string length and pattern, numeric bounds,
item and property counts, and duplicates in ``x-kubernetes-list-type`` set and map lists.

Validation ratchets as the API server's does on update: a value equal to the old object's
(objects correlated by property, map lists by their keys) keeps its errors to itself. CEL
rules (``x-kubernetes-validations``), ``format``, ``oneOf``/``anyOf``/``allOf``/``not`` are not
evaluated.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from .jsonpath import go_json, go_number

Schema = dict[str, Any]
_ROOT_SKIP = ("apiVersion", "kind", "metadata")


@dataclass(frozen=True)
class FieldError:
    """One field error: its path, the Status cause reason and the ``field.Error`` body."""

    field: str
    reason: str
    body: str

    @property
    def cause(self) -> tuple[str, str, str]:
        return (self.field, self.reason, self.body)


def go_quote(text: str) -> str:
    """A string as Go's ``%q`` writes it (close enough for API messages)."""
    out = ['"']
    for ch in text:
        if ch in '"\\':
            out.append("\\" + ch)
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif ch == "\r":
            out.append("\\r")
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\x{ord(ch):02x}")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def bad_value(value: Any) -> str:
    """A value as a field error shows it: quoted strings, plain numbers, JSON otherwise."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return go_number(value)
    if isinstance(value, str):
        return go_quote(value)
    return go_json(value)


def _number(value: Any) -> str:
    return go_number(float(value)) if isinstance(value, float) else str(value)


def type_name(value: Any) -> str:
    """The JSON type of a value, as OpenAPI validation names it."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


def _type_ok(schema: Schema, value: Any) -> bool:
    if value is None:
        typed = schema.get("type") or schema.get("x-kubernetes-int-or-string")
        return bool(schema.get("nullable")) or not typed
    if schema.get("x-kubernetes-int-or-string"):
        return type_name(value) in ("integer", "string") or (
            isinstance(value, float) and value.is_integer()
        )
    expected = schema.get("type")
    if not expected:
        return True
    actual = type_name(value)
    if expected == "number":
        return actual in ("integer", "number")
    if expected == "integer" and actual == "number":
        return bool(value.is_integer())
    return bool(actual == expected)


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _invalid(path: str, value: Any, detail: str) -> FieldError:
    return FieldError(path, "FieldValueInvalid", f"Invalid value: {bad_value(value)}: {detail}")


def _too_many(path: str, count: int, limit: int) -> FieldError:
    unit = "item" if limit == 1 else "items"
    return FieldError(
        path, "FieldValueTooMany", f"Too many: {count}: must have at most {limit} {unit}"
    )


class _Validator:
    def __init__(self) -> None:
        self.errors: list[FieldError] = []

    def add(self, error: FieldError) -> None:
        self.errors.append(error)

    def value(self, value: Any, schema: Schema, path: str, old: Any, has_old: bool) -> None:
        if has_old and value == old:
            return  # ratcheting: an unchanged value keeps whatever it had
        if not _type_ok(schema, value):
            kind = "integer,string" if schema.get("x-kubernetes-int-or-string") else schema["type"]
            actual = type_name(value)
            self.add(
                FieldError(
                    path,
                    "FieldValueTypeInvalid",
                    f"Invalid value: {go_quote(actual)}: {path} in body must be of type "
                    f"{kind}: {go_quote(actual)}",
                )
            )
            return
        if value is None:
            return
        if isinstance(value, str):
            self.string(value, schema, path)
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            self.number(value, schema, path)
        if "enum" in schema and value not in schema["enum"]:
            allowed = ", ".join(
                go_quote(v if isinstance(v, str) else go_json(v)) for v in schema["enum"]
            )
            self.add(
                FieldError(
                    path,
                    "FieldValueNotSupported",
                    f"Unsupported value: {bad_value(value)}: supported values: {allowed}",
                )
            )
        if isinstance(value, list):
            self.array(value, schema, path, old if has_old else None)
        elif isinstance(value, dict):
            self.object(value, schema, path, old if has_old else None)

    def string(self, value: str, schema: Schema, path: str) -> None:
        if "maxLength" in schema and len(value) > schema["maxLength"]:
            limit = schema["maxLength"]
            unit = "byte" if limit == 1 else "bytes"
            self.add(
                FieldError(
                    path, "FieldValueTooLong", f"Too long: may not be more than {limit} {unit}"
                )
            )
        if "minLength" in schema and len(value) < schema["minLength"]:
            detail = f"{path} in body should be at least {schema['minLength']} chars long"
            self.add(_invalid(path, value, detail))
        pattern = schema.get("pattern")
        if isinstance(pattern, str) and _search(pattern, value) is False:
            self.add(_invalid(path, value, f"{path} in body should match '{pattern}'"))

    def number(self, value: float, schema: Schema, path: str) -> None:
        if "maximum" in schema:
            exclusive = bool(schema.get("exclusiveMaximum"))
            bound = schema["maximum"]
            if value > bound or (exclusive and value == bound):
                op = "less than" if exclusive else "less than or equal to"
                self.add(_invalid(path, value, f"{path} in body should be {op} {_number(bound)}"))
        if "minimum" in schema:
            exclusive = bool(schema.get("exclusiveMinimum"))
            bound = schema["minimum"]
            if value < bound or (exclusive and value == bound):
                op = "greater than" if exclusive else "greater than or equal to"
                self.add(_invalid(path, value, f"{path} in body should be {op} {_number(bound)}"))
        factor = schema.get("multipleOf")
        if factor and (value / factor) != int(value / factor):
            self.add(
                _invalid(path, value, f"{path} in body should be a multiple of {_number(factor)}")
            )

    def array(self, value: list[Any], schema: Schema, path: str, old: Any) -> None:
        if "maxItems" in schema and len(value) > schema["maxItems"]:
            self.add(_too_many(path, len(value), schema["maxItems"]))
        if "minItems" in schema and len(value) < schema["minItems"]:
            detail = f"{path} in body should have at least {schema['minItems']} items"
            self.add(_invalid(path, len(value), detail))
        self.duplicates(value, schema, path)
        items = schema.get("items")
        if not isinstance(items, dict):
            return
        keys = schema.get("x-kubernetes-list-map-keys") or []
        olds = _by_keys(old, keys) if keys and isinstance(old, list) else {}
        for i, item in enumerate(value):
            key = _key_of(item, keys) if keys else None
            has = key is not None and key in olds
            self.value(item, items, f"{path}[{i}]", olds.get(key) if has else None, has)

    def duplicates(self, value: list[Any], schema: Schema, path: str) -> None:
        list_type = schema.get("x-kubernetes-list-type")
        keys = schema.get("x-kubernetes-list-map-keys") or []
        seen: list[Any] = []
        for i, item in enumerate(value):
            if list_type == "set":
                marker: Any = item
            elif list_type == "map" and keys and isinstance(item, dict):
                marker = {k: item[k] for k in keys if k in item}
            else:
                return
            if marker in seen:
                self.add(
                    FieldError(
                        f"{path}[{i}]",
                        "FieldValueDuplicate",
                        f"Duplicate value: {bad_value(marker)}",
                    )
                )
            else:
                seen.append(marker)

    def object(
        self, value: dict[str, Any], schema: Schema, path: str, old: Any, root: bool = False
    ) -> None:
        for name in schema.get("required") or []:
            if name not in value:
                self.add(FieldError(_join(path, name), "FieldValueRequired", "Required value"))
        if "maxProperties" in schema and len(value) > schema["maxProperties"]:
            self.add(_too_many(path, len(value), schema["maxProperties"]))
        if "minProperties" in schema and len(value) < schema["minProperties"]:
            detail = f"{path} in body should have at least {schema['minProperties']} properties"
            self.add(_invalid(path, len(value), detail))
        props = schema.get("properties") or {}
        extra = schema.get("additionalProperties")
        olds = old if isinstance(old, dict) else {}
        for key in sorted(value):
            if root and key in _ROOT_SKIP:
                continue
            child = props.get(key, extra if isinstance(extra, dict) else None)
            if child is not None:
                self.value(value[key], child, _join(path, key), olds.get(key), key in olds)


def _by_keys(items: list[Any], keys: list[str]) -> dict[Any, Any]:
    out = {}
    for item in items:
        key = _key_of(item, keys)
        if key is not None:
            out[key] = item
    return out


def _key_of(item: Any, keys: list[str]) -> Any:
    if not isinstance(item, dict):
        return None
    return tuple(go_json(item.get(k)) for k in keys)


_PATTERNS: dict[str, re.Pattern[str] | None] = {}


def _search(pattern: str, value: str) -> bool | None:
    """Whether ``value`` matches ``pattern`` (None when Python cannot compile it)."""
    if pattern not in _PATTERNS:
        try:
            _PATTERNS[pattern] = re.compile(pattern)
        except re.error:
            _PATTERNS[pattern] = None
    compiled = _PATTERNS[pattern]
    return None if compiled is None else compiled.search(value) is not None


def validate_custom(
    obj: dict[str, Any], schema: Schema, old: dict[str, Any] | None
) -> list[FieldError]:
    """The field errors of a custom resource against its version's schema (apiVersion, kind
    and metadata excepted), ratcheting against ``old`` on update."""
    validator = _Validator()
    validator.object(obj, schema, "", old, root=True)
    return validator.errors
