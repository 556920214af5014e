"""Multi-Cluster Services (KEP-1645): the Service ports this cluster exports (pure)."""

from __future__ import annotations

from awsgw.core.backends import BackendKey, ready_targets
from awsgw.core.model import ExportModel
from awsgw.core.store import Store


def build_exports(store: Store) -> tuple[ExportModel, ...]:
    """One ``ExportModel`` per port of every exported Service that exists here.

    A ServiceExport names the Service of its own namespace and name; ExternalName Services
    and exports of missing Services export nothing.
    """
    out = []
    for export in store.service_exports():
        if export.metadata.deletion_timestamp is not None:
            continue
        service = store.service(export.namespace, export.name)
        if service is None or service.spec.type == "ExternalName":
            continue
        for sp in sorted(service.spec.ports, key=lambda p: p.port):
            key = BackendKey(export.namespace, export.name, sp.port)
            out.append(ExportModel(key.namespace, key.name, key.port, ready_targets(store, key)))
    return tuple(out)
