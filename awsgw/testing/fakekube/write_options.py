"""Query options of writes: who the field manager is, and the options the API server refuses.

``fieldManager`` names the manager of a create, update or patch; without it the manager is the
client's User-Agent up to its first ``/`` (``kubectl``, ``awsgw``), as kube-apiserver takes it.
An apply needs ``fieldManager`` and only an apply may say ``force`` (422 Invalid otherwise).
"""

from __future__ import annotations

from . import errors

MAX_MANAGER = 128
_OPTIONS = {"create": "CreateOptions", "update": "UpdateOptions", "patch": "PatchOptions"}


def manager_from_user_agent(user_agent: str) -> str:
    """The printable characters before the first ``/``, at most 128 bytes."""
    out = ""
    for ch in user_agent.split("/")[0]:
        if not ch.isprintable():
            continue
        if len((out + ch).encode()) > MAX_MANAGER:
            break
        out += ch
    return out


def field_manager(query: dict[str, str], user_agent: str) -> str:
    return query.get("fieldManager") or manager_from_user_agent(user_agent)


def check_write_options(verb: str, query: dict[str, str], apply: bool) -> None:
    """422 for a missing apply manager, ``force`` on other writes, a bad manager name."""
    causes: list[tuple[str, str, str]] = []
    manager = query.get("fieldManager", "")
    if apply and not manager:
        causes.append(
            ("fieldManager", "FieldValueRequired", "Required value: is required for apply patch")
        )
    if not apply and verb == "patch" and "force" in query:
        causes.append(
            ("force", "FieldValueForbidden", "Forbidden: may not be specified for non-apply patch")
        )
    if len(manager.encode()) > MAX_MANAGER:
        causes.append(
            (
                "fieldManager",
                "FieldValueTooLong",
                f"Too long: may not be more than {MAX_MANAGER} bytes",
            )
        )
    for i, ch in enumerate(manager):
        if not ch.isprintable():
            causes.append(
                (
                    "fieldManager",
                    "FieldValueInvalid",
                    f"Invalid value: {manager!r}: invalid character U+{ord(ch):04X} "
                    f"(at position {i})",
                )
            )
    if causes:
        raise errors.invalid("meta.k8s.io", _OPTIONS.get(verb, "PatchOptions"), "", causes)
