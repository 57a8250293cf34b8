"""电子监察: the SLA clocks of a case, its items and rectification tasks, and which warning each deserves."""
from __future__ import annotations

import math
from dataclasses import dataclass, replace
from datetime import date
from typing import Literal

from services.oversight.domain import CaseState, Stop
from shared.sla import SlaClock, Suspension
from shared.workdays import Due, WorkingCalendar

Level = Literal["yellow", "red"]
MAX_SHARE = 10.0


class LenientCalendar(WorkingCalendar):
    """Counts days in years without official data by the weekends-only rule; callers mark the result
    provisional (see `Assessment.provisional`), so the guess is never silent."""

    def is_workday(self, d: date) -> bool:
        if self.is_covered(d.year):
            return super().is_workday(d)
        return d.weekday() < 5


@dataclass(frozen=True)
class Subject:
    """Something with a deadline: the case, one of its items, a rectification task, or a deferred material."""
    case_id: str
    scope: Literal["case", "item", "rectification", "commitment"]
    key: str
    department: str
    clock: SlaClock


@dataclass(frozen=True)
class Assessment:
    level: Level | None
    status: str
    due: Due
    used_share: float

    @property
    def provisional(self) -> bool:
        return self.due.provisional


def clock_of(started_on: date, budget: int, stops: list[Stop]) -> SlaClock:
    suspensions = tuple(Suspension(s.suspended_on, s.reason, s.resumed_on) for s in stops)
    return SlaClock(started_on, budget, suspensions)


def case_clock(state: CaseState) -> SlaClock | None:
    if state.accepted_on is None or state.promised_days is None:
        return None
    return clock_of(state.accepted_on, state.promised_days, state.stops)


def item_clocks(state: CaseState) -> dict[str, SlaClock]:
    return {code: clock_of(item.requested_on, item.promised_days, item.stops)
            for code, item in state.items.items() if item.requested_on is not None}


def subjects(state: CaseState, lead_department: str) -> list[Subject]:
    """The open deadlines of a case: none once it is closed; items until decided."""
    if state.closed_at is not None or (clock := case_clock(state)) is None:
        return []
    found = [Subject(state.case_id, "case", "", lead_department, clock)]
    for code, item_clock in item_clocks(state).items():
        if not state.items[code].decided:
            found.append(Subject(state.case_id, "item", code, state.items[code].department, item_clock))
    return found


def assess(clock: SlaClock, today: date, calendar: WorkingCalendar, yellow_share: float) -> Assessment:
    """Yellow from `yellow_share` of the limit, red past the deadline; a suspended clock is neither."""
    status = clock.status(today, calendar, yellow_share)
    level = status if status in ("yellow", "red") else None
    share = clock.used_share(today, calendar)
    return Assessment(level, status, clock.deadline(calendar, today), min(share, MAX_SHARE)
                      if math.isfinite(share) else MAX_SHARE)


def used_workdays(clock: SlaClock, until: date, calendar: WorkingCalendar) -> int:
    """Working days the clock ran up to `until`, suspensions excluded."""
    # used_share divides by the budget; a budget of one day turns it back into days.
    return round(replace(clock, budget_days=1).used_share(until, calendar))


def on_time(clock: SlaClock, closed_on: date, calendar: WorkingCalendar) -> bool:
    return closed_on <= clock.deadline(calendar, closed_on).date
