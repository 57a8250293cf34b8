"""The five services as separate processes on RabbitMQ + PostgreSQL carry every case to one delivery."""
from __future__ import annotations

import pytest
import requests

from shared.catalog import default_catalog
from shared.catalog.limits import plan_edges
from yici_checks import assert_exactly_once, assert_prerequisites_respected, delivery_counts, timelines
from yici_testkit import AUTH, Cluster, case_body, submit, wait_for

pytestmark = [pytest.mark.e2e, pytest.mark.rabbit, pytest.mark.postgres]
CASES_PER_MATTER = 50


@pytest.fixture
def cluster(tmp_path, vhost, pg_url):
    cluster = Cluster(tmp_path, vhost, pg_url).start()
    yield cluster
    cluster.stop()


def _completed(cluster: Cluster, case_ids: list[str]) -> bool:
    statuses = [requests.get(cluster.url("intake", f"/api/v1/cases/{c}"), headers=AUTH, timeout=10)
                .json()["status"] for c in case_ids]
    return all(s in ("completed", "delivered") for s in statuses)


@pytest.mark.timeout(300)
def test_fifty_cases_of_each_starter_matter_complete_once_with_one_delivery(cluster, pg_url):
    case_ids = {}
    for matter in ("bankruptcy-check", "open-restaurant"):
        responses = [submit(cluster.url("intake", ""), case_body(matter)) for _ in range(CASES_PER_MATTER)]
        assert all(r.status_code == 201 for r in responses), [r.text for r in responses if r.status_code != 201]
        case_ids[matter] = [r.json()["case_id"] for r in responses]
    everything = case_ids["bankruptcy-check"] + case_ids["open-restaurant"]
    wait_for(lambda: _completed(cluster, everything), timeout=120, what="all cases completed")
    timeline = wait_for(lambda: _all_delivered(pg_url, everything), timeout=60, what="deliveries recorded")
    assert_exactly_once(timeline, everything)
    assert set(delivery_counts(pg_url, everything).values()) == {1}
    restaurant = {c: timeline[c] for c in case_ids["open-restaurant"]}
    edges = plan_edges(default_catalog(), "open-restaurant")
    assert any(edges.values()), "the starter matter must have a prerequisite chain"
    assert_prerequisites_respected(restaurant, edges)


def _all_delivered(pg_url: str, case_ids: list[str]):
    timeline = timelines(pg_url, case_ids)
    done = all(any(kind == "delivery_dispatched" for kind, _, _ in timeline.get(c, [])) for c in case_ids)
    return timeline if done else None


def test_case_view_shows_every_item_with_its_department(cluster):
    response = submit(cluster.url("intake", ""), case_body("bankruptcy-check"))
    case_id = response.json()["case_id"]
    view = wait_for(lambda: _view_if_done(cluster, case_id), timeout=30, what="completion")
    departments = {i["department"] for i in view["items"]}
    assert len(view["items"]) == 4 and len(departments) == 4
    assert all(i["status"] == "approved" for i in view["items"])


def _view_if_done(cluster, case_id):
    view = requests.get(cluster.url("intake", f"/api/v1/cases/{case_id}"), headers=AUTH, timeout=10).json()
    return view if view["status"] in ("completed", "delivered") else None
