"""Deadlines of an item and of its case, stopped while a department waits for the applicant's supplement."""
from __future__ import annotations

from datetime import date

from services.routing.domain import Plan, PlanItem
from shared.sla import SlaClock, Suspension
from shared.workdays import WorkingCalendar


def suspend(ledger: list[dict], on: date, reason: str) -> list[dict]:
    """The ledger with a suspension from `on`; unchanged when one is already open."""
    if ledger and ledger[-1].get("resumed_on") is None:
        return ledger
    return ledger + [{"suspended_on": on.isoformat(), "reason": reason or "supplement", "resumed_on": None}]


def resume(ledger: list[dict], on: date) -> list[dict]:
    """The ledger with its open suspension closed on `on`; unchanged when none is open."""
    if not ledger or ledger[-1].get("resumed_on") is not None:
        return ledger
    return ledger[:-1] + [{**ledger[-1], "resumed_on": max(on, date.fromisoformat(ledger[-1]["suspended_on"]))
                           .isoformat()}]


def suspend_item(item: PlanItem, case: dict, today: date, reason: str) -> None:
    """A department asked for a supplement: the item's clock stops, and the case's with it."""
    item.suspensions = suspend(item.suspensions, today, reason)
    case["clock"]["suspensions"] = suspend(case["clock"]["suspensions"], today, "supplement")


def resume_item(plan: Plan, item: PlanItem, case: dict, today: date) -> None:
    """The item's clock runs again; the case's once no item of it waits for a supplement."""
    item.suspensions = resume(item.suspensions, today)
    if not plan.suspended():
        case["clock"]["suspensions"] = resume(case["clock"]["suspensions"], today)


def deadline(started_on: date, budget_days: int, ledger: list[dict], calendar: WorkingCalendar,
             today: date) -> date:
    """The due date, later by the working days spent suspended."""
    return _clock(started_on, budget_days, ledger).deadline(calendar, max(today, started_on)).date


def suspended(ledger: list[dict]) -> bool:
    return bool(ledger) and ledger[-1].get("resumed_on") is None


def _clock(started_on: date, budget_days: int, ledger: list[dict]) -> SlaClock:
    return SlaClock(started_on, budget_days, tuple(
        Suspension(date.fromisoformat(s["suspended_on"]), s["reason"],
                   date.fromisoformat(s["resumed_on"]) if s.get("resumed_on") else None) for s in ledger))
