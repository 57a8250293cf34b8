"""A database outage in the middle of the flow: handlers retry with backoff, nothing is lost or doubled."""
from __future__ import annotations

import subprocess
import time

import pytest
import requests

from yici_checks import assert_exactly_once, timelines
from yici_testkit import Cluster, case_body, submit, wait_for

pytestmark = [pytest.mark.rabbit, pytest.mark.postgres]


def _psql(sql: str) -> None:
    subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc", sql], check=True, capture_output=True)


@pytest.fixture
def cluster(tmp_path, vhost, pg_url):
    cluster = Cluster(tmp_path, vhost, pg_url, YICI_APPROVAL_DELAY="1.5").start()
    yield cluster
    cluster.stop()


@pytest.mark.timeout(240)
def test_flow_survives_a_database_outage(cluster, pg_url):
    database = pg_url.rsplit("/", 1)[1]
    case_ids = [submit(cluster.url("intake", ""), case_body(m)).json()["case_id"]
                for m in ("bankruptcy-check", "open-restaurant") for _ in range(15)]
    assert _delivered(pg_url, case_ids) is None, "the outage must hit cases still in flight"
    _psql(f"ALTER DATABASE {database} ALLOW_CONNECTIONS false")
    _psql(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{database}'")
    try:
        time.sleep(1)
        ready = requests.get(cluster.url("routing", "/readyz"), timeout=10)
        assert ready.status_code == 503 and "routing.database" in ready.json()["failing"]
        time.sleep(4)
    finally:
        _psql(f"ALTER DATABASE {database} ALLOW_CONNECTIONS true")
    wait_for(lambda: requests.get(cluster.url("routing", "/readyz"), timeout=10).status_code == 200,
             timeout=30, what="ready again")
    timeline = wait_for(lambda: _delivered(pg_url, case_ids), timeout=120, what="all delivered after the outage")
    assert_exactly_once(timeline, case_ids)
    for process in cluster.processes.values():
        assert process.popen.poll() is None, f"{process.args} died during the outage:\n{process.tail()}"


def _delivered(pg_url, case_ids):
    timeline = timelines(pg_url, case_ids)
    done = all(any(kind == "delivery_dispatched" for kind, _, _ in timeline.get(c, [])) for c in case_ids)
    return timeline if done else None
