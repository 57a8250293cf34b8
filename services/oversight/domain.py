"""A case as oversight sees it: the fold of its timeline, the same whatever order events arrived in."""
from __future__ import annotations

from datetime import date, datetime, timezone
from typing import Any, Iterable

from pydantic import BaseModel, Field

from shared.workdays import today_in_shanghai

CLOSED = ("completed", "delivered", "rejected", "withdrawn")
CONCLUDED = ("completed", "delivered", "rejected")
# Causal order of events that carry the same instant (one transaction may emit several).
RANK = {"case_submitted": 0, "correction_requested": 1, "case_accepted": 2, "supplement_provided": 3,
        "approval_requested": 4, "department_decided": 5, "approval_decided": 6, "decision_answered": 7,
        "case_withdrawn": 8, "case_rejected": 9, "case_completed": 9, "approval_cancelled": 10,
        "delivery_dispatched": 11, "delivery_completed": 12, "rating_received": 13, "supervision_warning": 14}


class Fact(BaseModel):
    """One timeline entry: what happened to the case, and when."""
    event_id: str
    event_type: str
    occurred_at: datetime
    payload: dict[str, Any] = Field(default_factory=dict)


class Stop(BaseModel):
    """One suspension of a clock (a supplement requested), open while `resumed_on` is None."""
    suspended_on: date
    reason: str
    resumed_on: date | None = None


class ItemState(BaseModel):
    code: str
    name: str = ""
    department: str = "unknown"
    promised_days: int = 0
    requested_on: date | None = None
    decision: str | None = None
    decided_on: date | None = None
    stops: list[Stop] = Field(default_factory=list)

    @property
    def suspended(self) -> bool:
        return bool(self.stops) and self.stops[-1].resumed_on is None

    @property
    def decided(self) -> bool:
        return self.decision in ("approved", "rejected", "cancelled")


class CaseState(BaseModel):
    case_id: str
    matter_code: str | None = None
    matter_name: str | None = None
    channel: str | None = None
    region_code: str | None = None
    situations: list[str] = Field(default_factory=list)
    submitted_at: datetime | None = None
    accepted_at: datetime | None = None
    accepted_on: date | None = None
    promised_days: int | None = None
    corrections: list[date] = Field(default_factory=list)
    items: dict[str, ItemState] = Field(default_factory=dict)
    stops: list[Stop] = Field(default_factory=list)
    completed_at: datetime | None = None
    rejected_at: datetime | None = None
    withdrawn_at: datetime | None = None
    dispatched_at: datetime | None = None
    delivered_at: datetime | None = None
    rating: int | None = None
    last_event_at: datetime | None = None

    @property
    def status(self) -> str:
        for attribute, status in (("delivered_at", "delivered"), ("completed_at", "completed"),
                                  ("rejected_at", "rejected"), ("withdrawn_at", "withdrawn")):
            if getattr(self, attribute):
                return status
        if any(i.requested_on for i in self.items.values()):
            return "in_approval"
        if self.accepted_at:
            return "accepted"
        return "correction_requested" if self.corrections else "submitted"

    @property
    def closed_at(self) -> datetime | None:
        return self.completed_at or self.rejected_at or self.withdrawn_at

    @property
    def closed_on(self) -> date | None:
        return shanghai_date(self.closed_at) if self.closed_at else None

    @property
    def level(self) -> str:
        return level_of(self.region_code)

    @property
    def departments(self) -> list[str]:
        return sorted({i.department for i in self.items.values()})

    @property
    def suspended(self) -> bool:
        return bool(self.stops) and self.stops[-1].resumed_on is None


def as_utc(moment: datetime) -> datetime:
    """SQLite hands datetimes back naive; they were stored in UTC."""
    return moment.astimezone(timezone.utc) if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def shanghai_date(moment: datetime) -> date:
    return today_in_shanghai(as_utc(moment))


def level_of(region_code: str | None) -> str:
    """Administrative level from the division code: 12 digits a 嘎查村, 9 a 苏木镇, xxxx00 a 市."""
    code = region_code or ""
    if len(code) == 12:
        return "village"
    if len(code) == 9:
        return "township"
    return "city" if code.endswith("00") else "banner"


def sort_key(fact: Fact) -> tuple:
    return as_utc(fact.occurred_at), RANK.get(fact.event_type, 99), fact.event_id


def fold(case_id: str, facts: Iterable[Fact]) -> CaseState:
    """The case's state from its events, applied in occurrence order (duplicate ids count once)."""
    state = CaseState(case_id=case_id)
    unique = {f.event_id: f for f in facts}
    for fact in sorted(unique.values(), key=sort_key):
        APPLY.get(fact.event_type, _ignore)(state, fact)
        state.last_event_at = as_utc(fact.occurred_at)
    return state


def _ignore(state: CaseState, fact: Fact) -> None:
    pass


def _submitted(state: CaseState, fact: Fact) -> None:
    p = fact.payload
    state.matter_code = state.matter_code or p.get("matter_code")
    state.channel = state.channel or p.get("channel")
    state.region_code = state.region_code or p.get("region_code")
    state.submitted_at = state.submitted_at or as_utc(fact.occurred_at)


def _correction(state: CaseState, fact: Fact) -> None:
    state.corrections.append(shanghai_date(fact.occurred_at))


def _accepted(state: CaseState, fact: Fact) -> None:
    p = fact.payload
    if state.accepted_at:
        return
    state.matter_code, state.matter_name = p["matter_code"], p.get("matter_name")
    state.channel, state.region_code = p.get("channel"), p.get("region_code")
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
    if not stops or stops[-1].resumed_on is not None:
        stops.append(Stop(suspended_on=max(on, stops[-1].resumed_on) if stops else on, reason=reason))


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
         "case_withdrawn": _closing("withdrawn_at"), "delivery_dispatched": _delivery("dispatched_at"),
         "delivery_completed": _delivery("delivered_at"), "rating_received": _rated,
         "supplement_provided": _supplied, "approval_cancelled": _cancelled}
