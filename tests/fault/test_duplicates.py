"""Every event delivered twice more changes nothing: same statuses, one delivery per case."""
from __future__ import annotations

import pytest
import requests

from shared.topology import service_queues
from yici_checks import delivery_counts, timelines
from yici_testkit import (
    AUTH,
    SERVICES,
    Cluster,
    case_body,
    drain,
    drained,
    handled_total,
    pika_channel,
    submit,
    wait_for,
)

pytestmark = [pytest.mark.rabbit, pytest.mark.postgres]
TAP = "test.tap"


@pytest.fixture
def cluster(tmp_path, vhost, pg_url):
    cluster = Cluster(tmp_path, vhost, pg_url).start()
    connection, channel = pika_channel(vhost)
    channel.queue_declare(TAP, durable=True)
    channel.queue_bind(TAP, "yici.events", "#")
    connection.close()
    yield cluster
    cluster.stop()


def _statuses(cluster, case_ids):
    return {c: requests.get(cluster.url("intake", f"/api/v1/cases/{c}"), headers=AUTH, timeout=10).json()
            for c in case_ids}


def _snapshot(cluster, pg_url, case_ids):
    views = _statuses(cluster, case_ids)
    timeline = timelines(pg_url, case_ids)
    return ({c: (v["status"], [(i["item_code"], i["status"]) for i in v["items"]]) for c, v in views.items()},
            {c: len(events) for c, events in timeline.items()}, delivery_counts(pg_url, case_ids))


def _captured(vhost: str) -> list:
    return [(method.routing_key, properties, body) for method, properties, body in drain(vhost, TAP)]


def _republish(vhost: str, messages: list, times: int) -> None:
    connection, channel = pika_channel(vhost)
    channel.confirm_delivery()
    for _ in range(times):
        for routing_key, properties, body in messages:
            channel.basic_publish("yici.events", routing_key, body, properties)
    connection.close()


def test_every_event_delivered_twice_more_changes_nothing(cluster, vhost, pg_url):
    case_ids = [submit(cluster.url("intake", ""), case_body(m)).json()["case_id"]
                for m in ("bankruptcy-check", "open-restaurant") for _ in range(10)]
    wait_for(lambda: all(v["status"] == "delivered" or v["delivery"].get("progress")
                         for v in _statuses(cluster, case_ids).values()), timeout=60, what="deliveries")
    queues = [q.name for q in service_queues().values()]
    wait_for(lambda: drained(vhost, queues), timeout=30, what="queues drained")
    before = _snapshot(cluster, pg_url, case_ids)
    metrics = [cluster.url(s, "/metrics") for s in SERVICES]
    handled_once = handled_total(metrics)
    messages = _captured(vhost)
    assert len(messages) >= 20 * 8, len(messages)
    _republish(vhost, messages, times=2)
    wait_for(lambda: handled_total(metrics) >= 3 * handled_once, timeout=90, what="every duplicate handled")
    after = _snapshot(cluster, pg_url, case_ids)
    assert after == before
    assert set(after[2].values()) == {1}
