"""SIGTERM with work in flight: the service stops within its grace period and loses nothing."""
from __future__ import annotations

import signal

import pytest

from yici_checks import assert_exactly_once, timelines
from yici_testkit import Cluster, case_body, submit, wait_for

pytestmark = [pytest.mark.rabbit, pytest.mark.postgres]
GRACE_SECONDS = 10  # the issue: SIGTERM finishes in-flight work and stops within 10 s


@pytest.fixture
def cluster(tmp_path, vhost, pg_url):
    cluster = Cluster(tmp_path, vhost, pg_url, YICI_APPROVAL_DELAY="1").start()
    yield cluster
    cluster.stop()


def _delivered(pg_url, case_ids):
    timeline = timelines(pg_url, case_ids)
    done = all(any(kind == "delivery_dispatched" for kind, _, _ in timeline.get(c, [])) for c in case_ids)
    return timeline if done else None


@pytest.mark.timeout(240)
def test_sigterm_with_decisions_in_flight_loses_nothing(cluster, pg_url):
    case_ids = [submit(cluster.url("intake", ""), case_body("bankruptcy-check")).json()["case_id"]
                for _ in range(20)]
    wait_for(lambda: _approvals_started(pg_url, case_ids), timeout=30, what="approvals in flight")
    assert _delivered(pg_url, case_ids) is None
    approval = cluster.processes["approval"]
    took = approval.stop(signal.SIGTERM, timeout=GRACE_SECONDS + 10)
    assert took < GRACE_SECONDS, f"approval took {took:.1f}s to stop"
    assert approval.popen.returncode in (0, -signal.SIGTERM), approval.tail()
    approval.start().wait_ready()
    timeline = wait_for(lambda: _delivered(pg_url, case_ids), timeout=120, what="all delivered after restart")
    assert_exactly_once(timeline, case_ids)


def _approvals_started(pg_url, case_ids) -> bool:
    timeline = timelines(pg_url, case_ids)
    return sum(1 for events in timeline.values() for kind, _, _ in events if kind == "approval_requested") >= 20


@pytest.mark.timeout(120)
def test_sigterm_stops_a_service_whose_broker_vhost_has_gone(tmp_path, pg_url, rabbit_available):
    from yici_testkit import broker_vhost
    with broker_vhost() as doomed:
        cluster = Cluster(tmp_path, doomed, pg_url).start("routing")
    routing = cluster.processes["routing"]
    assert routing.popen.poll() is None, "it keeps reconnecting while the broker refuses it"
    took = routing.stop(signal.SIGTERM, timeout=GRACE_SECONDS + 10)
    assert took < GRACE_SECONDS + 5 and routing.popen.returncode is not None
