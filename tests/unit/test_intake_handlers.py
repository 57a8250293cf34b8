"""Intake's use cases on SQLite: the view follows downstream events; supplements during approval."""
from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy import event as sa_event
from sqlalchemy import select

from edge_support import as_http
from services.intake import handlers
from services.intake.commands import SubmitCase, Supplement
from services.intake.repository import REPOSITORIES, TABLES, metadata
from services.intake.views import case_view
from shared.catalog import default_catalog
from shared.config import IntakeSettings
from shared.db import make_engine, make_session_factory
from shared.events import ApprovalDecided, ApprovalRequested, CaseCompleted, SupplementRequested
from shared.messaging import Store
from shared.workdays import WorkingCalendar
from yici_testkit import case_body

CATALOG = default_catalog()
TODAY = date(2026, 11, 26)


@pytest.fixture
def store(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path}/intake.db")
    metadata.create_all(engine)
    return Store(make_session_factory(engine), TABLES, REPOSITORIES)


@pytest.fixture
def ctx():
    return _context()


def _accepted_case(store, ctx, file_ref: str = "F1") -> str:
    body = case_body("bankruptcy-check")
    with store.unit_of_work() as uow:
        uow.cases.add_file(file_ref=file_ref, sha256="a" * 64, size=1, content_type="application/pdf", client="t")
        uow.commit()
    body["materials"] = [{**m, "file_ref": file_ref, "sha256": "a" * 64} for m in body["materials"]]
    status, case_id = store.run(handlers.submit_case, SubmitCase.model_validate(body), "t", None, ctx)
    assert status == 201
    return case_id


def _context():
    return handlers.Context(CATALOG, IntakeSettings(), WorkingCalendar.from_file(), lambda: TODAY)


def _outbox(store) -> list[dict]:
    with store.session_factory() as session:
        return [json.loads(r[0]) for r in session.execute(select(TABLES.outbox.c.body)
                                                           .order_by(TABLES.outbox.c.created_at))]


def _decided(case_id, item, decision, licenses=()):
    return ApprovalDecided(case_id=case_id, payload={
        "request_id": f"{case_id}:{item}", "item_code": item, "department": "tax", "decision": decision,
        "decided_by": "t", "licenses": list(licenses)})


def _follow(store, event):
    store.process("intake", event, lambda uow, e: handlers.handle_batch(uow, [e], _context()))


def test_acceptance_carries_the_holder_and_the_plan(store, ctx):
    _accepted_case(store, ctx)
    accepted = _outbox(store)[-1]
    assert accepted["event_type"] == "case_accepted"
    assert accepted["payload"]["holder_id"] == "91150626MA0N000088"
    assert len(accepted["payload"]["items"]) == 4


def test_the_view_never_goes_backwards_when_events_arrive_late_or_twice(store, ctx):
    case_id = _accepted_case(store, ctx)
    item = CATALOG.items_for("bankruptcy-check")[0].code
    _follow(store, _decided(case_id, item, "approved"))
    _follow(store, ApprovalRequested(case_id=case_id, payload={
        "request_id": f"{case_id}:{item}", "matter_code": "bankruptcy-check", "item_code": item,
        "item_name": "x", "department": "tax", "promised_days": 1}))
    _follow(store, CaseCompleted(case_id=case_id, payload={
        "matter_code": "bankruptcy-check", "items": [item], "delivery": {"method": "online"},
        "contact": {"name": "x"}}))
    with store.unit_of_work() as uow:
        assert uow.cases.get(case_id).status == "completed"
        assert {i.item_code: i.status for i in uow.cases.items(case_id)}[item] == "approved"


def test_a_supplement_during_approval_resumes_the_item_through_supplement_provided(store, ctx):
    case_id = _accepted_case(store, ctx)
    item = CATALOG.items_for("bankruptcy-check")[1].code
    _follow(store, _decided(case_id, item, "supplement_requested"))
    store.run(handlers.supply, case_id, Supplement(form={"court_case_number": "(2026)蒙0626破1号"}), ctx, "t")
    event = _outbox(store)[-1]
    assert event["event_type"] == "supplement_provided" and event["payload"]["item_code"] == item
    with store.unit_of_work() as uow:
        assert {i.item_code: i.status for i in uow.cases.items(case_id)}[item] == "requested"
        assert uow.cases.get(case_id).form["court_case_number"] == "(2026)蒙0626破1号"


