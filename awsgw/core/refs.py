"""Cross-namespace references: ReferenceGrant checks and label selectors."""

from __future__ import annotations

from awsgw.core.store import Store
from awsgw.objects import LabelSelector


def granted(
    store: Store,
    *,
    from_group: str,
    from_kind: str,
    from_namespace: str,
    to_group: str,
    to_kind: str,
    to_namespace: str,
    to_name: str,
) -> bool:
    """Is a reference from ``from_namespace`` to ``to_namespace/to_name`` allowed?

    Same-namespace references always are; others need a ReferenceGrant in the target
    namespace whose ``from`` and ``to`` both match (``to.name`` unset means any name).
    """
    if from_namespace == to_namespace:
        return True
    for grant in store.reference_grants(to_namespace):
        from_ok = any(
            f.group == from_group and f.kind == from_kind and f.namespace == from_namespace
            for f in grant.spec.from_
        )
        to_ok = any(
            t.group == to_group and t.kind == to_kind and (not t.name or t.name == to_name)
            for t in grant.spec.to
        )
        if from_ok and to_ok:
            return True
    return False


def selects(selector: LabelSelector, labels: dict[str, str]) -> bool:
    """Kubernetes label selector semantics (matchLabels AND matchExpressions)."""
    if any(labels.get(k) != v for k, v in selector.match_labels.items()):
        return False
    for req in selector.match_expressions:
        present = req.key in labels
        value = labels.get(req.key)
        ok = {
            "In": present and value in req.values,
            "NotIn": not present or value not in req.values,
            "Exists": present,
            "DoesNotExist": not present,
        }[req.operator]
        if not ok:
            return False
    return True
