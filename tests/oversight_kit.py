"""An embedded suite for delivery and oversight tests: the shipped embedded.yaml plus a supervisor and
clerk, a fast delivery tick, and a clock the test can move to scan as of a later day (tests/api/test_oversight_kit.py
checks the configuration it writes and the clock).

The clock is libfaketime's (Debian `faketime`, installed by deploy/install-tools.sh): the suite's process reads
its wall-clock offset from a file the test writes, so the code under test has no hook for it. Monotonic time is
left alone, so timers, timeouts and probes see no jump.
"""
from __future__ import annotations

import contextlib
import glob
import time
from datetime import date
from pathlib import Path
from typing import Iterator

import pytest
import requests
import yaml

from shared.config import REPO_ROOT, substitute
from shared.workdays import today_in_shanghai
from yici_testkit import AUTH, BIN, CLERK, SUPERVISOR_TOKEN, Process, base_env, free_port, submit, wait_for

SUPERVISOR = {"Authorization": f"Bearer {SUPERVISOR_TOKEN}"}


def write_config(tmp: Path, env: dict[str, str], **sections) -> Path:
    text = substitute((REPO_ROOT / "deploy" / "config" / "embedded.yaml").read_text(encoding="utf-8"), env)
    config = yaml.safe_load(text)
    config["clients"] = [c for c in config["clients"] if c["role"] != "supervisor"] + [
        {"name": "监察员王五", "token": SUPERVISOR_TOKEN, "role": "supervisor"}]
    config["oversight"] = {"scan_interval_seconds": 3600}
    config["delivery"] = {"work_interval_seconds": 0.5}
    for name, values in sections.items():
        config.setdefault(name, {}).update(values)
    path = tmp / "yici.yaml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    return path


def libfaketime() -> str:
    found = sorted(glob.glob("/usr/lib/*/faketime/libfaketime.so.1"))
    if not found:
        pytest.fail("libfaketime is missing: run deploy/install-tools.sh (Debian package faketime)")
    return found[0]


def movable_clock(env: dict[str, str], clock_file: Path) -> dict[str, str]:
    """The environment of a process whose wall clock runs `clock_file`'s offset ahead ("+0d" to begin with)."""
    clock_file.write_text("+0d\n", encoding="utf-8")
    return {**env, "LD_PRELOAD": libfaketime(), "FAKETIME_TIMESTAMP_FILE": str(clock_file),
            "FAKETIME_CACHE_DURATION": "1", "FAKETIME_DONT_FAKE_MONOTONIC": "1"}


def scan_on(process: Process, day: date) -> list[dict]:
    """Move the suite's clock to `day` (Asia/Shanghai), run the supervision scan and return what it raised."""
    process.clock_file.write_text(f"{(day - today_in_shanghai()).days:+d}d\n", encoding="utf-8")
    deadline = time.monotonic() + 15
    while True:
        time.sleep(1.1)  # libfaketime reads the file at most once a second
        answer = requests.post(process.url("/api/v1/supervision/scan"), headers=SUPERVISOR, timeout=30)
        assert answer.status_code == 200, answer.text
        if answer.json()["today"] == day.isoformat():
            return answer.json()["raised"]
        assert time.monotonic() < deadline, f"the suite's clock did not move: {answer.json()['today']}"


def back_to_today(process: Process) -> None:
    process.clock_file.write_text("+0d\n", encoding="utf-8")
    time.sleep(1.1)


@contextlib.contextmanager
def embedded_suite(tmp: Path, clock: bool = False, **sections) -> Iterator[Process]:
    """The suite on a free port; with `clock`, on a clock `scan_on` moves."""
    port = free_port()
    env = base_env(tmp, YICI_PORT=str(port))
    config = write_config(tmp, env, **sections)
    env = movable_clock(env, tmp / "faketime") if clock else env
    process = Process([str(BIN / "yici"), "run", "--config", str(config)], env, tmp / "yici.log", port).start()
    try:
        process.wait_ready()
        process.data_dir = tmp / "var"
        process.clock_file = tmp / "faketime"
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


__all__ = ["AUTH", "CLERK", "SUPERVISOR", "back_to_today", "case_status", "completed_case", "delivery",
           "embedded_suite", "scan_on"]
