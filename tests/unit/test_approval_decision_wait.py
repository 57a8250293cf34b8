"""The approval delay (a demo and test knob) counts from the newest request, not once per handler call."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from services.approval.policy import decision_wait

NOW = datetime(2026, 12, 2, 10, 0, tzinfo=timezone.utc)


def test_a_fresh_batch_waits_the_whole_delay():
    assert decision_wait(1.5, [NOW], NOW) == 1.5


def test_the_wait_counts_from_the_newest_request():
    assert decision_wait(1.5, [NOW - timedelta(seconds=5), NOW - timedelta(seconds=0.5)], NOW) == 1.0


def test_requests_that_waited_already_are_not_held_again():
    """After a batch failed in an outage its requests go one by one: none of them waits once more."""
    assert decision_wait(1.5, [NOW - timedelta(seconds=20)], NOW) == 0.0


def test_no_delay_or_no_request_means_no_wait():
    assert decision_wait(0, [NOW], NOW) == 0.0
    assert decision_wait(1.5, [], NOW) == 0.0


def test_a_clock_ahead_of_the_request_never_waits_longer_than_the_delay():
    assert decision_wait(1.5, [NOW + timedelta(seconds=30)], NOW) == 1.5
