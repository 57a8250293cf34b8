"""SIGKILL the routing process in the middle of 200 cases: after a restart all complete, none twice."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from yici_checks import assert_exactly_once, delivery_counts, timelines
from yici_testkit import AUTH, Cluster, case_body, submit, wait_for

pytestmark = [pytest.mark.rabbit, pytest.mark.postgres]
CASES = 200


@pytest.fixture
def cluster(tmp_path, vhost, pg_url):
    cluster = Cluster(tmp_path, vhost, pg_url).start()
    yield cluster
    cluster.stop()


def _statuses(cluster, case_ids):
    return [requests.get(cluster.url("intake", f"/api/v1/cases/{c}"), headers=AUTH, timeout=10).json()["status"]
            for c in case_ids]


@pytest.mark.timeout(300)
def test_routing_killed_mid_flow_loses_and_doubles_nothing(cluster, pg_url):
    matters = ["bankruptcy-check", "open-restaurant"]
    with ThreadPoolExecutor(8) as pool:
        first = list(pool.map(lambda n: submit(cluster.url("intake", ""), case_body(matters[n % 2])),
                              range(CASES // 2)))
        cluster.processes["routing"].kill()
        second = list(pool.map(lambda n: submit(cluster.url("intake", ""), case_body(matters[n % 2])),
                               range(CASES // 2)))
    assert all(r.status_code == 201 for r in first + second)
    case_ids = [r.json()["case_id"] for r in first + second]
    assert "completed" not in _statuses(cluster, case_ids[-5:]), "routing was dead: nothing can complete yet"
    cluster.processes["routing"].start().wait_ready()
    wait_for(lambda: all(s in ("completed", "delivered") for s in _statuses(cluster, case_ids)),
             timeout=120, what="all 200 cases completed after the restart")
    timeline = wait_for(lambda: _with_deliveries(pg_url, case_ids), timeout=60, what="deliveries")
    assert_exactly_once(timeline, case_ids)
    assert set(delivery_counts(pg_url, case_ids).values()) == {1}
    assert len(delivery_counts(pg_url, case_ids)) == CASES


def _with_deliveries(pg_url, case_ids):
    timeline = timelines(pg_url, case_ids)
    done = all(any(kind == "delivery_dispatched" for kind, _, _ in timeline.get(c, [])) for c in case_ids)
    return timeline if done else None
