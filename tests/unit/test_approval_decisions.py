"""Approval's use cases on a SQLite store: modes, automatic rules, one decision per task, answers, licenses."""
from __future__ import annotations

import json
from datetime import date

import pytest

from services.approval import handlers
from services.approval.repository import REPOSITORIES, TABLES, metadata
from shared.catalog import default_catalog
from shared.config import ApprovalSettings
from shared.db import make_engine, make_session_factory
from shared.events import ApprovalCancelled, ApprovalRequested, DepartmentDecided, parse_event
from shared.messaging import Store
from shared.workdays import WorkingCalendar

HOLDER = "91150626MA0N000088"


class Approval:
    def __init__(self, tmp_path, **settings):
        engine = make_engine(f"sqlite:///{tmp_path}/approval.db")
        metadata.create_all(engine)
        self.sent: list = []
        self.store = Store(make_session_factory(engine), TABLES, REPOSITORIES, publish=self._publish)
        self.context = handlers.Context(default_catalog(), ApprovalSettings.model_validate(settings),
                                        WorkingCalendar.from_file(), lambda: date(2026, 12, 1))

    def _publish(self, messages):
        self.sent.extend(messages)
        return [m.event_id for m in messages]

    def handle(self, event, consumer="approval", handler=handlers.handle) -> list:
        before = len(self.sent)
        self.store.process(consumer, event, lambda uow, e: handler(uow, e, self.context))
        return [(m.routing_key, parse_event(json.loads(m.body))) for m in self.sent[before:]]

    def department(self, request_id, decision="approved", reasons=(), department="market-regulation", **extra):
        case_id, item = request_id.split(":")
        event = DepartmentDecided(case_id=case_id, payload={
            "request_id": request_id, "item_code": item, "department": department, "decision": decision,
            "reasons": list(reasons), "decided_by": "系统", **extra})
        return self.handle(event, "approval.decisions", handlers.handle_decision)

    def task(self, request_id):
        with self.store.unit_of_work() as uow:
            return uow.tasks.get(request_id)


def request(case_id="YC1", item="business-registration", department="market-regulation", promised_days=5,
            round=1, license_type="business-license", holder=HOLDER, unit=None) -> ApprovalRequested:
    return ApprovalRequested(case_id=case_id, payload={
        "request_id": f"{case_id}:{item}", "matter_code": "company-opening", "item_code": item,
        "item_name": "市场主体设立登记（营业执照）", "department": department, "promised_days": promised_days,
        "round": round, "license_type": license_type, "holder_id": holder, "holder_name": "乌审旗测试有限公司",
        "due_date": "2026-12-08", "unit": unit,
        "joint_task": {"task_id": f"{case_id}:site", "session": "site", "kind": "inspection",
                       "items": [item, "other"], "departments": [department], "scheduled_on": "2026-12-02"}})


def types(emitted):
    return [e.event_type for _, e in emitted]


def test_auto_mode_approves_at_once_and_issues_the_license(tmp_path):
    approval = Approval(tmp_path)
    out = approval.handle(request())
    decided = [e for _, e in out if e.event_type == "approval_decided"][0]
    assert decided.payload.decided_by == "auto" and decided.payload.joint_task_id == "YC1:site"
    assert decided.payload.licenses and decided.payload.licenses[0].startswith("SCJG-20261201-")


def test_a_worklist_department_waits_for_its_clerk_but_instant_items_decide_at_once(tmp_path):
    approval = Approval(tmp_path, departments={"market-regulation": "worklist"})
    assert approval.handle(request(promised_days=5)) == []
    assert approval.task("YC1:business-registration").status == "pending"
    instant = approval.handle(request("YC2", promised_days=0))
    assert [e.payload.decided_by for _, e in instant] == ["auto:instant"]


def test_a_configured_rule_decides_when_the_registry_holds_the_prerequisite_license(tmp_path):
    approval = Approval(tmp_path, departments={"market-regulation": "auto", "tax": "worklist"},
                        rules=[{"name": "licence-in-registry", "department": "tax", "items": ["new-taxpayer-setup"],
                                "requires_license": "business-license"}])
    tax = dict(item="new-taxpayer-setup", department="tax", license_type=None)
    assert approval.handle(request("YC3", **tax)) == [], "the holder holds no business licence yet"
    approval.handle(request("YC4"))
    out = approval.handle(request("YC5", **tax))
    assert [e.payload.decided_by for _, e in out] == ["rule:licence-in-registry"]


