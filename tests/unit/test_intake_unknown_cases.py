"""Intake's view turns no event about a case it does not have into state: the event is set aside as an
unknown case (the consumer dead-letters it) and the rest of its batch is followed once."""
from __future__ import annotations

import pytest

from services.intake import handlers
from set_aside_support import run_like_the_consumer
from shared.errors import SetAside, UnknownCase
from shared.events import ApprovalDecided
from test_intake_handlers import CATALOG, _accepted_case, _context, ctx, store  # noqa: F401 - fixtures

ITEM = CATALOG.items_for("bankruptcy-check")[0].code


def decided(case_id: str) -> ApprovalDecided:
    return ApprovalDecided(case_id=case_id, payload={
        "request_id": f"{case_id}:{ITEM}", "item_code": ITEM, "department": "tax", "decision": "approved",
        "decided_by": "t"})


def follow(store):
    return lambda events: store.process_new("intake", events,
                                            lambda uow, fresh: handlers.handle_batch(uow, fresh, _context()))


def item_status(store, case_id: str) -> str:
    with store.unit_of_work() as uow:
        return {i.item_code: i.status for i in uow.cases.items(case_id)}[ITEM]


def inbox_count(store) -> int:
    from sqlalchemy import func, select

    from services.intake.repository import TABLES
    with store.session_factory() as session:
        return session.execute(select(func.count()).select_from(TABLES.inbox)).scalar_one()


def test_an_event_about_a_case_intake_does_not_have_fails_its_batch_naming_it(store, ctx):
    case_id = _accepted_case(store, ctx)
    stranger = decided("YC-NOSUCHCASE")
    with pytest.raises(SetAside) as error:
        follow(store)([decided(case_id), stranger])
    assert list(error.value.errors) == [str(stranger.event_id)]
    assert str(error.value.error_for(stranger.event_id)) == "unknown case: approval_decided about case YC-NOSUCHCASE"
    assert item_status(store, case_id) == "pending" and inbox_count(store) == 0, "nothing committed"


def test_the_rest_of_the_batch_is_followed_once_and_the_stranger_leaves_no_trace(store, ctx):
    case_id = _accepted_case(store, ctx)
    good, stranger = decided(case_id), decided("YC-NOSUCHCASE")
    aside = run_like_the_consumer(follow(store), [stranger, good])
    assert list(aside) == [str(stranger.event_id)] and isinstance(aside[str(stranger.event_id)], UnknownCase)
    assert item_status(store, case_id) == "approved" and inbox_count(store) == 1
    with store.unit_of_work() as uow:
        assert uow.cases.get("YC-NOSUCHCASE") is None
