"""EventConsumer and events its handler sets aside, on the in-memory transport and on RabbitMQ: an unknown
case is dead-lettered at once with the reason, one not known yet is parked in a thread of its own (the other
messages go on) and retried until its case is known or its park time ends, and a stop leaves it unacknowledged."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from yici_testkit import ROOT, amqp_uri, broker_vhost

HARNESS = Path(__file__).with_name("parking_harness.py")
PARK = 1.5


def run_harness(uri: str, scenario: str, park: float = PARK, share: float = 0.5) -> dict:
    done = subprocess.run([sys.executable, str(HARNESS), uri, scenario, str(park), str(share)], cwd=ROOT,
                          capture_output=True, text=True, timeout=90)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.fixture(params=["memory", pytest.param("rabbit", marks=pytest.mark.rabbit)])
def uri(request) -> str:
    return "memory://" if request.param == "memory" else amqp_uri(request.getfixturevalue("vhost"))


def test_unknown_cases_are_dead_lettered_at_once_and_cases_not_known_yet_after_their_park_time(uri):
    outcome = run_harness(uri, "flow")
    letters = {case_id: (headers, seen) for case_id, headers, seen in outcome["dead_letters"]}
    assert sorted(letters) == ["BAD-1", "NEVER-1"] and outcome["left"] == []
    assert letters["BAD-1"][0]["x-yici-reason"] == "UnknownCase: unknown case: approval_decided about case BAD-1"
    assert letters["NEVER-1"][0]["x-yici-reason"] == (
        "UnknownCase: unknown case: approval_decided about case NEVER-1: still not known after 1.5 s parked")
    assert all(h["x-yici-queue"] == "yici.test-parking" for h, _ in letters.values())
    assert outcome["published"] + PARK <= letters["NEVER-1"][1] < outcome["published"] + PARK + 3, "bounded"
    assert (outcome["parked"], outcome["dead_lettered"]) == (2.0, 2.0), "LATE-1 and NEVER-1 parked"


def test_parking_holds_back_nothing_else_and_a_late_case_is_handled_once_it_is_known(uri):
    outcome = run_harness(uri, "flow")
    handled = {(case_id, event_type): at for case_id, event_type, at in outcome["handled"]}
    assert len(handled) == len(outcome["handled"]) == 4, "each event handled once"
    never = next(seen for case_id, _, seen in outcome["dead_letters"] if case_id == "NEVER-1")
    assert handled[("OK-1", "approval_decided")] < outcome["published"] + PARK / 2, "not behind a parked event"
    assert handled[("LATE-1", "case_submitted")] <= handled[("LATE-1", "approval_decided")] < never


@pytest.mark.rabbit
def test_a_parked_event_is_not_acknowledged_when_the_service_stops(vhost):
    outcome = run_harness(amqp_uri(vhost), "shutdown", park=60)
    assert [case_id for case_id, _, _ in outcome["left"]] == ["NEVER-2"], "back on its queue for the next process"
    assert outcome["dead_letters"] == [] and outcome["handled"] == []
    assert outcome["stop_seconds"] < 8, "the park does not hold the stop up"


@pytest.mark.rabbit
def test_decisions_flooding_ahead_of_their_cases_on_another_queue_are_all_parked_and_handled(vhost):
    """Seen in the fan-in fault test: 1,200 department decisions overtook routing's requests to approval, more
    than half the prefetch count were parked, and the rest were dead-lettered at once: lost decisions, cases
    open for ever. A consumer whose cases come on another queue parks its whole prefetch (approval's
    decisions do); the broker holds the rest back until a parked one is settled."""
    halves = run_harness(amqp_uri(vhost), "flood", park=30, share=0.5)
    assert halves["dead_letters"], "with half the prefetch, a flood of early decisions is dead-lettered"
    with broker_vhost() as fresh:
        whole = run_harness(amqp_uri(fresh), "flood", park=30, share=1.0)
    decided = [c for c, kind, _ in whole["handled"] if kind == "approval_decided"]
    assert whole["dead_letters"] == [] and sorted(decided) == sorted(f"FLOOD-{n}" for n in range(120))
