"""The generated files are current, and the Kubernetes topology says what the cluster definitions say."""
from __future__ import annotations

import json
import subprocess
import sys

import yaml

from deploy_kit import REPO
from yici.deploy import generated, manifests
from yici.deploy.definitions import definitions, departments_from_catalog


def load_all(name: str) -> list[dict]:
    return [d for d in yaml.safe_load_all((REPO / "deploy" / "k8s" / name).read_text()) if d]


def test_generated_files_are_up_to_date_with_topology_catalog_and_config():
    stale = generated.check()
    assert not stale, f"run `yici deploy generate` and commit: {[str(p.relative_to(REPO)) for p in stale]}"


def test_yici_topology_definitions_prints_the_committed_single_node_file():
    done = subprocess.run([sys.executable, "-m", "yici.cli", "topology", "definitions"], cwd=REPO,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == json.loads((REPO / "deploy" / "rabbitmq" / "definitions.json").read_text())


def test_kubernetes_topology_objects_carry_exactly_the_cluster_definitions():
    doc = definitions("cluster", "/", departments_from_catalog())
    objects = load_all("rabbitmq-topology.yaml")
    kinds = lambda kind: [o["spec"] for o in objects if o["kind"] == kind]  # noqa: E731
    assert {(e["name"], e["type"]) for e in kinds("Exchange")} == {(e["name"], e["type"]) for e in doc["exchanges"]}
    queues = {q["name"]: dict(q.get("arguments", {}), **{"x-queue-type": q["type"]}) for q in kinds("Queue")}
    assert queues == {q["name"]: q["arguments"] for q in doc["queues"]}
    bindings = {(b["source"], b["destination"], b["routingKey"]) for b in kinds("Binding")}
    assert bindings == {(b["source"], b["destination"], b["routing_key"]) for b in doc["bindings"]}
    assert [p["pattern"] for p in kinds("Policy")] == [p["pattern"] for p in doc["policies"]]
    names = [(o["kind"], o["metadata"]["name"]) for o in objects]
    assert len(names) == len(set(names)), "two objects of a kind share a name"


def test_committed_secrets_hold_placeholders_only():
    for secret in load_all("secrets.yaml"):
        for key, value in secret["stringData"].items():
            if key != "username":
                assert manifests.PLACEHOLDER in value, f"{secret['metadata']['name']}/{key} looks real"


def test_every_broker_user_has_a_secret_a_user_and_a_permission():
    secrets = {s["metadata"]["name"] for s in load_all("secrets.yaml")}
    users = load_all("rabbitmq-users.yaml")
    credentials = {u["spec"]["importCredentialsSecret"]["name"] for u in users if u["kind"] == "User"}
    permitted = {p["spec"]["userReference"]["name"] for p in users if p["kind"] == "Permission"}
    assert credentials <= secrets
    assert permitted == {u["metadata"]["name"] for u in users if u["kind"] == "User"}
    for permission in (p for p in users if p["kind"] == "Permission"):
        assert ".*" not in json.dumps(permission["spec"]["permissions"])


def test_real_secrets_replace_every_placeholder_from_the_secrets_directory(tmp_path, monkeypatch):
    for variable in manifests.token_variables():
        monkeypatch.delenv(variable, raising=False)
    rendered = [d for d in yaml.safe_load_all(generated.real_secrets(tmp_path, generate=True)) if d]
    assert {s["metadata"]["name"] for s in rendered} == {s["metadata"]["name"] for s in load_all("secrets.yaml")}
    assert manifests.PLACEHOLDER not in json.dumps(rendered)
    intake = next(s for s in rendered if s["metadata"]["name"] == "yici-broker-yici-intake")["stringData"]
    assert intake["password"] == (tmp_path / "yici-intake").read_text().strip()
    assert intake["uri"].startswith("amqp://yici-intake:")
    tokens = next(s for s in rendered if s["metadata"]["name"] == "yici-api-tokens")["stringData"]
    assert {"YICI_API_TOKEN", "YICI_CLERK_TOKEN", "YICI_SUPERVISOR_TOKEN"} <= set(tokens)
