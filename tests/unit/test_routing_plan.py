"""The approval plan: parallel release, prerequisites, one outcome whatever the order of decisions."""
from __future__ import annotations

import itertools
from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from services.routing.domain import (
    APPROVED,
    CANCELLED,
    REJECTED,
    REQUESTED,
    SUSPENDED,
    WAITING,
    Outcome,
    Plan,
    PlanItem,
    joint_kind,
)


def plan(edges: dict[str, list[str]]) -> Plan:
    return Plan("YC1", "m", {code: PlanItem(code, code, f"dept-{code}", list(pre))
                             for code, pre in edges.items()})


def test_items_without_prerequisites_go_out_at_once():
    p = plan({"a": [], "b": [], "c": [], "d": []})
    assert [i.code for i in p.release()] == ["a", "b", "c", "d"]
    assert p.release() == []


def test_an_item_waits_for_its_prerequisite_and_goes_out_when_it_is_approved():
    p = plan({"a": [], "b": ["a"], "c": []})
    assert {i.code for i in p.release()} == {"a", "c"}
    assert p.items["b"].status == WAITING
    assert p.record("a", "approved") is Outcome.PROGRESSED
    assert [i.code for i in p.release()] == ["b"]


def test_all_approved_completes_exactly_once():
    p = plan({"a": [], "b": ["a"]})
    p.release()
    p.record("a", "approved")
    p.release()
    assert p.record("b", "approved") is Outcome.COMPLETED
    assert p.record("b", "approved") is Outcome.IGNORED


def test_rejection_cancels_waiting_items_and_leaves_in_progress_ones_to_be_told():
    p = plan({"a": [], "b": ["a"], "c": []})
    p.release()
    assert p.record("a", "rejected", ["材料不符"]) is Outcome.REJECTED
    assert p.items["b"].status == CANCELLED
    assert p.items["c"].status == CANCELLED and [i.code for i in p.told] == ["c"]
    assert p.record("c", "approved") is Outcome.IGNORED


def test_a_decision_for_an_item_not_yet_requested_or_unknown_is_ignored():
    p = plan({"a": [], "b": ["a"]})
    p.release()
    assert p.record("b", "approved") is Outcome.IGNORED
    assert p.record("zzz", "approved") is Outcome.IGNORED


def test_supplement_suspends_the_item_and_a_later_decision_resumes_it():
    p = plan({"a": []})
    p.release()
    assert p.record("a", "supplement_requested") is Outcome.SUSPENDED
    assert p.items["a"].status == SUSPENDED
    assert p.record("a", "approved") is Outcome.COMPLETED


def test_prerequisites_on_items_outside_the_plan_are_treated_as_met():
    p = plan({"b": ["not-applicable"]})
    assert [i.code for i in p.release()] == ["b"]


def test_withdrawal_returns_items_with_departments_and_closes_the_plan():
    p = plan({"a": [], "b": ["a"]})
    p.release()
    assert [i.code for i in p.withdraw()] == ["a"]
    assert p.record("a", "approved") is Outcome.IGNORED


EDGES = {"a": [], "b": ["a"], "c": [], "d": ["b", "c"]}


def _drive(decisions: list[tuple[str, str]]) -> tuple[list[Outcome], Plan]:
    p = plan(EDGES)
    p.release()
    outcomes = []
    for code, decision in decisions:
        outcome = p.record(code, decision)
        p.release()
        outcomes.append(outcome)
    return outcomes, p


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(sorted(EDGES)), st.sampled_from(["approved", "rejected"])),
                max_size=12))
def test_any_order_and_duplication_of_decisions_yields_at_most_one_outcome(decisions):
    outcomes, p = _drive(decisions)
    finals = [o for o in outcomes if o in (Outcome.COMPLETED, Outcome.REJECTED)]
    assert len(finals) <= 1
    for code, item in p.items.items():
        if item.status == APPROVED:
            assert all(p.items[pre].status == APPROVED for pre in EDGES[code])


STEPS = st.one_of(
    st.tuples(st.sampled_from(sorted(EDGES)),
              st.sampled_from(["approved", "approved", "rejected", "supplement_requested", "supply"])),
    st.just(("*", "approve-all")))


def _drive_with_supplements(steps) -> tuple[list[Outcome], Plan]:
    p = plan(EDGES)
    p.release()
    outcomes = []
    for code, action in steps:
        if action == "supply":
            p.supply(code)
        elif action == "approve-all":
            outcomes += [p.record(c, "approved") for c in EDGES]
        else:
            outcomes.append(p.record(code, action))
        p.release()
    return outcomes, p


