"""Real processes on RabbitMQ and PostgreSQL: the delivery process dies between the courier's booking and
recording it (the simulated courier's fault hook ends the process right after booking), comes back, and the
case is still shipped once; then its case_completed arrives again, under its own id and a new one."""
from __future__ import annotations

import json
import uuid

import pika
import pytest
from sqlalchemy import create_engine, text

from shared.config import REPO_ROOT
from yici_testkit import BIN, Cluster, Process, case_body, pika_channel, submit, wait_for

pytestmark = [pytest.mark.rabbit, pytest.mark.postgres]
ADDRESS = "内蒙古鄂尔多斯市乌审旗嘎鲁图镇测试路8号"
OTHERS = ("intake", "routing", "approval", "oversight")


def delivery_config(tmp_path, crash_after_booking: int) -> str:
    """distributed.yaml plus a delivery section: a fast tick and the courier's crash fault."""
    base = (REPO_ROOT / "deploy" / "config" / "distributed.yaml").read_text(encoding="utf-8")
    assert "\ndelivery:" not in base, "distributed.yaml grew a delivery section: merge instead of appending"
    path = tmp_path / "delivery.yaml"
    path.write_text(base + f"\ndelivery:\n  work_interval_seconds: 0.5\n  courier:\n    faults:\n"
                           f"      crash_after_booking: {crash_after_booking}\n", encoding="utf-8")
    return str(path)


@pytest.fixture
def cluster(tmp_path, vhost, pg_url):
    cluster = Cluster(tmp_path, vhost, pg_url).start(*OTHERS)
    config = delivery_config(tmp_path, crash_after_booking=1)
    cluster.start_delivery = lambda: _start_delivery(cluster, config)
    yield cluster
    cluster.stop()


def _start_delivery(cluster: Cluster, config: str) -> Process:
    process = Process([str(BIN / "yici"), "serve", "delivery", "--config", config], cluster.env,
                      cluster.tmp_path / "delivery.log", cluster.ports["delivery"]).start()
    cluster.processes["delivery"] = process
    return process


def rows(pg_url: str, sql: str, **params) -> list:
    engine = create_engine(pg_url)
    try:
        with engine.connect() as conn:
            return list(conn.execute(text(sql), params))
    finally:
        engine.dispose()


def shipments(pg_url, case_id):
    return rows(pg_url, "SELECT tracking_number FROM sim_courier_shipments WHERE case_id = :c", c=case_id)


def delivery_row(pg_url, case_id):
    found = rows(pg_url, "SELECT status, tracking_number, details FROM delivery_deliveries WHERE case_id = :c",
                 c=case_id)
    return found[0] if found else None


def timeline_kinds(pg_url, case_id) -> list[str]:
    return [r[0] for r in rows(pg_url, "SELECT event_type FROM oversight_timeline WHERE case_id = :c", c=case_id)]


def messages(pg_url, case_id) -> list[str]:
    """The texts about the result's delivery (the acceptance was texted before it)."""
    return [r[0] for r in rows(pg_url, "SELECT message_id FROM sim_sms_messages WHERE message_id LIKE :c",
                               c=f"{case_id}:%") if r[0] != f"{case_id}:acceptance_notice"]


@pytest.mark.timeout(240)
def test_a_crash_between_booking_and_recording_ships_once_and_duplicates_change_nothing(cluster, pg_url, vhost):
    process = cluster.start_delivery()
    process.wait_ready()
    body = case_body("open-restaurant", delivery={"method": "mail", "address": ADDRESS})
    case_id = submit(cluster.url("intake", ""), body).json()["case_id"]
    wait_for(lambda: process.popen.poll() is not None, timeout=60, what="delivery to die after booking")
    assert process.popen.returncode == 70, process.tail()
    assert len(shipments(pg_url, case_id)) == 1
    assert delivery_row(pg_url, case_id).status == "booking"
    assert "delivery_dispatched" not in timeline_kinds(pg_url, case_id)

    cluster.start_delivery().wait_ready()
    delivered = wait_for(lambda: (lambda r: r if r and r.status == "delivered" else None)(
        delivery_row(pg_url, case_id)), timeout=90, what="the parcel delivered after the restart")
    [booked] = shipments(pg_url, case_id)
    assert delivered.tracking_number == booked.tracking_number
    assert delivered.details["attempts"] == 2
    wait_for(lambda: timeline_kinds(pg_url, case_id).count("delivery_completed") == 1, timeout=30,
             what="oversight saw the delivery")
    assert timeline_kinds(pg_url, case_id).count("delivery_dispatched") == 1
    wait_for(lambda: len(messages(pg_url, case_id)) == 2, timeout=30, what="two messages")

    _publish_completion_again(vhost, pg_url, case_id)
    wait_for(lambda: timeline_kinds(pg_url, case_id).count("case_completed") == 2, timeout=30,
             what="the duplicates went round")
    wait_for(lambda: _handled(cluster) >= 4, timeout=30, what="delivery handled every copy")
    assert len(shipments(pg_url, case_id)) == 1
    assert len(rows(pg_url, "SELECT 1 FROM delivery_deliveries WHERE case_id = :c", c=case_id)) == 1
    assert timeline_kinds(pg_url, case_id).count("delivery_dispatched") == 1
    assert sorted(messages(pg_url, case_id)) == [f"{case_id}:mail_delivered", f"{case_id}:mail_dispatched"]


def _publish_completion_again(vhost: str, pg_url: str, case_id: str) -> None:
    """The original case_completed twice more under its own id, and twice under a new id."""
    event_id, occurred_at, payload = rows(pg_url, "SELECT event_id, occurred_at, body FROM oversight_timeline "
                                                  "WHERE case_id = :c AND event_type = 'case_completed'", c=case_id)[0]
    original = {"event_type": "case_completed", "event_id": event_id, "case_id": case_id,
                "occurred_at": occurred_at.isoformat(), "schema_version": 1, "payload": payload}
    copy = {**original, "event_id": str(uuid.uuid4())}
    connection, channel = pika_channel(vhost)
    channel.confirm_delivery()
    properties = pika.BasicProperties(content_type="application/json", delivery_mode=2)
    for message in (original, original, copy, copy):
        channel.basic_publish("yici.events", "case_completed", json.dumps(message), properties)
    connection.close()


def _handled(cluster: Cluster) -> float:
    import requests
    total = 0.0
    for line in requests.get(cluster.url("delivery", "/metrics"), timeout=10).text.splitlines():
        if line.startswith('yici_events_handled_total{event_type="case_completed",service="delivery"}'):
            total += float(line.rsplit(" ", 1)[1])
    return total
