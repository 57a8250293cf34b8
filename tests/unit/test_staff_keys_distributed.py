"""Distributed mode: staff sessions signed by oversight verify in every service only when every process has the
public key and oversight the private half; `yici serve` refuses to start otherwise, and the deployment files
and `yici deploy secrets` hand out one pair (the private half to oversight only)."""
from __future__ import annotations

import os
import subprocess

import yaml

from shared.config import Settings, StaffSettings
from shared.staff.tokens import key_problems, new_keypair, public_of
from yici.deploy import generated, manifests
from yici_testkit import BIN, CLERK_TOKEN, ROOT, STAFF_KEYS, SUPERVISOR_TOKEN, TOKEN


def settings(**staff) -> Settings:
    return Settings(mode="distributed", staff=StaffSettings(**staff))


def test_a_matching_pair_has_no_problem():
    private, public = new_keypair()
    assert public_of(private) == public
    assert key_problems(settings(signing_key=private, public_key=public), ["oversight"]) == []
    assert key_problems(settings(public_key=public), ["intake", "approval"]) == []


def test_missing_or_mismatched_keys_are_named():
    private, public = new_keypair()
    other_public = new_keypair()[1]
    assert [p.split(" ")[0] for p in key_problems(settings(), ["intake"])] == ["staff.public_key"]
    assert [p.split(" ")[0] for p in key_problems(settings(public_key=public), ["oversight"])] == \
        ["staff.signing_key"]
    assert key_problems(settings(signing_key=private, public_key=other_public), ["oversight"]) == \
        ["staff.public_key is not the public half of staff.signing_key"]


def test_serve_refuses_to_start_without_the_staff_public_key(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("YICI_")}
    env.update(YICI_API_TOKEN=TOKEN, YICI_CLERK_TOKEN=CLERK_TOKEN, YICI_SUPERVISOR_TOKEN=SUPERVISOR_TOKEN,
               YICI_DATA_DIR=str(tmp_path), YICI_STAFF_SIGNING_KEY=STAFF_KEYS["YICI_STAFF_SIGNING_KEY"])
    refused = subprocess.run([str(BIN / "yici"), "serve", "oversight"], env=env, cwd=ROOT, capture_output=True,
                             text=True, timeout=60)
    assert refused.returncode == 2, refused.stderr
    assert "staff sign-ins would not verify" in refused.stderr and "YICI_STAFF_PUBLIC_KEY" in refused.stderr
    assert "yici secrets staff-keypair" in refused.stderr


def test_the_keypair_command_prints_a_matching_pair_as_environment_lines():
    done = subprocess.run([str(BIN / "yici"), "secrets", "staff-keypair", "--env"], capture_output=True,
                          text=True, timeout=60, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    pair = dict(line.split("=", 1) for line in done.stdout.splitlines())
    assert set(pair) == {"YICI_STAFF_SIGNING_KEY", "YICI_STAFF_PUBLIC_KEY"}
    assert public_of(pair["YICI_STAFF_SIGNING_KEY"]) == pair["YICI_STAFF_PUBLIC_KEY"]


def test_the_test_clusters_pair_matches():
    assert public_of(STAFF_KEYS["YICI_STAFF_SIGNING_KEY"]) == STAFF_KEYS["YICI_STAFF_PUBLIC_KEY"]


def test_only_oversight_pods_get_the_signing_key_and_every_pod_the_public_key():
    for service in ("intake", "routing", "approval", "delivery", "oversight"):
        refs = [e["secretRef"]["name"] for e in manifests.env_from(service) if "secretRef" in e]
        assert "yici-api-tokens" in refs
        assert ("yici-staff-signing-key" in refs) == (service == "oversight"), service
    shared = set(manifests.token_variables())
    assert {"YICI_STAFF_PUBLIC_KEY", "YICI_FILE_LINK_SECRET"} <= shared
    assert "YICI_STAFF_SIGNING_KEY" not in shared


def test_deploy_secrets_generates_one_pair_and_keeps_it(tmp_path, monkeypatch):
    for name in ("YICI_STAFF_SIGNING_KEY", "YICI_STAFF_PUBLIC_KEY"):
        monkeypatch.delenv(name, raising=False)
    first = generated.staff_keys(tmp_path, generate=True)
    assert public_of(first["YICI_STAFF_SIGNING_KEY"]) == first["YICI_STAFF_PUBLIC_KEY"]
    assert generated.staff_keys(tmp_path, generate=False) == first
    assert oct((tmp_path / "yici_staff_signing_key").stat().st_mode & 0o777) == "0o600"


def test_compose_gives_the_signing_key_to_oversight_only():
    compose = yaml.safe_load((ROOT / "deploy" / "compose.yaml").read_text(encoding="utf-8"))
    for name in ("intake", "routing", "approval", "delivery", "oversight"):
        environment = compose["services"][name]["environment"]
        assert "YICI_STAFF_PUBLIC_KEY" in environment and "YICI_FILE_LINK_SECRET" in environment, name
        assert ("YICI_STAFF_SIGNING_KEY" in environment) == (name == "oversight"), name
