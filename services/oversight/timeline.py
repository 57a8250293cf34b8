"""The timeline of a case folded into its state: the same whatever order its events arrived in, or how often."""
from __future__ import annotations

from datetime import date
from typing import Iterable

from services.oversight.domain import CaseState, Fact, ItemState, Stop, as_utc, shanghai_date

# Causal order of events that carry the same instant (one transaction may emit several).
RANK = {"case_submitted": 0, "correction_requested": 1, "case_accepted": 2, "supplement_provided": 3,
        "approval_requested": 4, "department_decided": 5, "approval_decided": 6, "decision_answered": 7,
        "case_withdrawn": 8, "case_rejected": 9, "case_completed": 9, "approval_cancelled": 10,
        "delivery_dispatched": 11, "delivery_completed": 12, "rating_received": 13, "supervision_warning": 14,
        "case_not_accepted": 9, "deferred_supplied": 13, "commitment_due_soon": 14}


def sort_key(fact: Fact) -> tuple:
    return as_utc(fact.occurred_at), RANK.get(fact.event_type, 99), fact.event_id


def fold(case_id: str, facts: Iterable[Fact]) -> CaseState:
    """The case's state from its events, applied in occurrence order (duplicate ids count once)."""
    return _apply(CaseState(case_id=case_id), sorted({f.event_id: f for f in facts}.values(), key=sort_key))


def fold_on(state: CaseState, facts: Iterable[Fact]) -> CaseState | None:
    """`state` carried on by new facts, when they all sort after every fact folded into it (events of a case
    mostly arrive in order); the same as refolding the whole timeline. None when one does not: then refold.

    `state` is changed in place. A state saved before `folded_through` existed is always refolded.
    """
    ordered = sorted({f.event_id: f for f in facts}.values(), key=sort_key)
    if state.folded_through is None and state.last_event_at is not None:
        return None
    if ordered and state.folded_through is not None and sort_key(ordered[0]) <= state.folded_through:
        return None
    return _apply(state, ordered)


def _apply(state: CaseState, ordered: list[Fact]) -> CaseState:
    for fact in ordered:
        APPLY.get(fact.event_type, _ignore)(state, fact)
        state.last_event_at = as_utc(fact.occurred_at)
        state.folded_through = sort_key(fact)
    return state


def _ignore(state: CaseState, fact: Fact) -> None:
    pass


def _submitted(state: CaseState, fact: Fact) -> None:
    p = fact.payload
    state.matter_code = state.matter_code or p.get("matter_code")
    state.channel = state.channel or p.get("channel")
    state.region_code = state.region_code or p.get("region_code")
    state.taking_point = state.taking_point or p.get("taking_point")
    state.submitted_at = state.submitted_at or as_utc(fact.occurred_at)


def _correction(state: CaseState, fact: Fact) -> None:
    state.corrections.append(shanghai_date(fact.occurred_at))


def _accepted(state: CaseState, fact: Fact) -> None:
    p = fact.payload
    if state.accepted_at:
        return
    state.matter_code, state.matter_name = p["matter_code"], p.get("matter_name")
    state.channel, state.region_code = p.get("channel"), p.get("region_code")
    state.taking_point = p.get("taking_point") or state.taking_point
    state.situations = list(p.get("situations", []))
    state.accepted_at = as_utc(fact.occurred_at)
    state.accepted_on = date.fromisoformat(p["accepted_on"])
    state.promised_days = p["promised_days"]
    for item in p.get("items", []):
        state.items[item["item_code"]] = ItemState(
            code=item["item_code"], name=item.get("item_name", ""), department=item["department"],
            promised_days=item.get("promised_days", 0))


def _requested(state: CaseState, fact: Fact) -> None:
    p = fact.payload
    item = state.items.setdefault(p["item_code"], ItemState(
        code=p["item_code"], name=p.get("item_name", ""), department=p["department"],
        promised_days=p.get("promised_days", 0)))
    item.requested_on = item.requested_on or shanghai_date(fact.occurred_at)


def _decided(state: CaseState, fact: Fact) -> None:
    p = fact.payload
    item = state.items.setdefault(p["item_code"], ItemState(code=p["item_code"], department=p["department"]))
    on = shanghai_date(fact.occurred_at)
    if item.decided:
        return
    item.decision = p["decision"]
    if p["decision"] == "supplement_requested":
        _suspend(item.stops, max(on, item.requested_on or on), "supplement_requested")
        _suspend(state.stops, max(on, state.accepted_on or on), f"supplement_requested:{item.code}")
        return
    item.decided_on = on
    _resume(item.stops, on)
    if not any(i.suspended for i in state.items.values()):
        _resume(state.stops, on)


def _supplied(state: CaseState, fact: Fact) -> None:
    """The applicant supplied what the department asked for: the clocks run again."""
    item = state.items.get(fact.payload["item_code"])
    if item is None or item.decided:
        return
    on = shanghai_date(fact.occurred_at)
    _resume(item.stops, on)
    if not any(i.suspended for i in state.items.values()):
        _resume(state.stops, on)


def _cancelled(state: CaseState, fact: Fact) -> None:
    item = state.items.get(fact.payload["item_code"])
    if item is not None and not item.decided:
        item.decision, item.decided_on = "cancelled", shanghai_date(fact.occurred_at)
        _resume(item.stops, item.decided_on)


def _suspend(stops: list[Stop], on: date, reason: str) -> None:
    running_since = stops[-1].resumed_on if stops else on
    if running_since is not None:
        stops.append(Stop(suspended_on=max(on, running_since), reason=reason))


def _resume(stops: list[Stop], on: date) -> None:
    if stops and stops[-1].resumed_on is None:
        stops[-1].resumed_on = max(on, stops[-1].suspended_on)


def _closing(attribute: str):
    def apply(state: CaseState, fact: Fact) -> None:
        if getattr(state, attribute) is None:
            setattr(state, attribute, as_utc(fact.occurred_at))
            _resume(state.stops, shanghai_date(fact.occurred_at))
    return apply


def _delivery(attribute: str):
    def apply(state: CaseState, fact: Fact) -> None:
        if getattr(state, attribute) is None:
            setattr(state, attribute, as_utc(fact.occurred_at))
    return apply


def _rated(state: CaseState, fact: Fact) -> None:
    state.rating = fact.payload.get("score")


APPLY = {"case_submitted": _submitted, "correction_requested": _correction, "case_accepted": _accepted,
         "approval_requested": _requested, "approval_decided": _decided,
         "case_completed": _closing("completed_at"), "case_rejected": _closing("rejected_at"),
         "case_withdrawn": _closing("withdrawn_at"), "case_not_accepted": _closing("not_accepted_at"), "delivery_dispatched": _delivery("dispatched_at"),
         "delivery_completed": _delivery("delivered_at"), "rating_received": _rated,
         "supplement_provided": _supplied, "approval_cancelled": _cancelled}
