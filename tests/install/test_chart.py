"""charts/awsgw: lints and renders clean (Helm SDK, no helm binary), every manifest is valid
against the Kubernetes schemas, values.schema.json (also the EKS add-on configuration schema)
rejects unknown values, and the templates follow the EKS add-on rules."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import helm_python as helm
import jsonschema
import kubernetes_validate
import pytest
import yaml

from awsgw.sandbox import gateway_classes
from awsgw.settings import Settings
from tests.install.chart import CHART, NAMESPACE, ROOT, of_kind, render, render_files

CI_VALUES = sorted((CHART / "ci").glob("*.yaml"))
MINIMAL = {"clusterName": "prod"}
KUBERNETES = ("1.30", "1.37")
"""Oldest and newest Kubernetes versions the manifests are validated against."""
GATEWAY_API_CRDS = ROOT.parent / "shared" / "gateway-api" / "v1.6.1" / "config" / "crd" / "standard"


def values_of(path: Path) -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(path.read_text())
    return loaded


def deployment(values: dict[str, Any]) -> dict[str, Any]:
    return of_kind(render(values), "Deployment")[0]


def container(values: dict[str, Any]) -> dict[str, Any]:
    found: dict[str, Any] = deployment(values)["spec"]["template"]["spec"]["containers"][0]
    return found


def env(values: dict[str, Any]) -> dict[str, Any]:
    return {e["name"]: e.get("value", e.get("valueFrom")) for e in container(values)["env"]}


@pytest.mark.parametrize("path", CI_VALUES, ids=lambda p: p.name)
def test_chart_lints_clean(path: Path) -> None:
    report = helm.lint(CHART, values_of(path), strict=True, namespace=NAMESPACE)
    problems = [m for m in report["messages"] if m["severity"] >= 2]
    assert report["errors"] == [] and problems == [], report


@pytest.mark.parametrize("version", KUBERNETES)
@pytest.mark.parametrize("path", CI_VALUES, ids=lambda p: p.name)
def test_rendered_manifests_are_valid_kubernetes_objects(path: Path, version: str) -> None:
    docs = render(values_of(path))
    kinds = sorted(d["kind"] for d in docs)
    assert {"Deployment", "ServiceAccount", "ClusterRole", "ClusterRoleBinding", "Role"} <= set(
        kinds
    ), kinds
    for doc in docs:
        if doc["apiVersion"].startswith(("gateway.networking.k8s.io/", "monitoring.coreos.com/")):
            continue  # custom resources: checked below against their own schemas
        kubernetes_validate.validate(doc, version, strict=True)


def _crd_schema(plural: str, version: str) -> dict[str, Any]:
    path = GATEWAY_API_CRDS / f"gateway.networking.k8s.io_{plural}.yaml"
    if not path.exists():
        pytest.skip(f"Gateway API CRDs not found at {GATEWAY_API_CRDS}")
    crd = yaml.safe_load(path.read_text())
    served = next(v for v in crd["spec"]["versions"] if v["name"] == version)
    schema: dict[str, Any] = served["schema"]["openAPIV3Schema"]
    return schema


@pytest.mark.parametrize("path", CI_VALUES, ids=lambda p: p.name)
def test_custom_resources_match_their_schemas(path: Path) -> None:
    """GatewayClasses against the Gateway API v1.6.1 CRD schema. No ServiceMonitor CRD is at
    hand offline: its shape is checked by hand (port name and selector of the Service)."""
    docs = render(values_of(path))
    schema = _crd_schema("gatewayclasses", "v1")
    for gc in of_kind(docs, "GatewayClass"):
        jsonschema.validate(gc, schema)
        assert len(gc["spec"]["description"]) <= 64
    for sm in of_kind(docs, "ServiceMonitor"):
        service = next(
            d for d in of_kind(docs, "Service") if d["metadata"]["name"].endswith("-metrics")
        )
        assert set(sm["spec"]) == {"namespaceSelector", "selector", "endpoints"}
        assert sm["spec"]["endpoints"][0]["port"] == service["spec"]["ports"][0]["name"]
        labels = service["metadata"]["labels"]
        assert sm["spec"]["selector"]["matchLabels"].items() <= labels.items()


def test_values_schema_closes_every_object() -> None:
    schema = yaml.safe_load((CHART / "values.schema.json").read_text())
    open_objects = []

    def walk(node: Any, where: str) -> None:
        if isinstance(node, dict):
            is_object = node.get("type") == "object" or "properties" in node
            if is_object and node.get("additionalProperties") is not False:
                open_objects.append(where)
            for key, value in node.items():
                walk(value, f"{where}/{key}")
        elif isinstance(node, list):
            for i, value in enumerate(node):
                walk(value, f"{where}/{i}")

    walk(schema, "#")
    assert open_objects == []


@pytest.mark.parametrize(
    "values",
    [
        {"clusterName": "prod", "clustername": "typo"},
        {"clusterName": "prod", "image": {"repository": "x", "digest": "sha256:0"}},
        {"clusterName": "prod", "leaderElection": {"leaseTime": 30}},
        {"clusterName": "prod", "metrics": {"serviceMonitor": {"enabled": True, "jobLabel": "x"}}},
        {"clusterName": "prod", "gatewayClasses": {"gke": {"create": True}}},
        {"clusterName": "prod", "affinity": {"nodeAffinity": {"required": []}}},
        {"clusterName": "prod", "tolerations": [{"key": "a", "operater": "Exists"}]},
        {"clusterName": "prod", "resources": {"requests": {"cpu": "1"}, "limit": {}}},
        {"clusterName": "prod", "replicaCount": "two"},
        {"clusterName": "prod", "logLevel": "TRACE"},
        {"clusterName": "prod bad"},
        {"clusterName": ""},
    ],
)
def test_schema_rejects_unknown_and_invalid_values(values: dict[str, Any]) -> None:
    with helm.Chart.load(CHART) as chart, pytest.raises(helm.HelmValuesError):
        chart.validate_schema(values)


def test_a_missing_cluster_name_fails_rendering_with_a_clear_message(tmp_path: Path) -> None:
    with helm.Chart.load(CHART) as chart, pytest.raises(helm.HelmValuesError) as schema_error:
        chart.render({}, name="awsgw", namespace=NAMESPACE)
    assert "missing property 'clusterName'" in str(schema_error.value)
    # without the schema (helm --skip-schema-validation), the templates refuse all the same
    copy = tmp_path / "awsgw"
    shutil.copytree(CHART, copy)
    (copy / "values.schema.json").unlink()
    with helm.Chart.load(copy) as chart, pytest.raises(helm.HelmRenderError) as render_error:
        chart.render({}, name="awsgw", namespace=NAMESPACE)
    assert "clusterName is required: set it to the EKS cluster name" in str(render_error.value)


def test_templates_follow_the_eks_add_on_rules() -> None:
    """No hooks, no lookup, no .Capabilities, of .Release only Name and Namespace, no CRDs."""
    comment = re.compile(r"\{\{-?\s*/\*.*?\*/\s*-?\}\}", re.S)
    texts = {p.name: comment.sub("", p.read_text()) for p in (CHART / "templates").iterdir()}
    for name, text in texts.items():
        assert "helm.sh/hook" not in text, name
        assert not re.search(r"\blookup\b", text), name
        assert ".Capabilities" not in text, name
        assert set(re.findall(r"\.Release\.(\w+)", text)) <= {"Name", "Namespace"}, name
    crds = [yaml.safe_load(p.read_text()) for p in sorted((CHART / "crds").iterdir())]
    groups = {crd["spec"]["group"] for crd in crds}
    assert groups == {"awsgw.io"}, "the Gateway API CRDs are the user's to install"
    for path in CI_VALUES:
        for doc in render(values_of(path)):
            annotations = doc["metadata"].get("annotations") or {}
            assert not any(k.startswith("helm.sh/hook") for k in annotations)


def test_deployment_is_highly_available_and_locked_down() -> None:
    dep = deployment(MINIMAL)
    pod = dep["spec"]["template"]["spec"]
    c = container(MINIMAL)
    assert dep["spec"]["replicas"] == 2
    assert env(MINIMAL)["AWSGW_LEADER_ELECT"] == "true"
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert pod["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
    sc = c["securityContext"]
    assert sc["readOnlyRootFilesystem"] is True and sc["allowPrivilegeEscalation"] is False
    assert sc["capabilities"] == {"drop": ["ALL"]}
    assert sc["seccompProfile"] == {"type": "RuntimeDefault"}
    assert c["livenessProbe"]["httpGet"] == {"path": "/healthz", "port": "metrics"}
    assert c["readinessProbe"]["httpGet"] == {"path": "/readyz", "port": "metrics"}
    assert c["resources"]["requests"] and c["resources"]["limits"]["memory"]
    assert {t["topologyKey"] for t in pod["topologySpreadConstraints"]} == {
        "topology.kubernetes.io/zone",
        "kubernetes.io/hostname",
    }
    assert c["image"] == "awsgw:0.1.0"
    assert "args" not in c and "command" not in c, "the image's ENTRYPOINT is `awsgw run`"
    pdb = of_kind(render(MINIMAL), "PodDisruptionBudget")[0]
    assert pdb["spec"]["maxUnavailable"] == 1


@pytest.mark.parametrize("path", CI_VALUES, ids=lambda p: p.name)
def test_every_awsgw_variable_is_a_setting_awsgw_accepts(path: Path) -> None:
    values = values_of(path)
    variables = env(values)
    names = {f"AWSGW_{field.upper()}" for field in Settings.model_fields}
    assert {v for v in variables if v.startswith("AWSGW_")} <= names
    assert variables["AWSGW_IDENTITY"] == {"fieldRef": {"fieldPath": "metadata.name"}}
    assert variables["AWSGW_CLUSTER_NAME"] == values["clusterName"]
    literal = {
        k[len("AWSGW_") :].lower(): v for k, v in variables.items() if k.startswith("AWSGW_")
    }
    literal.pop("identity")
    settings = Settings(**literal)  # the values parse, and the lease timing holds
    port = container(values)["ports"][0]["containerPort"]
    assert settings.metrics_address == f":{port}"
    assert settings.lease_namespace == NAMESPACE


def test_service_account_works_with_irsa_and_with_pod_identity() -> None:
    irsa = {**MINIMAL, "serviceAccount": {"roleArn": "arn:aws:iam::123456789012:role/awsgw"}}
    sa = of_kind(render(irsa), "ServiceAccount")[0]
    assert sa["metadata"]["annotations"] == {
        "eks.amazonaws.com/role-arn": "arn:aws:iam::123456789012:role/awsgw"
    }
    assert "annotations" not in of_kind(render(MINIMAL), "ServiceAccount")[0]["metadata"]


def test_gateway_classes_alb_by_default_the_others_when_enabled() -> None:
    default = {
        gc["metadata"]["name"]: gc["spec"]["controllerName"]
        for gc in of_kind(render(MINIMAL), "GatewayClass")
    }
    assert default == {"awsgw-alb": "awsgw.io/alb", "awsgw-nlb": "awsgw.io/nlb"}
    every = {**MINIMAL, "gatewayClasses": {"nlb": {"create": True}, "lattice": {"create": True}}}
    controllers = sorted(
        gc["spec"]["controllerName"] for gc in of_kind(render(every), "GatewayClass")
    )
    assert controllers == ["awsgw.io/alb", "awsgw.io/lattice", "awsgw.io/nlb"]
    described = {
        gc["spec"]["controllerName"]: gc["spec"]["description"]
        for gc in of_kind(render(every), "GatewayClass")
    }
    assert "Network Load Balancers" in described["awsgw.io/nlb"]
    none = {**MINIMAL, "gatewayClasses": {"alb": {"create": False}, "nlb": {"create": False}}}
    assert of_kind(render(none), "GatewayClass") == []


def test_the_sandbox_serves_the_chart_gateway_classes() -> None:
    every = {**MINIMAL, "gatewayClasses": {"nlb": {"create": True}, "lattice": {"create": True}}}
    chart = {
        (gc["metadata"]["name"], json.dumps(gc["spec"], sort_keys=True))
        for gc in of_kind(render(every), "GatewayClass")
    }
    sandbox = {
        (gc["metadata"]["name"], json.dumps(gc["spec"], sort_keys=True)) for gc in gateway_classes()
    }
    assert sandbox == chart


def test_metrics_service_and_optional_service_monitor() -> None:
    docs = render(MINIMAL)
    service = of_kind(docs, "Service")[0]
    assert service["spec"]["ports"][0]["targetPort"] == "metrics"
    assert of_kind(docs, "ServiceMonitor") == []
    monitored = {**MINIMAL, "metrics": {"serviceMonitor": {"enabled": True}}}
    assert len(of_kind(render(monitored), "ServiceMonitor")) == 1


def test_one_replica_without_leader_election_and_no_lease_rbac() -> None:
    with helm.Chart.load(CHART) as chart, pytest.raises(helm.HelmError, match="one replica only"):
        chart.render({**MINIMAL, "leaderElection": {"enabled": False}}, name="awsgw")
    single = {**MINIMAL, "replicaCount": 1, "leaderElection": {"enabled": False}}
    docs = render(single)
    assert of_kind(docs, "Role") == [] and of_kind(docs, "RoleBinding") == []
    assert env(single)["AWSGW_LEADER_ELECT"] == "false"


def test_lease_name_reaches_both_the_controller_and_its_role() -> None:
    values = {**MINIMAL, "leaderElection": {"leaseName": "gw-lease"}}
    role = of_kind(render(values), "Role")[0]
    assert ["gw-lease"] in [r.get("resourceNames") for r in role["rules"]]
    assert env(values)["AWSGW_LEASE_NAME"] == "gw-lease"


def test_notes_tell_how_to_install_the_gateway_api_crds() -> None:
    notes = render_files(MINIMAL)["awsgw/templates/NOTES.txt"]
    assert "standard-install.yaml" in notes
    assert "create-pod-identity-association" in notes


@pytest.mark.parametrize(
    ("values", "gone"),
    [
        ({"rbac": {"create": False}}, {"ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding"}),
        ({"serviceAccount": {"create": False, "name": "existing"}}, {"ServiceAccount"}),
        ({"metrics": {"service": {"enabled": False}}}, {"Service"}),
        ({"podDisruptionBudget": {"enabled": False}}, {"PodDisruptionBudget"}),
    ],
)
def test_optional_parts_switch_off(values: dict[str, Any], gone: set[str]) -> None:
    docs = render({**MINIMAL, **values})
    assert not gone & {d["kind"] for d in docs}
    for doc in docs:
        if not doc["apiVersion"].startswith("gateway.networking.k8s.io/"):
            kubernetes_validate.validate(doc, KUBERNETES[-1], strict=True)


def test_a_service_account_the_chart_does_not_create_must_be_named() -> None:
    with helm.Chart.load(CHART) as chart, pytest.raises(helm.HelmError, match="serviceAccount"):
        chart.render({**MINIMAL, "serviceAccount": {"create": False}}, name="awsgw")
    monitored = {
        **MINIMAL,
        "metrics": {"service": {"enabled": False}, "serviceMonitor": {"enabled": True}},
    }
    with helm.Chart.load(CHART) as chart, pytest.raises(helm.HelmError, match="metrics.service"):
        chart.render(monitored, name="awsgw")
