"""承诺制 followed, on intake's side: the notice's commitment taken with a supplement, deferred materials supplied
after completion (oversight told), and a correction notice not answered in time (不予受理 once, late answers 410)."""
from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy import select

from edge_support import as_http
from services.intake import commitments, handlers
from services.intake.commands import SubmitCase, Supplement
from services.intake.repository import REPOSITORIES, TABLES, metadata
from shared.catalog import default_catalog
from shared.config import IntakeSettings
from shared.db import make_engine, make_session_factory
from shared.events import CaseCompleted
from shared.messaging import Store
from shared.workdays import WorkingCalendar
from yici_testkit import case_body

CATALOG = default_catalog()
CALENDAR = WorkingCalendar.from_file()
MON = date(2026, 11, 2)
DEFERRABLE = "food-safety-rules"  # deferrable, supply within 10 working days


@pytest.fixture
def store(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path}/intake.db")
    metadata.create_all(engine)
    store = Store(make_session_factory(engine), TABLES, REPOSITORIES)
    with store.unit_of_work() as uow:
        for ref in ("F1", "F2"):
            uow.cases.add_file(file_ref=ref, sha256="a" * 64, size=1, content_type="application/pdf", client="t")
        uow.commit()
    return store


def ctx(today: date = MON) -> handlers.Context:
    return handlers.Context(CATALOG, IntakeSettings(), CALENDAR, lambda: today)


def submit(store, without: tuple[str, ...] = (DEFERRABLE,), commitment: bool = False, today: date = MON) -> str:
    body = case_body("open-restaurant", commitment=commitment)
    body["materials"] = [{**m, "file_ref": "F1"} for m in body["materials"] if m["code"] not in without]
    status, case_id = store.run(handlers.submit_case, SubmitCase.model_validate(body), "t", None, ctx(today))
    assert status == 201
    return case_id


def case(store, case_id):
    with store.unit_of_work() as uow:
        return uow.cases.get(case_id)


def outbox(store, event_type: str) -> list[dict]:
    with store.session_factory() as session:
        bodies = [json.loads(r[0]) for r in session.execute(select(TABLES.outbox.c.body)
                                                              .order_by(TABLES.outbox.c.created_at))]
    return [b for b in bodies if b["event_type"] == event_type]


def supply(store, case_id, today: date = MON, **body):
    with as_http():
        store.run(handlers.supply, case_id, Supplement.model_validate(body), ctx(today), "t")


def test_a_supplement_with_the_notices_commitment_is_accepted_with_the_material_deferred(store):
    case_id = submit(store)
    notice = case(store, case_id).notice
    assert [d["code"] for d in notice["deficiencies"]] == ["material.missing_deferrable"]
    assert notice["commitment_offered"] == [DEFERRABLE]
    supply(store, case_id, commitment=True)
    accepted = case(store, case_id)
    assert accepted.status == "accepted" and accepted.commitment is True
    assert [(d["code"], d["due_date"], d["supplied"]) for d in accepted.deferred] == [
        (DEFERRABLE, CALENDAR.due(MON, 10).date.isoformat(), False)]
    [event] = outbox(store, "case_accepted")
    assert event["payload"]["deferred"] == [{"code": DEFERRABLE, "name": "食品安全管理制度", "supply_days": 10,
                                             "due_date": CALENDAR.due(MON, 10).date.isoformat()}]


def test_a_supplement_without_the_commitment_gets_the_material_noticed_again(store):
    case_id = submit(store)
    supply(store, case_id, form={})
    assert case(store, case_id).status == "correction_requested" and outbox(store, "case_accepted") == []


def test_a_deferred_material_is_taken_after_completion_and_oversight_is_told(store):
    case_id = submit(store, commitment=True)
    store.process_new("intake", [CaseCompleted(case_id=case_id, payload={
        "matter_code": "open-restaurant", "items": [], "delivery": {"method": "pickup"},
        "contact": {"name": "张三"}})], lambda uow, events: handlers.handle_batch(uow, events, ctx()))
    assert case(store, case_id).status == "completed"
    later = date(2026, 11, 10)
    supply(store, case_id, later, materials=[{"code": DEFERRABLE, "file_ref": "F2"}])
    row = case(store, case_id)
    assert row.deferred[0]["supplied"] is True and row.deferred[0]["supplied_on"] == later.isoformat()
    assert {m["code"]: m["file_ref"] for m in row.materials}[DEFERRABLE] == "F2"
    [told] = outbox(store, "deferred_supplied")
    assert told["payload"]["supplied_on"] == later.isoformat()
    assert [m["code"] for m in told["payload"]["materials"]] == [DEFERRABLE]
    with pytest.raises(Exception) as again:
        supply(store, case_id, later, materials=[{"code": DEFERRABLE, "file_ref": "F2"}])
    assert again.value.status == 409 and len(outbox(store, "deferred_supplied")) == 1


def test_only_an_open_deferred_material_with_an_uploaded_file_is_taken(store):
    case_id = submit(store, commitment=True)
    with pytest.raises(Exception) as other:
        supply(store, case_id, materials=[{"code": "business-license-copy", "file_ref": "F2"}])
    assert other.value.status == 422 and other.value.problems[0]["code"] == "not_deferred"
    with pytest.raises(Exception) as missing:
        supply(store, case_id, materials=[{"code": DEFERRABLE, "file_ref": "NOPE"}])
    assert missing.value.status == 422 and missing.value.problems[0]["code"] == "file_not_found"
    assert case(store, case_id).deferred[0]["supplied"] is False and outbox(store, "deferred_supplied") == []


def test_an_unanswered_notice_closes_the_application_once_and_tells_the_applicant(store):
    case_id = submit(store)
    due = date.fromisoformat(case(store, case_id).notice["due_date"])
    assert due == CALENDAR.due(MON, IntakeSettings().correction_days).date
    assert store.run(commitments.close_unanswered, ctx(due)) == []
    after = date.fromordinal(due.toordinal() + 1)
    assert store.run(commitments.close_unanswered, ctx(after)) == [case_id]
    assert store.run(commitments.close_unanswered, ctx(after)) == []
    assert case(store, case_id).status == "not_accepted"
    [event] = outbox(store, "case_not_accepted")
    assert event["payload"]["reason"] == "correction_overdue" and event["payload"]["due_date"] == due.isoformat()
    assert event["payload"]["contact"]["phone"] == "13800138000"


def test_a_late_supplement_is_refused_with_410_before_and_after_the_closing(store):
    case_id = submit(store)
    due = date.fromisoformat(case(store, case_id).notice["due_date"])
    after = date.fromordinal(due.toordinal() + 1)
    supply(store, case_id, due, form={})  # on the last day it is still taken (and noticed again)
    due = date.fromisoformat(case(store, case_id).notice["due_date"])
    after = date.fromordinal(due.toordinal() + 1)
    with pytest.raises(Exception) as late:
        supply(store, case_id, after, commitment=True)
    assert late.value.status == 410 and late.value.problems[0]["code"] == "correction_overdue"
    store.run(commitments.close_unanswered, ctx(after))
    with pytest.raises(Exception) as closed:
        supply(store, case_id, after, commitment=True)
    assert closed.value.status == 410 and case(store, case_id).status == "not_accepted"
