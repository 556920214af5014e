"""Manifest files → typed objects, with errors that name the file, document and field.

Reads YAML files or folders (``*.yaml``, ``*.yml``, ``*.json``; multi-document; ``kind:
List`` expanded). Kinds awsgw does not read (Deployments, ...) are skipped.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from awsgw.objects import KINDS, SUPPORTED_VERSIONS, KubeObject
from awsgw.objects.meta import field_path

SUFFIXES = (".yaml", ".yml", ".json")


class ManifestError(Exception):
    """A document that cannot be read as the object it claims to be."""


def _files(paths: Iterable[str | Path]) -> Iterator[Path]:
    for p in map(Path, paths):
        if p.is_dir():
            yield from sorted(f for f in p.rglob("*") if f.is_file() and f.suffix in SUFFIXES)
        elif p.is_file():
            yield p
        else:
            raise ManifestError(f"{p}: no such file or folder")


def _type(value: object) -> str:
    """The YAML name of a value's type, for messages."""
    names = {list: "a list", str: "a string", bool: "a boolean", int: "a number"}
    return names.get(type(value), "a number" if isinstance(value, float) else type(value).__name__)


def parse_document(doc: dict[str, Any], where: str) -> KubeObject | None:
    """One object from one mapping; None for kinds awsgw does not read."""
    api_version = doc.get("apiVersion")
    kind = doc.get("kind")
    if not isinstance(api_version, str) or not isinstance(kind, str):
        raise ManifestError(f"{where}: apiVersion and kind are required")
    group, _, version = api_version.rpartition("/")
    model = KINDS.get((group, kind))
    if model is None:
        return None
    if version not in SUPPORTED_VERSIONS[group]:
        raise ManifestError(f"{where} ({kind}): apiVersion {api_version} is not supported")
    metadata = doc.get("metadata")
    if not isinstance(metadata, dict):
        what = "is required" if metadata is None else f"must be a mapping, not {_type(metadata)}"
        raise ManifestError(f"{where} ({kind}): field metadata: {what}")
    name = metadata.get("name", "?")
    try:
        obj = model.model_validate(doc)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = field_path(first["loc"])
        more = f" (and {exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
        raise ManifestError(
            f"{where} ({kind} {name}): field {field}: {first['msg']}{more}"
        ) from exc
    obj._raw = doc
    return obj


def load(paths: Iterable[str | Path]) -> list[KubeObject]:
    """Every object awsgw reads from the given files and folders, in reading order."""
    objects: list[KubeObject] = []
    for path in _files(paths):
        try:
            docs = list(yaml.safe_load_all(path.read_text()))
        except yaml.YAMLError as exc:
            raise ManifestError(f"{path}: not valid YAML: {exc}") from exc
        for index, doc in enumerate(docs, start=1):
            if doc is None:
                continue
            where = f"{path}, document {index}"
            if not isinstance(doc, dict):
                raise ManifestError(f"{where}: expected a mapping")
            items = doc.get("items") or [] if doc.get("kind") == "List" else [doc]
            if not isinstance(items, list):
                raise ManifestError(f"{where} (List): field items: must be a list")
            for item_no, item in enumerate(items):
                at = f"{where} item {item_no}" if doc.get("kind") == "List" else where
                if not isinstance(item, dict):
                    raise ManifestError(f"{at}: expected a mapping, not {_type(item)}")
                obj = parse_document(item, at)
                if obj is not None:
                    obj._order = len(objects)
                    objects.append(obj)
    return objects
