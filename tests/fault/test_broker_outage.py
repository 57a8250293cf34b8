"""The broker SIGKILLed under load (10 s, then 30 s): intake stores and forwards through its outbox, reads and
every answer stay well-formed, and after the node restarts every case is delivered exactly once, no service
restarted. The node is the test's own (never the machine's broker)."""
from __future__ import annotations

import time

import pytest
import requests

from faultkit import LoadDriver, Prober, RabbitNode, collect, fault_window, readyz_urls, start_suite
from faultkit.rabbit import cleanup_node
from yici_testkit import AUTH

pytestmark = [pytest.mark.rabbit, pytest.mark.postgres, pytest.mark.slow]
MATTERS = ("bankruptcy-check", "company-change")  # the four-department matters of the catalog
RATE = 10
BEFORE, AFTER = 3, 5  # seconds of load before the kill and after the node is back


@pytest.fixture(scope="module")
def node():
    node = RabbitNode.create()
    try:
        yield node.start()
    finally:
        cleanup_node(node)


@pytest.fixture
def suite(tmp_path, node, pg_url):
    suite = start_suite(tmp_path, node.uri(node.add_vhost()), pg_url)
    yield suite
    suite.stop()


def dead_letters(node: RabbitNode, vhost: str) -> dict[str, int]:
    return {q["name"]: q["messages"] for q in node.queues(vhost) if q["name"].endswith(".dead-letter")}


def read_during_outage(suite, load: LoadDriver) -> list[int]:
    """GET a few acknowledged cases while the broker is down: the read side needs only the database."""
    ids = list(load.acknowledged.values())[-5:]
    return [requests.get(suite.url("intake", f"/api/v1/cases/{c}"), headers=AUTH, timeout=10).status_code
            for c in ids]


@pytest.mark.timeout(300)
@pytest.mark.parametrize("down", [10, 30])
def test_broker_killed_under_load_loses_and_doubles_nothing(suite, node, pg_url, tmp_path, down):
    vhost = suite.env["YICI_AMQP_URI"].rsplit("/", 1)[1]
    with Prober(readyz_urls(suite)) as prober:
        with LoadDriver(suite.url("intake", ""), MATTERS, RATE, duration=240) as load:
            time.sleep(BEFORE)
            with fault_window() as fault:
                node.kill()
                time.sleep(down / 2)
                reads = read_during_outage(suite, load)
                time.sleep(down / 2)
                fault.repair_begins()
                node.start()
            load.finish(AFTER)
        report = collect(f"broker SIGKILLed for {down} s at {RATE} cases/s", load, prober, suite, pg_url,
                         lambda: dead_letters(node, vhost), fault.window)
    report.print(tmp_path / "fault-report.txt")
    assert reads and set(reads) == {200}, reads
    assert set(report.during_fault) <= {201}, report.during_fault
    said = [p for p in prober.between("intake", fault.start + 1, fault.repairing) if p.status is not None]
    assert said and all("intake.broker" in {**p.failing, **p.degraded} for p in said), said
    report.assert_invariants()
