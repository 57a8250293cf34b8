"""承诺制 followed by oversight: each deferred material's deadline reminded, warned yellow then red, and missed
(承诺失信, with the catalog's follow-up, in the ledger); supplied, also after completion, it is watched no more."""
from __future__ import annotations

import json
from dataclasses import replace
from datetime import date

from services.oversight import reports, scan, views
from services.oversight.commands import WarningQuery
from services.oversight.periods import Period
from shared.events import CaseAccepted, CaseWithdrawn, DeferredSupplied
from test_catalog_lint import changed
from test_oversight_support import CALENDAR, Story, at, context, feed, published, store  # noqa: F401

MON = date(2026, 3, 2)
DEFERRED = {"code": "food-safety-rules", "name": "食品安全管理制度", "supply_days": 5,
            "due_date": CALENDAR.due(MON, 5).date.isoformat()}  # due Monday 3/9


def accepted_with_deferred(store, case_id: str) -> Story:
    story = Story(case_id, promised_days=20, items={"tax-arrears-inquiry": ("tax", 20)})
    story.submitted(MON)
    accepted = story.accepted(MON)
    story.events[-1] = CaseAccepted(case_id=case_id, occurred_at=accepted.occurred_at, payload={
        **accepted.payload.model_dump(mode="json"), "deferred": [DEFERRED]})
    feed(store, context(), story.events)
    return story


def supplied(store, story: Story, day: date) -> None:
    event = DeferredSupplied(case_id=story.case_id, occurred_at=at(day, 15), payload={
        "materials": [DEFERRED], "supplied_on": day})
    feed(store, context(), [event], today=day)


def commitment_events(published) -> list[tuple]:
    bodies = [json.loads(m.body) for m in published]
    return [(b["event_type"], b["payload"].get("level")) for b in bodies
            if b["event_type"] == "commitment_due_soon" or b["payload"].get("scope") == "commitment"]


def listed(store, status="all") -> list[dict]:
    return views.commitments_view(store, None if status == "all" else status)["commitments"]


def test_reminded_then_yellow_then_red_each_once_and_missed_is_a_breach_in_the_ledger(store, published):
    accepted_with_deferred(store, "YC-C1")
    assert scan.scan(store, context(), date(2026, 3, 4)) == [] and commitment_events(published) == []  # 2/5
    assert scan.scan(store, context(), date(2026, 3, 5)) == []  # 3/5 used: the applicant reminded
    assert commitment_events(published) == [("commitment_due_soon", None)]
    reminder = json.loads(published[-1].body)["payload"]
    assert reminder["contact"]["phone"] == "13800138000" and reminder["due_date"] == "2026-03-09"
    assert [m["code"] for m in reminder["materials"]] == ["food-safety-rules"]
    yellow = scan.scan(store, context(), date(2026, 3, 6))
    assert [(w["scope"], w["subject"], w["level"], w["department"]) for w in yellow] == [
        ("commitment", "food-safety-rules", "yellow", "market-regulation")]
    assert scan.scan(store, context(), date(2026, 3, 9)) == []  # the last day: not yet missed
    assert listed(store, "missed") == []
    red = scan.scan(store, context(), date(2026, 3, 10))
    assert [(w["scope"], w["level"]) for w in red] == [("commitment", "red")]
    assert scan.scan(store, context(), date(2026, 3, 20)) == []
    assert commitment_events(published) == [("commitment_due_soon", None), ("supervision_warning", "yellow"),
                                             ("supervision_warning", "red")]
    [breach] = listed(store, "missed")
    assert (breach["case_id"], breach["missed_on"], breach["follow_up"]) == ("YC-C1", date(2026, 3, 10),
                                                                              "credit_record")
    assert breach["follow_up_zh"].startswith("记入申请人信用记录")
    report = reports.ledger_report(store, context(), Period.containing("monthly", MON), "matter")
    assert report["totals"]["commitments_missed"] == 1
    assert [r["commitments_missed"] for r in report["rows"]] == [1]


def test_the_follow_up_is_the_one_the_catalog_names_for_the_matter(store):
    accepted_with_deferred(store, "YC-C2")
    revoking = replace(context(), catalog=changed(context().catalog, "matters", "bankruptcy-check",
                                                  commitment_breach="revoke"))
    scan.scan(store, revoking, date(2026, 3, 10))
    [breach] = listed(store, "missed")
    assert breach["follow_up"] == "revoke" and breach["follow_up_zh"].startswith("依法撤销")


def test_supplied_after_completion_stops_the_watch_and_resolves_its_warning(store, published):
    story = accepted_with_deferred(store, "YC-C3")
    story.requested("tax-arrears-inquiry", MON)
    story.decided("tax-arrears-inquiry", "approved", date(2026, 3, 3))
    story.completed(date(2026, 3, 3))
    feed(store, context(), story.events[-3:])
    assert [w["level"] for w in scan.scan(store, context(), date(2026, 3, 6))] == ["yellow"]  # watched still
    supplied(store, story, date(2026, 3, 6))
    assert scan.scan(store, context(), date(2026, 3, 10)) == []
    [row] = listed(store)
    assert (row["status"], row["supplied_on"], row["missed_on"]) == ("supplied", date(2026, 3, 6), None)
    resolved = views.warnings_view(store, WarningQuery(status="resolved"))["warnings"]
    assert [(w["scope"], w["level"]) for w in resolved] == [("commitment", "yellow")]


def test_supplied_late_stays_a_breach_with_the_day_it_came(store):
    story = accepted_with_deferred(store, "YC-C4")
    scan.scan(store, context(), date(2026, 3, 10))
    supplied(store, story, date(2026, 3, 12))
    [row] = listed(store)
    assert (row["status"], row["missed_on"], row["supplied_on"]) == ("missed", date(2026, 3, 10), date(2026, 3, 12))


def test_a_withdrawn_case_has_no_commitment_to_watch(store, published):
    story = accepted_with_deferred(store, "YC-C5")
    feed(store, context(), [CaseWithdrawn(case_id=story.case_id, occurred_at=at(date(2026, 3, 3)),
                                          payload={"reason": ""})])
    assert scan.scan(store, context(), date(2026, 3, 10)) == [] and commitment_events(published) == []
    assert [r["status"] for r in listed(store)] == ["void"]
