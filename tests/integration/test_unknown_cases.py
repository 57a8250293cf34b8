"""Issue 15, point 4, on RabbitMQ and PostgreSQL: a well-formed approval_decided about a case that does not
exist becomes no state anywhere. Routing and intake dead-letter it at once with the reason; oversight, where
an ordering race is possible, parks it (and would dead-letter it after its park time) and shows no phantom;
a case_submitted arriving after its case's approval_requested, within the park time, is folded in order."""
from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone

import pytest
import requests
from integration.approval_kit import publish

from shared.events import ApprovalDecided, ApprovalRequested, CaseSubmitted
from yici_testkit import AUTH, Cluster, drain, wait_for

pytestmark = [pytest.mark.rabbit, pytest.mark.postgres]
ITEM, DEPARTMENT = "tax-arrears-inquiry", "tax"


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    from yici_testkit import broker_vhost, postgres_database, require_postgres, require_rabbit
    require_rabbit()
    require_postgres()
    with broker_vhost() as vhost, postgres_database() as pg_url:
        cluster = Cluster(tmp_path_factory.mktemp("unknown-cases"), vhost, pg_url).start(
            "intake", "routing", "oversight")
        cluster.vhost = vhost
        yield cluster
        cluster.stop()


def case_id() -> str:
    return f"YCT{uuid.uuid4().hex[:12].upper()}"


def decided(case: str) -> ApprovalDecided:
    return ApprovalDecided(case_id=case, payload={
        "request_id": f"{case}:{ITEM}", "item_code": ITEM, "department": DEPARTMENT, "decision": "approved",
        "decided_by": "税务局系统"})


def requested(case: str, at: datetime) -> ApprovalRequested:
    return ApprovalRequested(case_id=case, occurred_at=at, payload={
        "request_id": f"{case}:{ITEM}", "matter_code": "bankruptcy-check", "item_code": ITEM,
        "item_name": "欠税情况查询", "department": DEPARTMENT, "promised_days": 2})


def submitted(case: str, at: datetime) -> CaseSubmitted:
    return CaseSubmitted(case_id=case, occurred_at=at, payload={
        "matter_code": "bankruptcy-check", "channel": "online", "region_code": "150626", "catalog_version": "test"})


def letters_about(cluster, queue: str, case: str, found: dict) -> list:
    """Dead letters about `case` taken off `queue` so far (kept in `found` across calls)."""
    for _, properties, body in drain(cluster.vhost, queue):
        found.setdefault(queue, []).append((properties.headers or {}, body))
    return [headers for headers, body in found.get(queue, []) if case.encode() in body]


def unknown_count(cluster, service: str, event_type: str, outcome: str) -> float:
    prefix = (f'yici_events_unknown_case_total{{event_type="{event_type}",outcome="{outcome}",'
              f'service="{service}"}} ')
    text = requests.get(cluster.url(service, "/metrics"), timeout=10).text
    return next((float(line[len(prefix):]) for line in text.splitlines() if line.startswith(prefix)), 0.0)


def timeline(cluster, case: str) -> requests.Response:
    return requests.get(cluster.url("oversight", f"/api/v1/cases/{case}/timeline"), headers=AUTH, timeout=10)


def test_a_decision_about_no_case_is_dead_lettered_with_the_reason_by_routing_and_intake(cluster):
    phantom, found = case_id(), {}
    publish(cluster.vhost, [decided(phantom)])
    reason = f"UnknownCase: unknown case: approval_decided about case {phantom}"
    for service in ("routing", "intake"):
        queue = f"yici.{service}.dead-letter"
        headers = wait_for(lambda: letters_about(cluster, queue, phantom, found), timeout=30,
                           what=f"{service}'s dead letter")
        assert headers[0]["x-yici-reason"] == reason and headers[0]["x-yici-queue"] == f"yici.{service}"
        assert unknown_count(cluster, service, "approval_decided", "dead_lettered") >= 1


def test_oversight_parks_it_and_shows_no_phantom_case(cluster):
    phantom = case_id()
    publish(cluster.vhost, [decided(phantom)])
    wait_for(lambda: unknown_count(cluster, "oversight", "approval_decided", "parked") >= 1, timeout=30,
             what="oversight parked the decision")
    assert timeline(cluster, phantom).status_code == 404
    sla = requests.get(cluster.url("oversight", f"/api/v1/cases/{phantom}/sla"), headers=AUTH, timeout=10)
    assert sla.status_code == 404
    assert requests.get(cluster.url("intake", f"/api/v1/cases/{phantom}"), headers=AUTH, timeout=10).status_code == 404
    assert requests.get(cluster.url("routing", f"/api/v1/routing/cases/{phantom}"), headers=AUTH,
                        timeout=10).status_code == 404


def test_a_case_submitted_that_comes_after_its_approval_requested_is_folded_in_order(cluster):
    case, earlier = case_id(), datetime.now(timezone.utc) - timedelta(seconds=5)
    parked_before = unknown_count(cluster, "oversight", "approval_requested", "parked")
    publish(cluster.vhost, [requested(case, earlier + timedelta(seconds=1))])
    wait_for(lambda: unknown_count(cluster, "oversight", "approval_requested", "parked") > parked_before,
             timeout=30, what="oversight parked the request")
    assert timeline(cluster, case).status_code == 404, "nothing of it shown while its case is not known"
    publish(cluster.vhost, [submitted(case, earlier)])
    view = wait_for(lambda: timeline(cluster, case).ok and len(timeline(cluster, case).json()["events"]) == 2
                    and timeline(cluster, case).json(), timeout=30, what="the case folded")
    assert [e["event_type"] for e in view["events"]] == ["case_submitted", "approval_requested"]
    assert view["status"] == "in_approval" and view["matter_code"] == "bankruptcy-check"
    assert unknown_count(cluster, "oversight", "approval_requested", "dead_lettered") == 0
