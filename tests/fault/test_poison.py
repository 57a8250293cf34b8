"""A poison message on a department queue is dead-lettered with a reason; the good ones behind it pass."""
from __future__ import annotations

import json

import pika
import pytest
import requests

from yici_testkit import AUTH, Cluster, case_body, pika_channel, submit, wait_for

pytestmark = [pytest.mark.rabbit, pytest.mark.postgres]
QUEUE = "yici.department.tax"


@pytest.fixture
def cluster(tmp_path, vhost, pg_url):
    cluster = Cluster(tmp_path, vhost, pg_url).start("intake", "routing", "approval")
    yield cluster
    cluster.stop()


def _publish(vhost: str, body: bytes, content_type: str = "application/json") -> None:
    connection, channel = pika_channel(vhost)
    channel.confirm_delivery()
    channel.basic_publish("", QUEUE, body, pika.BasicProperties(content_type=content_type, delivery_mode=2))
    connection.close()


def _dead_letters(vhost: str) -> list:
    connection, channel = pika_channel(vhost)
    found = []
    while True:
        method, properties, body = channel.basic_get(f"{QUEUE}.dead-letter", auto_ack=True)
        if method is None:
            break
        found.append((properties.headers or {}, body))
    connection.close()
    return found


def test_malformed_and_invalid_messages_are_dead_lettered_and_good_ones_processed(cluster, vhost):
    _publish(vhost, b"{not json at all")
    _publish(vhost, json.dumps({"event_type": "approval_requested", "case_id": "x"}).encode())
    _publish(vhost, b"\xff\xfe binary", content_type="application/octet-stream")
    case_id = submit(cluster.url("intake", ""), case_body("bankruptcy-check")).json()["case_id"]
    letters: list = []
    wait_for(lambda: letters.extend(_dead_letters(vhost)) or len(letters) >= 3, timeout=30,
             what="three dead letters")
    reasons = [headers["x-yici-reason"] for headers, _ in letters]
    assert any("undecodable or invalid" in r for r in reasons)
    assert all(headers["x-yici-queue"] == QUEUE for headers, _ in letters)
    assert b"{not json at all" in [body for _, body in letters]
    wait_for(lambda: requests.get(cluster.url("intake", f"/api/v1/cases/{case_id}"), headers=AUTH,
                                  timeout=5).json()["status"] == "completed", timeout=30, what="good case")
