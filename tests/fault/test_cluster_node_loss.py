"""One node of a three-node RabbitMQ cluster (the one the services are connected to) SIGKILLed under load for
about 10 s, then restarted: the services fail over through the URI list, quorum queues keep a leader, nothing
is lost or doubled and no service restarts. The cluster is the test's own (never the machine's broker)."""
from __future__ import annotations

import time

import pytest

from faultkit import LoadDriver, Prober, RabbitCluster, collect, fault_window, readyz_urls, start_suite
from faultkit.procs import wait_until

pytestmark = [pytest.mark.rabbit, pytest.mark.postgres, pytest.mark.slow]
MATTERS = ("bankruptcy-check", "company-change")
RATE, BEFORE, DOWN, AFTER = 10, 3, 10, 5


@pytest.fixture(scope="module")
def rabbit():
    cluster = RabbitCluster(3)
    try:
        yield cluster.start()
    finally:
        cluster.cleanup()


@pytest.fixture
def vhost(rabbit):
    return rabbit.nodes[0].add_vhost()


@pytest.fixture
def suite(tmp_path, rabbit, vhost, pg_url):
    suite = start_suite(tmp_path, rabbit.uri(vhost), pg_url, YICI_QUORUM_QUEUES="true")
    yield suite
    suite.stop()


def quorum_queues(rabbit: RabbitCluster, vhost: str) -> list[dict]:
    return [q for q in rabbit.live().queues(vhost, "type", "leader", "members", "online") if q["type"] == "quorum"]


def led_by_live_nodes(queues: list[dict], dead: str | None = None) -> bool:
    return bool(queues) and all(q["leader"] in q["online"] and q["leader"] != dead for q in queues)


def dead_letters(rabbit: RabbitCluster, vhost: str) -> dict[str, int]:
    return {q["name"]: q["messages"] for q in rabbit.live().queues(vhost) if q["name"].endswith(".dead-letter")}


@pytest.mark.timeout(300)
def test_a_cluster_node_killed_under_load_loses_and_doubles_nothing(suite, rabbit, vhost, pg_url, tmp_path):
    victim = rabbit.busiest()
    with Prober(readyz_urls(suite)) as prober:
        with LoadDriver(suite.url("intake", ""), MATTERS, RATE, duration=240) as load:
            time.sleep(BEFORE)
            with fault_window() as fault:
                rabbit.kill(victim)
                time.sleep(DOWN / 2)
                during = quorum_queues(rabbit, vhost)
                time.sleep(DOWN / 2)
                fault.repair_begins()
                rabbit.restart(victim)
            load.finish(AFTER)
        report = collect(f"cluster node {victim + 1} of 3 SIGKILLed for {DOWN} s at {RATE} cases/s", load,
                         prober, suite, pg_url, lambda: dead_letters(rabbit, vhost), fault.window)
    report.print(tmp_path / "fault-report.txt")
    assert led_by_live_nodes(during, rabbit.nodes[victim].name), during
    wait_until(lambda: all(len(q["online"]) == 3 for q in quorum_queues(rabbit, vhost)), timeout=30,
               what="every quorum queue's members online again")
    assert led_by_live_nodes(quorum_queues(rabbit, vhost))
    report.assert_invariants()
