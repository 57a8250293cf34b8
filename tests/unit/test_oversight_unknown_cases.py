"""Oversight records nothing about a case whose case_submitted it has not seen: such events are set aside
as not known yet (the consumer parks them, then dead-letters them), and folded normally once it arrives."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from edge_support import as_http
from services.oversight import handlers, views
from services.oversight.tables import TABLES, cases, timeline
from shared.api import ApiError
from shared.errors import CaseNotKnownYet, SetAside
from test_oversight_support import Story, consume_parking, context, published, store  # noqa: F401 - fixtures

MON, TUE = date(2026, 3, 2), date(2026, 3, 3)
ITEM = "tax-arrears-inquiry"


def rows(store, table) -> int:
    with store.session_factory() as session:
        return session.execute(select(func.count()).select_from(table)).scalar_one()


def no_timeline(store, case_id: str) -> bool:
    with pytest.raises(ApiError) as error, as_http():
        views.timeline_view(store, case_id)
    return error.value.status == 404


def test_a_decision_about_a_case_never_submitted_is_not_known_yet_and_leaves_nothing(store):
    stranger = Story("YC-PHANTOM").decided(ITEM, "approved", TUE)
    with pytest.raises(SetAside) as error:
        handlers.consume(store, stranger, context(TUE))
    assert isinstance(error.value.error_for(stranger.event_id), CaseNotKnownYet)
    assert no_timeline(store, "YC-PHANTOM")
    assert [rows(store, t) for t in (timeline, cases, TABLES.inbox)] == [0, 0, 0]


def test_only_the_unknown_case_s_events_are_set_aside_from_a_batch(store):
    known, phantom = Story("YC-K1"), Story("YC-PHANTOM")
    batch = [known.submitted(MON), phantom.requested(ITEM, MON), known.accepted(MON),
             phantom.decided(ITEM, "approved", TUE)]
    assert consume_parking(store, context(), batch, TUE) == phantom.events
    assert views.timeline_view(store, "YC-K1")["status"] == "accepted" and no_timeline(store, "YC-PHANTOM")


def test_a_case_submitted_in_the_same_batch_makes_its_case_known(store):
    story = Story("YC-K2")
    submitted, accepted = story.submitted(MON), story.accepted(MON)
    handlers.consume(store, [accepted, submitted], context(TUE))
    view = views.timeline_view(store, "YC-K2")
    assert [e["event_type"] for e in view["events"]] == ["case_submitted", "case_accepted"]


def test_a_parked_request_is_folded_in_order_once_its_case_submitted_arrives(store):
    story = Story("YC-K3")
    submitted, accepted, requested = story.submitted(MON), story.accepted(MON), story.requested(ITEM, TUE)
    assert consume_parking(store, context(), [requested], TUE) == [requested], "parked: nothing known yet"
    assert consume_parking(store, context(), [submitted, accepted], TUE) == []
    assert consume_parking(store, context(), [requested], TUE) == [], "the parked event's next try"
    view = views.timeline_view(store, "YC-K3")
    assert [e["event_type"] for e in view["events"]] == ["case_submitted", "case_accepted", "approval_requested"]
    assert view["status"] == "in_approval"
    with store.unit_of_work() as uow:
        assert uow.oversight.states(["YC-K3"])["YC-K3"].items[ITEM].requested_on == TUE
