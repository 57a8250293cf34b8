"""An embedded suite for delivery and oversight tests: the shipped embedded.yaml plus a supervisor and
clerk, supervision scans on a named day, and a fast delivery tick. (Imported by the test modules; the
one test here checks that the configuration it writes is valid.)
"""
from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Iterator

import requests
import yaml

from shared.config import REPO_ROOT, load_settings, substitute
from yici_testkit import AUTH, BIN, CLERK, Process, base_env, free_port, submit, wait_for

SUPERVISOR_TOKEN = "test-supervisor-token-0123456789"
SUPERVISOR = {"Authorization": f"Bearer {SUPERVISOR_TOKEN}"}


def write_config(tmp: Path, env: dict[str, str], **sections) -> Path:
    text = substitute((REPO_ROOT / "deploy" / "config" / "embedded.yaml").read_text(encoding="utf-8"), env)
    config = yaml.safe_load(text)
    config["clients"] = [c for c in config["clients"] if c["role"] != "supervisor"] + [
        {"name": "监察员王五", "token": SUPERVISOR_TOKEN, "role": "supervisor"}]
    config["oversight"] = {"allow_scan_date": True, "scan_interval_seconds": 3600}
    config["delivery"] = {"work_interval_seconds": 0.5}
    for name, values in sections.items():
        config.setdefault(name, {}).update(values)
    path = tmp / "yici.yaml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    return path


@contextlib.contextmanager
def embedded_suite(tmp: Path, **sections) -> Iterator[Process]:
    port = free_port()
    env = base_env(tmp, YICI_PORT=str(port))
    config = write_config(tmp, env, **sections)
    process = Process([str(BIN / "yici"), "run", "--config", str(config)], env, tmp / "yici.log", port).start()
    try:
        process.wait_ready()
        process.data_dir = tmp / "var"
        yield process
    finally:
        process.stop()


def case_status(process: Process, case_id: str) -> dict:
    return requests.get(process.url(f"/api/v1/cases/{case_id}"), headers=AUTH, timeout=10).json()


def completed_case(process: Process, body: dict) -> str:
    """Submit and wait until the case is completed (or further); returns its id."""
    response = submit(process.url(""), body)
    assert response.status_code == 201, response.text
    case_id = response.json()["case_id"]
    wait_for(lambda: case_status(process, case_id)["status"] in ("completed", "delivered"), timeout=30,
             what=f"{case_id} completed")
    return case_id


def delivery(process: Process, case_id: str) -> dict | None:
    response = requests.get(process.url(f"/api/v1/deliveries/{case_id}"), headers=AUTH, timeout=10)
    return response.json() if response.status_code == 200 else None


__all__ = ["AUTH", "CLERK", "SUPERVISOR", "case_status", "completed_case", "delivery", "embedded_suite"]


def test_the_written_configuration_is_valid(tmp_path):
    env = base_env(tmp_path, YICI_PORT="18000")
    settings = load_settings(write_config(tmp_path, env, delivery={"link_ttl_days": 7}))
    assert settings.client_for_token(SUPERVISOR_TOKEN).role == "supervisor"
    assert settings.oversight.allow_scan_date and settings.delivery.link_ttl_days == 7
