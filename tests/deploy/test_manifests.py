"""Kubernetes manifests: core kinds against the Kubernetes schemas (kubernetes-validate --strict), custom
resources (KEDA, RabbitMQ operators, CloudNativePG) against small schemas of their required fields."""
from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
import yaml

from deploy_kit import REPO
from shared.config import SERVICES
from yici.deploy import manifests

K8S = REPO / "deploy" / "k8s"
KUBERNETES_VERSION = "1.30.0"
CORE_GROUPS = ("v1", "apps/v1", "policy/v1", "autoscaling/v2", "networking.k8s.io/v1")


def objects() -> list[tuple[Path, dict]]:
    found = []
    for path in sorted(K8S.glob("*.yaml")):
        if path.name != "kustomization.yaml":
            found += [(path, d) for d in yaml.safe_load_all(path.read_text()) if d]
    return found


def of_kind(kind: str) -> list[dict]:
    return [o for _, o in objects() if o["kind"] == kind]


def obj(required: list[str], properties: dict | None = None) -> dict:
    return {"type": "object", "required": required, "properties": properties or {}}


NAME = obj(["name"], {"name": {"type": "string", "pattern": "^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$"}})
CLUSTER_REF = {"rabbitmqClusterReference": obj(["name"])}
STRING = {"type": "string"}
CRD_SPECS = {
    ("keda.sh/v1alpha1", "ScaledObject"): obj(["scaleTargetRef", "triggers", "minReplicaCount", "maxReplicaCount"], {
        "scaleTargetRef": obj(["name"]),
        "triggers": {"type": "array", "minItems": 1, "items": obj(["type", "metadata"])}}),
    ("keda.sh/v1alpha1", "TriggerAuthentication"): obj(["secretTargetRef"], {
        "secretTargetRef": {"type": "array", "items": obj(["parameter", "name", "key"])}}),
    ("rabbitmq.com/v1beta1", "RabbitmqCluster"): obj(["replicas"], {"replicas": {"const": 3}}),
    ("rabbitmq.com/v1beta1", "Exchange"): obj(["name", "vhost", "type", "durable", "rabbitmqClusterReference"],
                                              CLUSTER_REF),
    ("rabbitmq.com/v1beta1", "Queue"): obj(["name", "vhost", "type", "durable", "rabbitmqClusterReference"], dict(
        CLUSTER_REF, type={"enum": ["quorum", "stream"]})),  # the stream: staff revocations, read by every pod
    ("rabbitmq.com/v1beta1", "Binding"): obj(["vhost", "source", "destination", "destinationType", "routingKey",
                                              "rabbitmqClusterReference"], CLUSTER_REF),
    ("rabbitmq.com/v1beta1", "Policy"): obj(["name", "vhost", "pattern", "applyTo", "definition",
                                             "rabbitmqClusterReference"], CLUSTER_REF),
    ("rabbitmq.com/v1beta1", "User"): obj(["importCredentialsSecret", "rabbitmqClusterReference"], dict(
        CLUSTER_REF, importCredentialsSecret=obj(["name"]))),
    ("rabbitmq.com/v1beta1", "Permission"): obj(["vhost", "userReference", "permissions", "rabbitmqClusterReference"],
                                                dict(CLUSTER_REF, permissions=obj(["configure", "write", "read"]))),
    ("rabbitmq.com/v1beta1", "TopicPermission"): obj(["vhost", "userReference", "permissions",
                                                      "rabbitmqClusterReference"],
                                                     dict(CLUSTER_REF, permissions=obj(["exchange", "write", "read"]))),
    ("postgresql.cnpg.io/v1", "Cluster"): obj(["instances", "storage", "bootstrap"], {"instances": {"const": 3}}),
    ("postgresql.cnpg.io/v1", "Pooler"): obj(["cluster", "type", "pgbouncer"], {"cluster": obj(["name"])}),
}


def test_core_kinds_pass_kubernetes_validate_strict():
    files = [str(p) for p in sorted(K8S.glob("*.yaml")) if p.name != "kustomization.yaml"]
    tool = shutil.which("kubernetes-validate", path=str(Path(sys.executable).parent)) or "kubernetes-validate"
    done = subprocess.run([tool, "--strict", "--quiet", "-k", KUBERNETES_VERSION, *files],
                          capture_output=True, text=True, timeout=120)
    errors = [line for line in (done.stdout + done.stderr).splitlines() if line.startswith("ERROR")]
    assert done.returncode == 0 and not errors, "\n".join(errors or [done.stdout, done.stderr])
    validated = {o["kind"] for _, o in objects() if o["apiVersion"] in CORE_GROUPS}
    assert {"Deployment", "Service", "PodDisruptionBudget", "HorizontalPodAutoscaler", "Ingress", "Secret",
            "ConfigMap", "Namespace"} <= validated


