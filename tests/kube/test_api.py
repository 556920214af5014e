"""The API layer over real HTTP (FakeKube in-process): kubeconfig resolution, paginated
lists, watches, 410 and errors in a running reflector, the user agent."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from kubernetes.config import incluster_config

from awsgw.kube.api import KubeApi, KubeError, load_configuration
from awsgw.kube.cache import Cache
from awsgw.kube.reflector import Reflector
from awsgw.kube.resources import GATEWAYS, NAMESPACES
from awsgw.testing.fakekube import FakeKube


@pytest.fixture
def kube(tmp_path: Path) -> Iterator[FakeKube]:
    with FakeKube(bookmark_interval=0.2) as k:
        k.write_kubeconfig(tmp_path / "kubeconfig")
        yield k


def wait(check: object, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():  # type: ignore[operator]
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def test_kubeconfig_from_the_environment_when_not_in_a_pod(
    kube: FakeKube, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("KUBERNETES_SERVICE_HOST", raising=False)
    monkeypatch.setenv("KUBECONFIG", str(tmp_path / "kubeconfig"))
    assert load_configuration().host == kube.url


def test_in_cluster_service_account_comes_first(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "token").write_text("sa-token")
    (tmp_path / "ca.crt").write_text("not used here")
    monkeypatch.setattr(incluster_config, "SERVICE_TOKEN_FILENAME", str(tmp_path / "token"))
    monkeypatch.setattr(incluster_config, "SERVICE_CERT_FILENAME", str(tmp_path / "ca.crt"))
    monkeypatch.setenv("KUBERNETES_SERVICE_HOST", "127.0.0.1")
    monkeypatch.setenv("KUBERNETES_SERVICE_PORT", "6443")
    monkeypatch.setenv("KUBECONFIG", str(tmp_path / "missing"))
    cfg = load_configuration()
    assert cfg.host == "https://127.0.0.1:6443"
    assert cfg.api_key["BearerToken"].lower() == "bearer sa-token"


def connect(kube: FakeKube, tmp_path: Path) -> KubeApi:
    return KubeApi.connect(str(tmp_path / "kubeconfig"), "awsgw/test (unit)", (2.0, 5.0))


def test_reflector_lists_in_pages_watches_and_relists_after_410(
    kube: FakeKube, tmp_path: Path
) -> None:
    for i in range(3):
        kube.apply({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": f"team-{i}"}})
    cache, stop = Cache(), threading.Event()
    r = Reflector(connect(kube, tmp_path), NAMESPACES, cache, stop, page_size=2, watch_timeout=5)
    r.backoff = (0.05, 0.1)
    thread = threading.Thread(target=r.run, daemon=True)
    thread.start()
    try:
        wait(r.synced.is_set)
        assert len(cache.keys("Namespace")) == 7
        lists = [x for x in kube.requests if x.verb == "list" and x.resource == "namespaces"]
        assert len(lists) == 4, "7 namespaces in pages of 2"
        assert {x.user_agent for x in kube.requests} == {"awsgw/test (unit)"}

        kube.apply({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "late"}})
        wait(lambda: "late" in cache.keys("Namespace"))
        kube.delete("v1", "Namespace", None, "team-0")  # has a finalizer: marked, then kept
        kube.inject("watch", "namespaces", status=410)
        kube.close_watches()
        wait(lambda: r.lists == 2)
        kube.inject("watch", "namespaces", status=500, times=2)
        kube.close_watches()
        kube.apply({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "later"}})
        wait(lambda: "later" in cache.keys("Namespace"))
        assert r.lists == 2, "errors other than 410 resume the watch, they do not re-list"
        watches = [x.path for x in kube.requests if x.verb == "watch"]
        assert len(watches) >= 4
        for path in watches:
            assert "allowWatchBookmarks=true" in path and "timeoutSeconds=" in path, path
            assert "resourceVersion=" in path and "resourceVersion=&" not in path, path
    finally:
        stop.set()
        r.close()
        thread.join(5)
    assert not thread.is_alive()


def test_errors_carry_the_status_and_reads_of_missing_objects_are_none(
    kube: FakeKube, tmp_path: Path
) -> None:
    api = connect(kube, tmp_path)
    assert api.get(GATEWAYS, "default", "nope") is None
    with pytest.raises(KubeError) as err:
        api.patch(GATEWAYS, "default", "nope", {"metadata": {}})
    assert err.value.status == 404
    kube.inject("list", "gateways", status=503)
    with pytest.raises(KubeError) as err:
        api.list(GATEWAYS, 10)
    assert err.value.status == 503
    api.may_write = lambda: False
    from awsgw.kube.api import NotLeader

    with pytest.raises(NotLeader):
        api.create(GATEWAYS, "default", {"metadata": {"name": "x"}})
    assert not [x for x in kube.requests if x.verb == "create"], "refused before sending"


def test_secrets_are_listed_and_watched_by_tls_type_only(kube: FakeKube, tmp_path: Path) -> None:
    """A cluster's other Secrets (Helm keeps each release as one) never reach the cache."""
    from awsgw.kube.resources import SECRETS

    def secret(name: str, kind: str) -> dict[str, object]:
        return {"apiVersion": "v1", "kind": "Secret", "type": kind,
                "metadata": {"name": name, "namespace": "shop"},
                "data": {"tls.crt": "Y3J0", "tls.key": "a2V5", "release": "eA=="}}  # fmt: skip

    kube.apply({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "shop"}})
    kube.apply(secret("site", "kubernetes.io/tls"))
    kube.apply(secret("sh.helm.release.v1.app.v1", "helm.sh/release.v1"))
    cache, stop = Cache(), threading.Event()
    r = Reflector(connect(kube, tmp_path), SECRETS, cache, stop, page_size=10, watch_timeout=5)
    thread = threading.Thread(target=r.run, daemon=True)
    thread.start()
    try:
        wait(r.synced.is_set)
        assert cache.keys("Secret") == ["shop/site"]
        kube.apply(secret("sh.helm.release.v1.app.v2", "helm.sh/release.v1"))
        kube.apply(secret("api", "kubernetes.io/tls"))
        wait(lambda: "shop/api" in cache.keys("Secret"))
        assert cache.keys("Secret") == ["shop/api", "shop/site"]
        asked = [x.path for x in kube.requests if x.resource == "secrets"]
        assert asked and all("fieldSelector=type%3Dkubernetes.io%2Ftls" in p for p in asked), asked
    finally:
        stop.set()
        r.close()
        thread.join(5)