@settings(max_examples=400, deadline=None)
@given(st.lists(STEPS, max_size=25))
def test_any_order_and_duplication_with_supplements_yields_one_outcome_consistent_with_prerequisites(steps):
    outcomes, p = _drive_with_supplements(steps)
    finals = [o for o in outcomes if o in (Outcome.COMPLETED, Outcome.REJECTED)]
    assert len(finals) <= 1
    assert (p.status == "completed") == (finals == [Outcome.COMPLETED])
    assert (p.status == "rejected") == (finals == [Outcome.REJECTED])
    if p.status == "completed":
        assert all(i.status == APPROVED for i in p.items.values())
    if p.status == "rejected":
        assert sum(i.status == REJECTED for i in p.items.values()) == 1
        assert not [i for i in p.items.values() if i.status in (WAITING, REQUESTED, SUSPENDED)]
    for code, item in p.items.items():
        if item.status in (APPROVED, REQUESTED, SUSPENDED, REJECTED):
            assert all(p.items[pre].status == APPROVED for pre in EDGES[code]), (code, item.status)


def test_every_permutation_of_approvals_completes_once():
    for order in itertools.permutations(EDGES):
        outcomes, p = _drive([(c, "approved") for c in order] * 2)
        assert outcomes.count(Outcome.COMPLETED) <= 1
    outcomes, p = _drive([("a", "approved"), ("c", "approved"), ("b", "approved"), ("d", "approved")])
    assert outcomes[-1] is Outcome.COMPLETED and p.status == "completed"


def test_supplement_keeps_the_item_with_its_department_and_supply_sends_it_again_one_round_later():
    p = plan({"a": [], "b": ["a"]})
    p.release()
    assert p.record("a", "supplement_requested", ["缺少场地平面图"]) is Outcome.SUSPENDED
    assert p.release() == [] and p.items["b"].status == WAITING
    assert p.record("a", "supplement_requested") is Outcome.IGNORED
    item = p.supply("a")
    assert item.code == "a" and item.status == REQUESTED and item.round == 2
    assert p.supply("a") is None
    assert p.record("a", "approved", round=1) is Outcome.IGNORED, "a decision on the old round is stale"
    assert p.record("a", "approved", round=2) is Outcome.PROGRESSED
    assert [i.code for i in p.release()] == ["b"]


def test_a_department_may_still_reject_while_it_waits_for_the_supplement():
    p = plan({"a": [], "b": []})
    p.release()
    p.record("a", "supplement_requested")
    assert p.record("a", "rejected", ["逾期未补正"]) is Outcome.REJECTED
    assert {i.code for i in p.told} == {"b"} and p.supply("a") is None


def test_withdrawal_tells_requested_and_suspended_items():
    p = plan({"a": [], "b": [], "c": ["a"]})
    p.release()
    p.record("b", "supplement_requested")
    assert {i.code for i in p.withdraw()} == {"a", "b"}
    assert set(p.cancelled()) == {"a", "b", "c"}


def _joint_plan() -> Plan:
    p = plan({"lic": [], "food": ["lic"], "fire": ["lic"], "sign": ["lic"]})
    for code in ("food", "fire"):
        p.items[code].joint_session = "restaurant-site-inspection"
    p.items["sign"].joint_session = "only-one-item-review"
    return p


def test_items_sharing_a_joint_session_get_one_joint_task_scheduled_once():
    p = _joint_plan()
    assert p.schedule_joint(p.release(), date(2026, 12, 1)) == []
    p.record("lic", "approved")
    ready = p.release()
    tasks = p.schedule_joint(ready, date(2026, 12, 2))
    assert len(tasks) == 1 and tasks[0]["task_id"] == "YC1:restaurant-site-inspection"
    assert tasks[0]["items"] == ["food", "fire"] and tasks[0]["departments"] == ["dept-fire", "dept-food"]
    assert tasks[0]["kind"] == "inspection" and tasks[0]["scheduled_on"] == "2026-12-02"
    assert p.schedule_joint(ready, date(2026, 12, 9)) == [], "scheduled once"
    assert p.items["food"].joint_task_id == p.items["fire"].joint_task_id == tasks[0]["task_id"]
    assert p.items["sign"].joint_task_id is None, "a session of one item is no joint task"


def test_joint_kind_is_read_from_the_session_code():
    assert [joint_kind(s) for s in ("construction-design-joint-review", "utility-joint-site-survey",
                                    "restaurant-site-inspection", "completion-acceptance")] == \
        ["review", "inspection", "inspection", "acceptance"]
