"""Protobuf request bodies (as kubectl's typed clients send them) decode into JSON objects."""

from __future__ import annotations

import pytest

from awsgw.testing.fakekube import FakeKube
from awsgw.testing.fakekube.protobuf import MEDIA_TYPE, ProtobufError, UnreadableKind, decode

from .conftest import raw

# bodies of `kubectl create namespace pb1`, `create secret generic s1 --from-literal=a=1` and
# `create service clusterip svc1 --tcp=80:8080 --tcp=443:https` (kubectl v1.32)
NAMESPACE = (
    b'k8s\x00\n\x0f\n\x02v1\x12\tNamespace\x12\x1b\n\x13\n\x03pb1\x12\x00\x1a\x00"\x00*\x00'
    b'2\x008\x00B\x00\x12\x00\x1a\x02\n\x00\x1a\x00"\x00'
)
SECRET = (
    b'k8s\x00\n\x0c\n\x02v1\x12\x06Secret\x12+\n\x19\n\x02s1\x12\x00\x1a\x07default"\x00*\x00'
    b'2\x008\x00B\x00\x12\x06\n\x01a\x12\x011\x1a\x06Opaque\x1a\x00"\x00'
)
SERVICE = (
    b'k8s\x00\n\r\n\x02v1\x12\x07Service\x12\x97\x01\n(\n\x04svc1\x12\x00\x1a\x07default"\x00'
    b'*\x002\x008\x00B\x00Z\x0b\n\x03app\x12\x04svc1\x12g\n\x1b\n\x0780-8080\x12\x03TCP\x18P"'
    b'\x07\x08\x00\x10\x90?\x1a\x00(\x00\n"\n\t443-https\x12\x03TCP\x18\xbb\x03"\x0b\x08\x01\x10'
    b'\x00\x1a\x05https(\x00\x12\x0b\n\x03app\x12\x04svc1\x1a\x00"\tClusterIP:\x00B\x00R\x00Z\x00'
    b'`\x00h\x00\x1a\x02\n\x00\x1a\x00"\x00'
)


def test_kubectls_bodies_decode_without_go_zero_values() -> None:
    assert decode(NAMESPACE) == {
        "apiVersion": "v1",
        "kind": "Namespace",
        "metadata": {"name": "pb1"},
    }
    assert decode(SECRET) == {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {"name": "s1", "namespace": "default"},
        "data": {"a": "MQ=="},
        "type": "Opaque",
    }
    service = decode(SERVICE)
    assert service["metadata"]["labels"] == {"app": "svc1"}
    assert service["spec"] == {
        "ports": [
            {"name": "80-8080", "protocol": "TCP", "port": 80, "targetPort": 8080},
            {"name": "443-https", "protocol": "TCP", "port": 443, "targetPort": "https"},
        ],
        "selector": {"app": "svc1"},
        "type": "ClusterIP",
    }


def test_other_bodies_are_refused() -> None:
    with pytest.raises(ProtobufError, match="magic"):
        decode(b'{"kind": "Namespace"}')
    with pytest.raises(ProtobufError, match="truncated"):
        decode(NAMESPACE[:-5])
    with pytest.raises(UnreadableKind):
        decode(NAMESPACE.replace(b"\tNamespace", b"\tNamespacX"))


def test_a_protobuf_create_is_served_in_json(kube: FakeKube) -> None:
    status, created = raw(kube, "POST", "/api/v1/namespaces", NAMESPACE, MEDIA_TYPE)
    assert status == 201 and created["metadata"]["name"] == "pb1"
    assert created["status"] == {"phase": "Active"}
    status, body = raw(kube, "POST", "/api/v1/namespaces", NAMESPACE[:-5], MEDIA_TYPE)
    assert status == 400 and body["message"].startswith("error decoding request body")
    event = NAMESPACE.replace(b"\x0f\n\x02v1\x12\tNamespace", b"\x0b\n\x02v1\x12\x05Event")
    status, body = raw(kube, "POST", "/api/v1/namespaces/default/events", event, MEDIA_TYPE)
    assert status == 415 and "Namespace, ConfigMap, Secret, Service only" in body["message"]
