"""联合踏勘 as one real appointment: booked once by routing (day, time, site, departments, lead), recorded once by
the lead department in approval, and every participating department's decision refers to that record."""
from __future__ import annotations

import json
from datetime import date

import pytest

from routing_support import RoutingHarness, accepted, of_type
from services.approval import joint, worklist
from services.approval.commands import DecideBody, JoinVisit, RecordVisit
from shared.config import JointSettings, RoutingSettings
from shared.errors import Conflict, Invalid
from shared.events import ApprovalRequested, parse_event
from test_approval_decisions import Approval

SITE = "乌审旗嘎鲁图镇团结路8号"
SURVEY = ("needs-water", "needs-gas")
JOINT = ("water-supply", "power-supply", "gas-supply")


def test_a_joint_inspection_is_booked_once_on_a_working_day_at_the_site_with_time_and_lead(tmp_path):
    routing = RoutingHarness(tmp_path, RoutingSettings(joint=JointSettings(days_ahead=2, time="10:00")))
    routing.today = date(2026, 12, 4)  # a Friday: two working days on is Tuesday
    event = accepted("YC1", "utility-connection", SURVEY, form={"connection_address": f" {SITE} "})
    requests = of_type(routing.handle(event), "approval_requested")
    booked = [r.payload.joint_task for r in requests if r.payload.joint_task]
    assert len(booked) == 3 and all(b == booked[0] for b in booked), "every member carries the one appointment"
    joint = booked[0]
    assert (joint.scheduled_on, joint.time, joint.place) == (date(2026, 12, 8), "10:00", SITE)
    assert sorted(joint.departments) == sorted(JOINT) and joint.lead_department == "water-supply"
    again = routing.handle(event.model_copy(update={"event_id": event.event_id}))
    twice = routing.handle(accepted("YC1", "utility-connection", SURVEY, form={"connection_address": "elsewhere"}))
    assert again == [] and twice == [], "a redelivery or a second acceptance books nothing more"
    with routing.store.unit_of_work() as uow:
        plan, _ = uow.plans.get_for_update("YC1")
    assert list(plan.joint_tasks) == ["utility-joint-site-survey"]
    assert plan.joint_tasks["utility-joint-site-survey"]["place"] == SITE


def test_without_a_site_address_in_the_form_the_appointment_has_no_place(tmp_path):
    routing = RoutingHarness(tmp_path)
    requests = of_type(routing.handle(accepted("YC1", "utility-connection", SURVEY)), "approval_requested")
    joint = next(r.payload.joint_task for r in requests if r.payload.joint_task)
    assert joint.place is None and joint.time == "09:30" and joint.scheduled_on == date(2026, 12, 2)


def joint_request(item: str, department: str, case_id: str = "YC1") -> ApprovalRequested:
    return ApprovalRequested(case_id=case_id, payload={
        "request_id": f"{case_id}:{item}", "matter_code": "utility-connection", "item_code": item,
        "item_name": item, "department": department, "promised_days": 5, "round": 1, "due_date": "2026-12-08",
        "joint_task": {"task_id": f"{case_id}:survey", "session": "survey", "kind": "inspection",
                       "items": ["water-connection", "power-connection"],
                       "departments": ["power-supply", "water-supply"], "scheduled_on": "2026-12-02",
                       "time": "09:30", "place": SITE, "lead_department": "water-supply"}})


@pytest.fixture
def approval(tmp_path):
    found = Approval(tmp_path, departments={"water-supply": "worklist", "power-supply": "worklist"})
    found.handle(joint_request("water-connection", "water-supply"))
    found.handle(joint_request("power-connection", "power-supply"))
    return found


def run(approval, use_case, *args):
    return approval.store.run(use_case, *args)


def decide(approval, department, item, decision="approved"):
    body = DecideBody(decision=decision, clerk="王五", reasons=[] if decision == "approved" else ["现场不符"])
    before = len(approval.sent)
    run(approval, worklist.decide_task, department, f"YC1:{item}", body, approval.context)
    return approval.sent[before:]


def visit(approval, department="water-supply", item="water-connection", attended=("water-supply",)):
    body = RecordVisit(clerk="李四", attended=list(attended), findings="现场具备接入条件")
    return run(approval, worklist.record_visit, department, f"YC1:{item}", body)


def test_a_joint_item_is_decided_only_after_the_lead_records_the_one_visit_which_the_decision_refers_to(approval):
    with pytest.raises(Conflict) as refused:
        decide(approval, "power-supply", "power-connection")
    assert refused.value.problems[0]["code"] == "joint_visit_missing"
    with pytest.raises(Conflict) as not_lead:
        visit(approval, "power-supply", "power-connection", ("power-supply", "water-supply"))
    assert not_lead.value.problems[0]["code"] == "not_lead_department"
    record = visit(approval, attended=("water-supply", "power-supply"))
    assert record["visit_id"] == "YC1:survey:visit" and record["attended"] == ["power-supply", "water-supply"]
    with pytest.raises(Conflict) as second:
        visit(approval)
    assert second.value.problems[0]["code"] == "visit_already_recorded"
    [sent] = decide(approval, "power-supply", "power-connection")
    decided = parse_event(json.loads(sent.body))
    assert decided.payload.joint_visit_id == "YC1:survey:visit" and decided.payload.decision == "approved"


def test_a_supplement_request_needs_no_visit_and_a_visit_names_only_participants_with_the_lead(approval):
    assert decide(approval, "power-supply", "power-connection", "supplement_requested")
    with pytest.raises(Invalid) as wrong:
        visit(approval, attended=("power-supply", "tax"))
    assert {p["code"] for p in wrong.value.problems} == {"not_participant", "lead_missing"}


def test_departments_see_the_appointment_on_their_task_and_say_who_joins(approval):
    run(approval, worklist.join_visit, "power-supply", "YC1:power-connection", JoinVisit(clerk="赵六"))
    with approval.store.unit_of_work() as uow:
        task = worklist.own_task(uow, "power-supply", "YC1:power-connection")
        people = {p["department"]: p for p in joint.participants(uow, task)}
        assert joint.joint_of(task)["place"] == SITE
    assert people["power-supply"]["joined_by"] == "赵六" and people["water-supply"]["joined_by"] is None
    assert people["water-supply"]["lead"] and not people["power-supply"]["lead"]


def test_the_visit_record_outlives_the_lead_tasks_next_round_after_a_supplement(approval):
    visit(approval, attended=("water-supply", "power-supply"))
    assert decide(approval, "water-supply", "water-connection", "supplement_requested")
    round_two = joint_request("water-connection", "water-supply")
    approval.handle(round_two.model_copy(update={"payload": round_two.payload.model_copy(update={"round": 2})}))
    assert approval.task("YC1:water-connection").status == "pending" and approval.task("YC1:water-connection").round == 2
    [sent] = decide(approval, "power-supply", "power-connection")
    assert parse_event(json.loads(sent.body)).payload.joint_visit_id == "YC1:survey:visit"
