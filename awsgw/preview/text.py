"""The plan for people (``awsgw plan``, the default output): per Gateway, each resource
that would be created (``+``), modified (``~``, the fields that differ, old -> new) or
deleted (``-``), then the status the Gateway and its Routes would get; the line
``Plan: N to create, M to change, K to destroy.`` or ``No changes. AWS matches the
manifests.``. It renders the plan document (``awsgw.preview.document``), nothing else."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

SYMBOLS = {"create": "+", "modify": "~", "delete": "-"}
NO_CHANGES = "No changes. AWS matches the manifests."
INLINE = 72
"""Values longer than this (or of several items) go one item per line."""


def _items(value: Any) -> list[str]:
    if value is None:
        return ["(none)"]
    if isinstance(value, bool):
        return ["true" if value else "false"]
    if isinstance(value, Mapping):
        return [f"{k}={v}" for k, v in value.items()]
    if isinstance(value, list | tuple):
        return [str(v) for v in value] or ["(none)"]
    return [str(value)]


def _inline(items: list[str]) -> str | None:
    text = ", ".join(items)
    return text if len(items) == 1 or len(text) <= INLINE else None


def _field_lines(field: Mapping[str, Any], action: str, width: int) -> list[str]:
    lines = _field(field, action, f"{field['name']}:".ljust(width + 1))
    return [line.rstrip() for line in lines]


def _field(field: Mapping[str, Any], action: str, name: str) -> list[str]:
    pad = " " * 8
    if action != "modify":
        items = _items(field["new"] if action == "create" else field["old"])
        one = _inline(items)
        return (
            [f"{pad[:6]}{name} {one}"]
            if one is not None
            else [
                f"{pad[:6]}{name}",
                *(f"{pad}{item}" for item in items),
            ]
        )
    old, new = _items(field["old"]), _items(field["new"])
    if not isinstance(field["old"], list | tuple | Mapping) and not isinstance(
        field["new"], list | tuple | Mapping
    ):
        return [f"{pad[:6]}{name} {old[0]} -> {new[0]}"]
    lines = [f"{pad[:6]}{name}"]
    lines += [f"{pad}- {item}" for item in old if item not in new]
    lines += [f"{pad}  {item}" if item in old else f"{pad}+ {item}" for item in new]
    return lines


def change_lines(change: Mapping[str, Any]) -> list[str]:
    """One resource's change: ``+ load balancer gw-1`` and its fields, indented."""
    lines = [f"  {SYMBOLS[change['action']]} {change['resource']}"]
    fields = change["fields"]
    width = max((len(f["name"]) for f in fields), default=0)
    for field in fields:
        lines += _field_lines(field, change["action"], width)
    return lines


NEGATIVE = frozenset({"Conflicted"})
"""Condition types whose good state is False (shown only when True)."""


def _fine(condition: Mapping[str, Any]) -> bool:
    good = "False" if condition.get("type") in NEGATIVE else "True"
    return condition.get("status") == good


def conditions_text(status: Mapping[str, Any]) -> str:
    """``Accepted, Programmed False (Pending: load balancer is provisioning)``."""
    parts = []
    for c in status.get("conditions") or []:
        if _fine(c):
            if c.get("type") not in NEGATIVE:
                parts.append(str(c.get("type")))
        else:
            why = f"{c.get('reason')}: {c.get('message')}" if c.get("message") else c.get("reason")
            parts.append(f"{c.get('type')} {c.get('status')} ({why})")
    return ", ".join(parts) or "no conditions"


def _key(item: Mapping[str, Any]) -> str:
    return f"{item['namespace']}/{item['name']}" if item.get("namespace") else str(item["name"])


def _ref(ref: Mapping[str, Any], namespace: str | None) -> str:
    ns = ref.get("namespace") or namespace
    return f"{ref.get('kind', 'Gateway')} {ns}/{ref.get('name')}" if ns else str(ref.get("name"))


def _object_lines(item: Mapping[str, Any]) -> list[str]:
    """An object's status: one line, or one per parent (Routes) or ancestor (policies)."""
    status = item["status"]
    head = f"{item['kind']} {_key(item)}"
    for key, ref_key in (("parents", "parentRef"), ("ancestors", "ancestorRef")):
        if key in status:
            return [
                f"{head} on {_ref(entry.get(ref_key) or {}, item.get('namespace'))}: "
                f"{conditions_text(entry)}"
                for entry in status[key] or []
            ]
    return [_object_line(item), *_listener_lines(status)]


