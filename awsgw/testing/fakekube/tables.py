"""``meta.k8s.io`` Tables, what ``kubectl get`` asks for: column definitions and one row per
object, with the row's object as PartialObjectMetadata (the default), the whole object
(``includeObject=Object``) or nothing (``None``).

Custom resources take their columns from the CRD's printer columns after a Name column, each
cell the first value its JSONPath reaches (``string`` columns printed as kubectl prints
JSONPath results, ``date`` columns as ages); built-in kinds use the API server's own printers
(``printers``); a kind with neither shows Name and Age, as a CRD without printer columns does.
"""

from __future__ import annotations

import copy
import functools
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from . import errors
from .ages import since
from .conversion import to_storage
from .jsonpath import Step, find, parse, print_value
from .printers import Cells, Column, Printer, builtin_printers, name_column
from .resources import Resource, by_path
from .schemas import PrinterColumn, kind_schema

Obj = dict[str, Any]
INCLUDE = ("Metadata", "Object", "None")
_DEFAULT_COLUMNS = (PrinterColumn("Age", "date", ".metadata.creationTimestamp"),)


@dataclass(frozen=True)
class TableOptions:
    """``includeObject`` (Metadata, Object or None) and whether column definitions are left
    out (every watch event after the first)."""

    include_object: str = "Metadata"
    no_headers: bool = False


def table_options(query: dict[str, str]) -> TableOptions:
    """The TableOptions of a request; 400 for an unknown ``includeObject``."""
    include = query.get("includeObject") or "Metadata"
    if include not in INCLUDE:
        raise errors.bad_request(
            f"Unable to convert to Table as requested: includeObject: Unsupported value: "
            f'"{include}": supported values: "Metadata", "None", "Object"'
        )
    return TableOptions(include)


def cell_for(column_type: str, value: Any) -> Any:
    """A non-string printer column's cell, as the API server types it (None when the value
    does not have the column's type)."""
    if value is None or (isinstance(value, bool) and column_type in ("integer", "number")):
        return None
    if column_type == "integer" and isinstance(value, (int, float)):
        return int(value)
    if column_type == "number" and isinstance(value, (int, float)):
        return float(value)
    if column_type == "boolean" and isinstance(value, bool):
        return value
    if column_type == "string" and isinstance(value, str):
        return value
    if column_type == "date" and isinstance(value, str):
        return since(value)
    return None


def _custom_printer(columns: tuple[PrinterColumn, ...]) -> Printer:
    paths: list[tuple[PrinterColumn, tuple[Step, ...]]] = [(c, parse(c.json_path)) for c in columns]

    def cells(obj: Obj, now: datetime) -> Cells:
        out: Cells = [(obj.get("metadata") or {}).get("name", "")]
        for column, steps in paths:
            found = find(steps, obj)
            if not found:
                out.append(None)
            elif column.type == "string":
                out.append(print_value(found[0]))
            else:
                out.append(cell_for(column.type, found[0]))
        return out

    definitions = tuple(
        Column(
            c.name,
            c.type,
            f"Custom resource definition column (in JSONPath format): {c.json_path}",
            c.format,
            c.priority,
        )
        for c in columns
    )
    return Printer((name_column(), *definitions), cells)


def printer_for(res: Resource, version: str) -> Printer:
    """The table printer of ``res`` served at ``version``."""
    builtin = builtin_printers().get((res.group, res.plural))
    if builtin is not None:
        return builtin
    return _custom_printer_of(res.group, res.plural, version)


@functools.cache
def _custom_printer_of(group: str, plural: str, version: str) -> Printer:
    res = by_path(group, version, plural)
    schema = kind_schema(res, version) if res is not None else None
    return _custom_printer(schema.columns if schema and schema.columns else _DEFAULT_COLUMNS)


def _row_object(res: Resource, version: str, obj: Obj, options: TableOptions, api: str) -> Any:
    if options.include_object == "None":
        return None
    if options.include_object == "Object":
        return {"kind": res.kind, "apiVersion": res.api_version(version), **obj}
    return partial_metadata(obj, api)


def partial_metadata(obj: Obj, api_version: str) -> Obj:
    """An object's PartialObjectMetadata in ``api_version`` (meta.k8s.io/v1 or v1beta1)."""
    return {
        "kind": "PartialObjectMetadata",
        "apiVersion": api_version,
        "metadata": obj.get("metadata") or {},
    }


def table(
    res: Resource,
    version: str,
    payload: Obj,
    options: TableOptions,
    api_version: str = "meta.k8s.io/v1",
) -> Obj:
    """The Table of ``payload`` (one served object, or a list of them) in ``api_version``."""
    printer = printer_for(res, version)
    items = payload["items"] if isinstance(payload.get("items"), list) else [payload]
    meta = payload.get("metadata") or {}
    if "items" in payload:
        list_meta = {
            k: meta[k] for k in ("resourceVersion", "continue", "remainingItemCount") if k in meta
        }
    else:
        list_meta = (
            {"resourceVersion": meta["resourceVersion"]} if meta.get("resourceVersion") else {}
        )
    now = datetime.now(UTC)
    rows = []
    for item in items:
        shaped = to_storage(res, copy.deepcopy(item)) if res.storage == "events" else item
        rows.append(
            {
                "cells": printer.cells(shaped, now),
                "object": _row_object(res, version, item, options, api_version),
            }
        )
    return {
        "kind": "Table",
        "apiVersion": api_version,
        "metadata": list_meta,
        "columnDefinitions": None
        if options.no_headers
        else [c.definition() for c in printer.columns],
        "rows": rows,
    }
