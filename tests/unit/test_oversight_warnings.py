"""Supervision: yellow at the configured share of a limit, red when overdue, each raised exactly once."""
from __future__ import annotations

import json
from datetime import date

from services.oversight import scan, views
from services.oversight.commands import WarningQuery
from services.oversight.metrics import WARNINGS_RAISED
from services.oversight.repository import SqlSupervisionRepository
from test_oversight_support import Story, context, feed, make_store, published, store  # noqa: F401

MON = date(2026, 3, 2)
ITEM = "tax-arrears-inquiry"


def open_case(store, case_id: str, promised: int = 10, item_days: int = 5) -> Story:
    story = Story(case_id, promised_days=promised, items={ITEM: ("tax", item_days)})
    story.submitted(MON)
    story.accepted(MON)
    story.requested(ITEM, MON)
    feed(store, context(), story.events)
    return story


def warnings(store, status="open"):
    return views.warnings_view(store, WarningQuery(status=status))["warnings"]


def test_nothing_is_raised_below_the_share(store, published):
    open_case(store, "YC-W1")
    assert scan.scan(store, context(), date(2026, 3, 5)) == []  # item 3/5 used = 0.6
    assert published == []


def test_yellow_at_eighty_percent_then_red_when_overdue_each_once(store, published):
    open_case(store, "YC-W2")
    counter = WARNINGS_RAISED.labels("yellow", "item", "tax")
    before = counter._value.get()
    yellow_day, red_day = date(2026, 3, 6), date(2026, 3, 10)  # item: 4 of 5 used; due 3/9
    raised = scan.scan(store, context(), yellow_day)
    assert [(w["scope"], w["level"], w["department"]) for w in raised] == [("item", "yellow", "tax")]
    assert scan.scan(store, context(), yellow_day) == []
    assert scan.scan(store, context(), date(2026, 3, 9)) == []
    assert counter._value.get() == before + 1
    red = scan.scan(store, context(), red_day)
    assert [(w["scope"], w["level"]) for w in red] == [("item", "red")]
    assert scan.scan(store, context(), date(2026, 3, 20)) != []  # now the case itself: red at 3/16
    assert scan.scan(store, context(), date(2026, 3, 20)) == []
    bodies = [json.loads(m.body) for m in published]
    assert [(b["event_type"], b["payload"]["scope"], b["payload"]["level"]) for b in bodies] == [
        ("supervision_warning", "item", "yellow"), ("supervision_warning", "item", "red"),
        ("supervision_warning", "case", "red")]
    assert bodies[1]["payload"]["item_code"] == ITEM and bodies[1]["payload"]["due_date"] == "2026-03-09"
    assert {(w["scope"], w["level"]) for w in warnings(store)} == {("item", "red"), ("case", "red")}
    assert [w["level"] for w in warnings(store, "superseded")] == ["yellow"]


def test_the_case_warning_names_the_lead_department(store):
    open_case(store, "YC-W3", promised=3, item_days=10)
    raised = scan.scan(store, context(), date(2026, 3, 5))
    assert [(w["scope"], w["level"], w["department"]) for w in raised] == [("case", "yellow", "market-regulation")]


def test_the_yellow_share_is_configurable(store):
    open_case(store, "YC-W4")
    assert scan.scan(store, context(yellow_share=0.5), date(2026, 3, 4)) == []  # 2/5 = 0.4 < 0.5
    raised = scan.scan(store, context(yellow_share=0.5), date(2026, 3, 5))  # 3/5 = 0.6
    assert [w["level"] for w in raised] == ["yellow"]


def test_a_suspended_item_raises_nothing_and_a_decision_resolves_its_warning(store):
    story = open_case(store, "YC-W5")
    scan.scan(store, context(), date(2026, 3, 6))
    story.decided(ITEM, "supplement_requested", date(2026, 3, 6))
    feed(store, context(), story.events[-1:])
    assert scan.scan(store, context(), date(2026, 3, 12)) == []
    story.decided(ITEM, "approved", date(2026, 3, 12))
    feed(store, context(), story.events[-1:])
    assert warnings(store) == [] and [w["status"] for w in warnings(store, "resolved")] == ["resolved"]


def test_a_second_replica_scanning_the_same_database_raises_nothing_new(tmp_path):
    first, second = make_store(tmp_path), make_store(tmp_path)
    open_case(first, "YC-W6")
    raised = scan.scan(first, context(), date(2026, 3, 6)) + scan.scan(second, context(), date(2026, 3, 6))
    assert len(raised) == 1 and len(warnings(first)) == 1


def test_a_race_lost_at_the_unique_key_emits_nothing(tmp_path, monkeypatch):
    sent = []
    first, second = make_store(tmp_path, sent), make_store(tmp_path, sent)
    open_case(first, "YC-W8")
    scan.scan(first, context(), date(2026, 3, 6))
    # The other replica checked before this one committed: it does not see the warning.
    monkeypatch.setattr(SqlSupervisionRepository, "warning", lambda *args: None)
    assert scan.scan(second, context(), date(2026, 3, 6)) == []
    assert len(sent) == 1 and len(warnings(first)) == 1


def test_closed_cases_are_not_scanned(store):
    story = open_case(store, "YC-W7")
    story.decided(ITEM, "approved", MON)
    story.completed(MON)
    feed(store, context(), story.events[-2:])
    assert scan.scan(store, context(), date(2026, 6, 1)) == []
