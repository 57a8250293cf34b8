"""The database's postmaster SIGKILLed under load for about 5 s, then restarted: intake answers 503 with
Retry-After and a problem body (never 500), /readyz names the database and recovers, the client's retries with
the same key make every case complete exactly once, no service process dies. The PostgreSQL cluster is the
test's own (never the machine's)."""
from __future__ import annotations

import json
import time

import pytest

from faultkit import LoadDriver, PgCluster, Prober, collect, fault_window, readyz_urls
from faultkit.procs import run
from yici_testkit import Cluster

pytestmark = [pytest.mark.rabbit, pytest.mark.postgres, pytest.mark.slow]
MATTERS = ("bankruptcy-check", "open-restaurant")
RATE, BEFORE, DOWN, AFTER = 10, 3, 5, 8


@pytest.fixture(scope="module")
def pg():
    cluster = PgCluster()
    try:
        yield cluster.start()
    finally:
        cluster.cleanup()


@pytest.fixture
def database_url(pg):
    return pg.create_database()


@pytest.fixture
def suite(tmp_path, vhost, database_url):
    suite = Cluster(tmp_path, vhost, database_url, YICI_APPROVAL_DELAY="1").start()  # cases in flight
    yield suite
    suite.stop()


def dead_letters(vhost: str) -> dict[str, int]:
    """Read from the machine's broker (a vhost of this test's; nothing is changed there)."""
    listed = run(["rabbitmqctl", "-q", "list_queues", "-p", vhost, "name", "messages", "--formatter", "json"])
    return {q["name"]: q["messages"] for q in json.loads(listed or "[]") if q["name"].endswith(".dead-letter")}


@pytest.mark.timeout(240)
def test_postmaster_killed_under_load_loses_and_doubles_nothing(suite, pg, database_url, vhost, tmp_path):
    with Prober(readyz_urls(suite)) as prober:
        with LoadDriver(suite.url("intake", ""), MATTERS, RATE, duration=180) as load:
            time.sleep(BEFORE)
            with fault_window() as fault:
                pg.kill()
                time.sleep(DOWN)
                fault.repair_begins()
                pg.start()
            load.finish(AFTER)
        report = collect(f"postmaster SIGKILLed for {DOWN} s at {RATE} cases/s", load, prober, suite,
                         database_url, lambda: dead_letters(vhost), fault.window)
    report.print(tmp_path / "fault-report.txt")
    refusals = [a for a in load.attempts if fault.window.holds(a.started) and a.status not in (200, 201)]
    assert refusals, "the outage must reach the client"
    assert all(a.status == 503 and a.retry_after and a.problem_body for a in refusals), refusals[:5]
    not_ready = [p for p in prober.between("intake", fault.start + 1, fault.repairing) if p.status is not None]
    assert not_ready and all(p.status == 503 and "intake.database" in p.failing for p in not_ready), not_ready
    assert report.ready_again_seconds is not None and report.in_flight > 0, report.lines()
    report.assert_invariants()
