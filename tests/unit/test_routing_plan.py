"""The approval plan: parallel release, prerequisites, one outcome whatever the order of decisions."""
from __future__ import annotations

import itertools

from hypothesis import given, settings, strategies as st

from services.routing.domain import (APPROVED, CANCELLED, REQUESTED, SUSPENDED, WAITING, Outcome, Plan,
                                     PlanItem)


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
    assert p.items["c"].status == REQUESTED
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


def test_every_permutation_of_approvals_completes_once():
    for order in itertools.permutations(EDGES):
        outcomes, p = _drive([(c, "approved") for c in order] * 2)
        assert outcomes.count(Outcome.COMPLETED) <= 1
    outcomes, p = _drive([("a", "approved"), ("c", "approved"), ("b", "approved"), ("d", "approved")])
    assert outcomes[-1] is Outcome.COMPLETED and p.status == "completed"
