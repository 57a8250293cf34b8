"""Exactly one delivery per case: under repeated completions, a crash between booking and recording,
and courier timeouts, the courier books one shipment and the applicant is told once."""
from __future__ import annotations

import pytest

from services.delivery import mail
from services.delivery.simulated import SimulatedCrash
from shared.config import SimulatedCourierFaults
from test_delivery_support import ADDRESS, World, completed, world  # noqa: F401


def test_a_redelivered_completion_changes_nothing(world):
    event = completed("YC-E1")
    for _ in range(3):
        world.consume(event)
    assert [e["event_type"] for e in world.events()] == ["delivery_dispatched"]
    assert len(world.notifications("YC-E1")) == 1 and len(world.gateway.sent("YC-E1")) == 1


def test_a_completion_published_twice_under_two_ids_delivers_once(world):
    world.consume(completed("YC-E2", "mail", ADDRESS))
    world.consume(completed("YC-E2", "mail", ADDRESS))
    world.work()
    assert len(world.courier.bookings("YC-E2")) == 1
    assert len(world.events("delivery_dispatched")) == 1


def test_a_crash_between_booking_and_recording_never_books_twice(tmp_path):
    crashing = World(tmp_path, SimulatedCourierFaults(crash_after_booking=1))
    with pytest.raises(SimulatedCrash):
        crashing.consume(completed("YC-E3", "mail", ADDRESS))
    # The courier booked; the delivery never heard back and is still booking under its recorded key.
    assert len(crashing.courier.bookings("YC-E3")) == 1
    assert crashing.delivery("YC-E3").status == "booking" and crashing.events() == []
    restarted = World(tmp_path, SimulatedCourierFaults(crash_after_booking=1), crashing.clock)
    restarted.clock.advance(seconds=5)
    assert restarted.work()["booked"] == 1
    row = restarted.delivery("YC-E3")
    assert row.status == "in_transit" and row.tracking_number == crashing.courier.bookings("YC-E3")[0].tracking_number
    assert len(restarted.courier.bookings("YC-E3")) == 1
    assert [e["payload"]["tracking_number"] for e in restarted.events("delivery_dispatched")] == [row.tracking_number]
    assert row.details["attempts"] == 2


def test_a_courier_timeout_after_booking_is_retried_under_the_same_key(tmp_path):
    world = World(tmp_path, SimulatedCourierFaults(timeout_after_booking=2))
    world.consume(completed("YC-E4", "mail", ADDRESS))
    assert world.delivery("YC-E4").details["last_error"] == "CourierUnavailable"
    for _ in range(3):
        world.clock.advance(minutes=1)
        world.work()
    assert world.delivery("YC-E4").status == "in_transit"
    assert len(world.courier.bookings("YC-E4")) == 1 and len(world.events("delivery_dispatched")) == 1


def test_a_timeout_before_booking_is_retried_after_a_backoff(tmp_path):
    world = World(tmp_path, SimulatedCourierFaults(timeout_before_booking=1))
    world.consume(completed("YC-E5", "mail", ADDRESS))
    assert world.courier.bookings("YC-E5") == []
    assert world.work()["booked"] == 0  # not due yet
    world.clock.advance(seconds=3)
    assert world.work()["booked"] == 1 and len(world.courier.bookings("YC-E5")) == 1


def test_two_workers_booking_the_same_delivery_record_one_shipment(tmp_path):
    first = World(tmp_path, SimulatedCourierFaults(crash_after_booking=1))
    with pytest.raises(SimulatedCrash):
        first.consume(completed("YC-E6", "mail", ADDRESS))
    second, third = World(tmp_path, clock=first.clock), World(tmp_path, clock=first.clock)
    first.clock.advance(seconds=5)
    request = second.store.run(mail._attempt, "YC-E6", second.ctx)
    shipment = second.courier.book(request)  # second books, and has not recorded the shipment yet
    assert mail.book(third.store, "YC-E6", third.ctx) is False, \
        "second's attempt is in flight until its next attempt time: no second courier call meanwhile"
    assert third.delivery("YC-E6").details["attempts"] == 2
    first.clock.advance(seconds=5)  # past it, second still silent: third overtakes
    assert mail.book(third.store, "YC-E6", third.ctx) is True
    assert mail.book(second.store, "YC-E6", second.ctx) is False
    assert third.delivery("YC-E6").tracking_number == shipment.tracking_number
    assert len(third.courier.bookings("YC-E6")) == 1
    assert len(second.events("delivery_dispatched")) + len(third.events("delivery_dispatched")) == 1