def test_an_external_department_decides_through_its_system_once_and_every_reply_is_answered(tmp_path):
    approval = Approval(tmp_path, departments={"market-regulation": "external"})
    approval.handle(request())
    first = approval.department("YC1:business-registration")
    assert types(first) == ["approval_decided", "decision_answered"]
    answer = first[1][1].payload
    assert answer.status == "recorded" and answer.licenses and first[1][0] == "decision_answered.market-regulation"
    again = approval.department("YC1:business-registration", "rejected", ["重复"])
    assert types(again) == ["decision_answered"]
    assert again[0][1].payload.status == "already_decided" and again[0][1].payload.decision == "approved"


def test_a_reply_for_a_cancelled_item_is_answered_and_changes_nothing(tmp_path):
    approval = Approval(tmp_path, departments={"market-regulation": "external"})
    approval.handle(request())
    approval.handle(ApprovalCancelled(case_id="YC1", payload={
        "request_id": "YC1:business-registration", "item_code": "business-registration",
        "department": "market-regulation", "reason": "case_rejected"}))
    out = approval.department("YC1:business-registration")
    assert types(out) == ["decision_answered"] and out[0][1].payload.status == "cancelled"
    assert approval.task("YC1:business-registration").status == "cancelled"


def test_a_cancellation_that_overtakes_its_request_leaves_a_tombstone(tmp_path):
    approval = Approval(tmp_path, departments={"market-regulation": "auto"})
    approval.handle(ApprovalCancelled(case_id="YC1", payload={
        "request_id": "YC1:business-registration", "item_code": "business-registration",
        "department": "market-regulation", "reason": "case_withdrawn"}))
    assert approval.handle(request()) == [], "never auto-approved after its cancellation"


def test_another_department_cannot_decide_the_task_and_reasons_are_required(tmp_path):
    approval = Approval(tmp_path, departments={"market-regulation": "external"})
    approval.handle(request())
    out = approval.department("YC1:business-registration", department="tax")
    assert out[0][0] == "decision_answered.tax" and out[0][1].payload.status == "unknown_request"
    assert approval.department("YC1:business-registration", "rejected")[0][1].payload.status == "invalid"
    assert approval.task("YC1:business-registration").status == "pending"


def test_supplement_then_the_next_round_reopens_the_task_and_old_round_replies_are_stale(tmp_path):
    approval = Approval(tmp_path, departments={"market-regulation": "external"})
    approval.handle(request())
    asked = approval.department("YC1:business-registration", "supplement_requested", ["缺少章程"])
    assert [e.payload.decision for _, e in asked if e.event_type == "approval_decided"] == ["supplement_requested"]
    assert approval.task("YC1:business-registration").status == "supplement_requested"
    assert approval.handle(request(round=2)) == []
    assert approval.task("YC1:business-registration").round == 2
    stale = approval.department("YC1:business-registration", round=1)
    assert stale[0][1].payload.status == "stale_round"
    done = approval.department("YC1:business-registration", round=2)
    assert done[0][1].payload.round == 2 and done[-1][1].payload.status == "recorded"


def test_no_license_without_a_holder_or_when_the_department_says_so(tmp_path):
    approval = Approval(tmp_path, departments={"market-regulation": "external"})
    approval.handle(request("YC1", holder=None))
    approval.handle(request("YC2"))
    assert approval.department("YC1:business-registration")[0][1].payload.licenses == []
    out = approval.department("YC2:business-registration", license={"issue": False})
    assert out[0][1].payload.licenses == []


def test_a_decision_that_overtakes_its_request_is_retried_until_the_request_is_registered(tmp_path):
    from datetime import datetime, timedelta, timezone

    from shared.errors import TransientError
    approval = Approval(tmp_path, departments={"market-regulation": "external"})
    with pytest.raises(TransientError):
        approval.department("YC1:business-registration")
    approval.handle(request())
    with pytest.raises(TransientError):
        approval.department("YC1:business-registration", round=2)
    late = DepartmentDecided(case_id="YC9", occurred_at=datetime.now(timezone.utc) - timedelta(minutes=5), payload={
        "request_id": "YC9:business-registration", "item_code": "business-registration",
        "department": "market-regulation", "decision": "approved", "decided_by": "系统"})
    out = approval.handle(late, "approval.decisions", handlers.handle_decision)
    assert out[0][1].payload.status == "unknown_request", "after the grace period a stranger is answered"