def test_every_custom_resource_matches_its_schema():
    for path, resource in objects():
        if resource["apiVersion"] in CORE_GROUPS:
            continue
        key = (resource["apiVersion"], resource["kind"])
        assert key in CRD_SPECS, f"{path.name}: no schema for {key}"
        jsonschema.validate(resource, obj(["apiVersion", "kind", "metadata", "spec"], {
            "metadata": NAME, "spec": CRD_SPECS[key]}))


def test_a_typo_fails_the_structural_check():
    scaled = manifests.scaled_object("routing", manifests.SCALING["routing"])
    scaled["spec"]["trigers"] = scaled["spec"].pop("triggers")
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(scaled["spec"], CRD_SPECS[("keda.sh/v1alpha1", "ScaledObject")])


def test_the_kustomization_lists_every_manifest():
    listed = yaml.safe_load((K8S / "kustomization.yaml").read_text())["resources"]
    assert sorted(listed) == sorted(p.name for p in K8S.glob("*.yaml") if p.name != "kustomization.yaml")


@pytest.mark.parametrize("service", SERVICES)
def test_each_service_is_probed_bounded_drained_and_scaled(service):
    [deployment] = [d for d in of_kind("Deployment") if d["metadata"]["name"] == f"yici-{service}"]
    pod = deployment["spec"]["template"]["spec"]
    [container] = pod["containers"]
    assert container["args"] == ["serve", service]
    assert pod["initContainers"][0]["args"] == ["migrate", service]
    assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert set(container["resources"]) == {"requests", "limits"}
    assert pod["terminationGracePeriodSeconds"] >= 30
    assert container["ports"][0]["containerPort"] == manifests.ports()[service]
    assert any(p["metadata"]["name"] == f"yici-{service}" for p in of_kind("PodDisruptionBudget"))
    hpa = [h for h in of_kind("HorizontalPodAutoscaler") if h["metadata"]["name"] == f"yici-{service}"]
    keda = [s for s in of_kind("ScaledObject") if s["metadata"]["name"] == f"yici-{service}"]
    assert len(hpa) + len(keda) == 1
    if keda:
        assert keda[0]["spec"]["triggers"][0]["type"] == "rabbitmq"


def routed(path: str, ingress: dict) -> str | None:
    """The backend nginx picks: the longest matching path (Prefix by path element, regex by re.match)."""
    rules = sorted((p for r in ingress["spec"]["rules"] for p in r["http"]["paths"]), key=lambda p: -len(p["path"]))
    for rule in rules:
        prefix = rule["path"]
        if rule["pathType"] == "Prefix" and (path == prefix or path.startswith(prefix.rstrip("/") + "/")):
            return rule["backend"]["service"]["name"]
        if rule["pathType"] == "ImplementationSpecific" and re.match(prefix + "$", path):
            return rule["backend"]["service"]["name"]
    return None


def declared_routes() -> list[tuple[str, str]]:
    """(service, path) of every @http route in services/<name>/, parameters filled in."""
    routes = []
    for service in SERVICES:
        for module in (REPO / "services" / service).glob("*.py"):
            constants = dict(re.findall(r'^([A-Z_]+) = "(/[^"]*)"', module.read_text(), re.M))
            for expression in re.findall(r'@http\(\s*"[A-Z,]+",\s*([^,)]+)', module.read_text()):
                path = "".join(constants.get(part.strip(), part.strip().strip('"'))
                               for part in expression.split("+"))
                routes.append((service, re.sub(r"<[^>]+>", "x", path)))
    return routes


def test_ingress_routes_the_brief_s_public_paths():
    [ingress] = of_kind("Ingress")
    for path in ("/api/v1/cases", "/api/v1/matters", "/api/v1/files", "/guides/x", "/track/x"):
        assert routed(path, ingress) == "yici-intake", path
    assert routed("/api/v1/departments/tax/tasks", ingress) == "yici-approval"


def test_every_route_a_service_serves_reaches_that_service_through_the_ingress():
    [ingress] = of_kind("Ingress")
    routes = declared_routes()
    assert len(routes) > 20
    wrong = [(path, service, routed(path, ingress)) for service, path in routes
             if routed(path, ingress) != f"yici-{service}"]
    assert not wrong, f"add the prefix to manifests.PATHS and run `yici deploy generate`: {wrong}"