def test_a_departments_supplement_request_is_shown_with_reasons_and_deadline_until_supplied(store, ctx):
    case_id = _accepted_case(store, ctx)
    item = CATALOG.items_for("bankruptcy-check")[1].code
    asked = SupplementRequested(case_id=case_id, payload={
        "item_code": item, "item_name": "名称", "department": "tax", "round": 1, "reasons": ["缺少法院裁定书"],
        "due_date": "2026-12-15", "matter_code": "bankruptcy-check", "contact": {"name": "x"}})
    _follow(store, asked)
    _follow(store, asked)
    [request] = case_view(store, case_id)["supplement_requests"]
    assert (request["item_code"], request["reasons"], request["due_date"]) == (item, ["缺少法院裁定书"], "2026-12-15")
    assert {w["channel"] for w in request["ways_to_supply"]} == {"online", "window", "mail"}
    store.run(handlers.supply, case_id, Supplement(item_code=item), ctx, "t")
    assert case_view(store, case_id)["supplement_requests"] == [], "supplied: no longer open"


def test_a_supplement_nobody_asked_for_is_409(store, ctx):
    case_id = _accepted_case(store, ctx)
    with pytest.raises(Exception) as error, as_http():
        store.run(handlers.supply, case_id, Supplement(form={"x": 1}), ctx, "t")
    assert getattr(error.value, "status", None) == 409


def test_a_license_the_catalog_gives_to_another_holder_is_not_the_applicants(store, ctx):
    """Issue 18: the child's birth certificate does not count as the parent's in the parent's later cases."""
    case_id = _accepted_case(store, ctx)
    child = CATALOG.items["birth-medical-certificate"]
    assert child.license_holder == "newborn"
    _follow(store, _decided(case_id, child.code, "approved", ["LIC-CHILD"]))
    with store.unit_of_work() as uow:
        assert uow.cases.license_types("91150626MA0N000088", TODAY) == set()


def test_licenses_issued_to_the_holder_are_remembered(store, ctx):
    case_id = _accepted_case(store, ctx)
    issuing = next(i for i in CATALOG.items.values() if i.license_type)
    _follow(store, _decided(case_id, issuing.code, "approved", ["LIC-1"]))
    with store.unit_of_work() as uow:
        assert uow.cases.license_types("91150626MA0N000088", TODAY) == {issuing.license_type}
        assert uow.cases.license_types("other", TODAY) == set()


def test_the_deadline_intake_shows_follows_oversight_s_clock(store, ctx):
    from shared.events import DeadlineChanged
    case_id = _accepted_case(store, ctx)
    _follow(store, DeadlineChanged(case_id=case_id, payload={"due_date": "2026-12-31", "suspended": True}))
    with store.unit_of_work() as uow:
        assert uow.cases.get(case_id).due_date == date(2026, 12, 31)


def test_a_rejection_shows_the_cancelled_items_and_the_cancelled_requests(store, ctx):
    from shared.events import ApprovalCancelled, CaseRejected
    case_id = _accepted_case(store, ctx)
    first, second, third = (i.code for i in CATALOG.items_for("bankruptcy-check")[:3])
    _follow(store, _decided(case_id, first, "rejected"))
    _follow(store, CaseRejected(case_id=case_id, payload={
        "matter_code": "bankruptcy-check", "item_code": first, "department": "tax", "reasons": ["不符合条件"],
        "cancelled_items": [second], "contact": {"name": "x"}}))
    _follow(store, ApprovalCancelled(case_id=case_id, payload={
        "request_id": f"{case_id}:{third}", "item_code": third, "department": "tax", "reason": "case_rejected"}))
    with store.unit_of_work() as uow:
        statuses = {i.item_code: i.status for i in uow.cases.items(case_id)}
        assert uow.cases.get(case_id).status == "rejected"
    assert (statuses[first], statuses[second], statuses[third]) == ("rejected", "cancelled", "cancelled")


def test_the_view_reads_only_the_columns_it_folds_of_a_batchs_cases(store, ctx):
    """A case row carries the applicant, form and materials as JSON; following events must not fetch them."""
    case_ids = [_accepted_case(store, ctx, f"F{n}") for n in range(3)]
    item = CATALOG.items_for("bankruptcy-check")[0].code
    selects: list[str] = []
    engine = store.session_factory.kw["bind"]

    def seen(_conn, _cursor, statement, *_):
        if statement.startswith("SELECT") and "intake_cases" in statement.split("FROM")[1]:
            selects.append(statement)
    sa_event.listen(engine, "before_cursor_execute", seen)
    try:
        store.process_new("intake", [_decided(c, item, "approved") for c in case_ids],
                          lambda uow, fresh: handlers.handle_batch(uow, fresh, ctx))
    finally:
        sa_event.remove(engine, "before_cursor_execute", seen)
    assert len(selects) == 1, "the batch's cases with one statement"
    assert "applicant" not in selects[0] and "form" not in selects[0].split("FROM")[0]
    with store.unit_of_work() as uow:
        for case_id in case_ids:
            assert {i.item_code: i.status for i in uow.cases.items(case_id)}[item] == "approved"