def _object_line(item: Mapping[str, Any]) -> str:
    status = item["status"]
    line = f"{item['kind']} {_key(item)}: {conditions_text(status)}"
    addresses = [str(a.get("value")) for a in status.get("addresses") or []]
    if addresses:
        line += f"; address {', '.join(addresses)}"
    for key, value in (item.get("annotations") or {}).items():
        line += f"; {key}={value}"
    return line


def _listener_lines(status: Mapping[str, Any]) -> list[str]:
    """The listeners of a Gateway (or ListenerSet) with a problem of their own (their
    Programmed condition is the Gateway's)."""
    return [
        f"  listener {ls.get('name')}: {conditions_text(ls)}"
        for ls in status.get("listeners") or []
        if any(not _fine(c) and c.get("type") != "Programmed" for c in ls.get("conditions") or [])
    ]


def _route_lines(item: Mapping[str, Any], gateway: str) -> list[str]:
    """A Route's status on one Gateway parent (of each controller)."""
    out = []
    for parent in item["status"].get("parents") or []:
        ref = parent.get("parentRef") or {}
        key = f"{ref.get('namespace') or item.get('namespace')}/{ref.get('name')}"
        if ref.get("kind", "Gateway") == "Gateway" and key == gateway:
            line = f"{item['kind']} {_key(item)}: {conditions_text(parent)}"
            for k, v in (item.get("annotations") or {}).items():
                line += f"; {k}={v}"
            out.append(line)
    return out


def _groups(doc: Mapping[str, Any], controllers: Mapping[str, str]) -> list[tuple[str, str]]:
    """(Gateway key or "", controller) of every group, in order: the Gateways of the
    manifests, Gateways only changes name (gone), then what spans Gateways."""
    groups: list[tuple[str, str]] = []
    for item in doc["statuses"]:
        if item["kind"] == "Gateway":
            key = _key(item)
            groups.append((key, controllers.get(key, "")))
    known = {g for g, _ in groups}
    for change in doc["changes"]:
        group = (change["gateway"] or "", change["controller"] or "")
        if group[0] and group[0] not in known:
            known.add(group[0])
            groups.append(group)
    for change in doc["changes"]:
        group = ("", change["controller"] or "")
        if not change["gateway"] and group not in groups:
            groups.append(group)
    return groups


def render(doc: Mapping[str, Any], controllers: Mapping[str, str]) -> str:
    """The text of a plan document; ``controllers``: Gateway key → its class's
    controllerName."""
    out: list[str] = []
    statuses = doc["statuses"]
    shown: set[int] = set()
    for gateway, controller in _groups(doc, controllers):
        changes = [
            c
            for c in doc["changes"]
            if (c["gateway"] or "") == gateway and (gateway or c["controller"] == controller)
        ]
        of = f" ({controller})" if controller else ""
        head = f"Gateway {gateway}{of}" if gateway else f"Shared by the Gateways of {controller}"
        out.append(f"{head}:" if changes else f"{head}: no changes")
        for change in changes:
            out += change_lines(change)
        lines: list[str] = []
        for i, item in enumerate(statuses):
            if gateway and item["kind"] == "Gateway" and _key(item) == gateway:
                lines[:0] = [_object_line(item), *_listener_lines(item["status"])]
                shown.add(i)
            elif gateway and "parents" in item["status"]:
                found = _route_lines(item, gateway)
                lines += found
                if found:
                    shown.add(i)
        if lines:
            out.append("  status:")
            out += [f"    {line}" for line in lines]
        out.append("")
    others = [item for i, item in enumerate(statuses) if i not in shown]
    if others:
        out.append("Other objects:")
        out += [f"  {line}" for item in others for line in _object_lines(item)]
        out.append("")
    counts = doc["summary"]
    if not doc["changes"]:
        out.append(NO_CHANGES)
    else:
        out.append(
            f"Plan: {counts['create']} to create, {counts['modify']} to change, "
            f"{counts['delete']} to destroy."
        )
    return "\n".join(out) + "\n"
