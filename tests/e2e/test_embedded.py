"""The README's `make run` starts the embedded default, and it carries cases to one delivery each."""
from __future__ import annotations

from collections import Counter

import pytest
import requests

from yici_testkit import AUTH, ROOT, Process, base_env, case_body, free_port, submit, wait_for

pytestmark = pytest.mark.e2e
CASES_PER_MATTER = 50


@pytest.fixture
def make_run(tmp_path):
    port = free_port()
    env = base_env(tmp_path, YICI_PORT=str(port))
    process = Process(["make", "-s", "-C", str(ROOT), "run"], env, tmp_path / "make-run.log", port).start()
    process.wait_ready(timeout=300)
    yield process
    assert process.stop() < 15, "the embedded default must stop promptly on SIGTERM"


def _timeline(process, case_id):
    return requests.get(process.url(f"/api/v1/cases/{case_id}/timeline"), headers=AUTH, timeout=10).json()


@pytest.mark.timeout(400)
def test_make_run_carries_fifty_cases_of_each_matter_to_exactly_one_delivery(make_run):
    case_ids = [submit(make_run.url(""), case_body(m)).json()["case_id"]
                for m in ("bankruptcy-check", "open-restaurant") for _ in range(CASES_PER_MATTER)]
    wait_for(lambda: all(_timeline(make_run, c).get("status") == "delivered" or
                         "delivery_dispatched" in {e["event_type"] for e in _timeline(make_run, c)["events"]}
                         for c in case_ids), timeout=120, what="all delivered")
    for case_id in case_ids:
        kinds = Counter(e["event_type"] for e in _timeline(make_run, case_id)["events"])
        assert kinds["case_completed"] == 1 and kinds["delivery_dispatched"] == 1, (case_id, kinds)
        delivery = requests.get(make_run.url(f"/api/v1/deliveries/{case_id}"), headers=AUTH, timeout=10)
        assert delivery.status_code == 200 and delivery.json()["method"] == "pickup"
        assert delivery.json()["pickup_code"]
