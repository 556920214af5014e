"""A stateful fake Kubernetes API server for tests (standard library and PyYAML only).

``FakeKube`` serves core, discovery, coordination, events, Gateway API, multicluster and
awsgw.io resources over HTTP on 127.0.0.1 with the API server's semantics: resourceVersion,
generation, status subresources, finalizers, patches, server-side apply and managedFields
(``field_manager``), namespace admission and deletion (``namespaces``), paginated lists,
watches with history, bookmarks and 410 Gone. Tests drive it through any Kubernetes client
(kubectl included: ``protobuf`` reads what ``kubectl create`` sends) and inspect it with
``requests``, ``inject``, ``compact`` and ``close_watches``.

What ``kubectl`` reads is served as kube-apiserver serves it: legacy and aggregated discovery,
OpenAPI v3 and v2, Tables for ``kubectl get`` (and partial object metadata), and server-side
field validation of what it writes (unknown fields dropped, warned about or refused; custom
resources validated against their CRD schema, CEL rules excepted). Objects written from Python
with ``apply``/``apply_status`` skip that validation.
"""

from .errors import ApiError
from .kube import FakeKube
from .records import RequestRecord

__all__ = ["ApiError", "FakeKube", "RequestRecord"]
