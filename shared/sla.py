"""The SLA clock of a case or an item: a budget of working days minus time spent suspended.

Suspensions cover steps that do not count toward the limit (supplements, expert review and the
like under 行政许可法 art. 45). The clock runs on the suspension day; it restarts the day after
resumption, just as the acceptance day itself does not count.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, replace
from datetime import date
from typing import Literal

from shared.workdays import Due, WorkingCalendar

Status = Literal["green", "yellow", "red", "suspended"]


class SlaStateError(ValueError):
    """An operation that the clock's ledger does not allow."""


@dataclass(frozen=True)
class Suspension:
    """One stop of the clock; `resumed_on` is None while it lasts."""

    suspended_on: date
    reason: str
    resumed_on: date | None = None


@dataclass(frozen=True)
class SlaClock:
    """Immutable: suspend and resume return new clocks."""

    started_on: date
    budget_days: int
    suspensions: tuple[Suspension, ...] = ()

    def __post_init__(self) -> None:
        if self.budget_days < 0:
            raise SlaStateError(f"budget_days must be >= 0, got {self.budget_days}")
        _check_ledger(self.started_on, self.suspensions)

    @property
    def suspended(self) -> bool:
        return bool(self.suspensions) and self.suspensions[-1].resumed_on is None

    def suspend(self, on: date, reason: str) -> SlaClock:
        """A clock stopped from `on` (that day still counts) for `reason`."""
        if self.suspended:
            raise SlaStateError(f"clock already suspended since {self.suspensions[-1].suspended_on}")
        if not reason.strip():
            raise SlaStateError("a suspension needs a reason")
        return replace(self, suspensions=self.suspensions + (Suspension(on, reason),))

    def resume(self, on: date) -> SlaClock:
        """A clock running again after `on`."""
        if not self.suspended:
            raise SlaStateError("clock is not suspended")
        last = replace(self.suspensions[-1], resumed_on=on)
        return replace(self, suspensions=self.suspensions[:-1] + (last,))

    def deadline(self, calendar: WorkingCalendar, today: date | None = None) -> Due:
        """Due date, moved later by the working days spent suspended.

        While suspended the clock is taken to resume on `today`, which is then required.
        """
        remaining = self.budget_days
        for run_from, run_to in self._runs():
            due = calendar.due(run_from, remaining)
            if due.date < run_to:  # fell due before this suspension began
                return due
            remaining -= calendar.workdays_between(run_from, run_to)
        return calendar.due(self._restart_on(today), remaining)

    def used_share(self, today: date, calendar: WorkingCalendar) -> float:
        """Working days used (suspensions excluded) over the budget; above 1.0 means overdue."""
        if self.budget_days == 0:
            return 0.0 if today <= self.started_on else math.inf
        return self._used_days(today, calendar) / self.budget_days

    def status(self, today: date, calendar: WorkingCalendar, yellow_share: float = 0.8) -> Status:
        """Red past the deadline (even if suspended), else suspended, yellow from `yellow_share`."""
        if not 0 < yellow_share <= 1:
            raise ValueError(f"yellow_share must be in (0, 1], got {yellow_share}")
        if today > self.deadline(calendar, today).date:
            return "red"
        if self.suspended and self.suspensions[-1].suspended_on <= today:
            return "suspended"
        return "yellow" if self.used_share(today, calendar) >= yellow_share else "green"

    def _runs(self) -> list[tuple[date, date]]:
        # Closed stretches of running clock: (start or resumption, next suspension).
        starts = [self.started_on] + [s.resumed_on for s in self.suspensions[:-1] if s.resumed_on is not None]
        return [(a, s.suspended_on) for a, s in zip(starts, self.suspensions)]

    def _restart_on(self, today: date | None) -> date:
        resumed = self.suspensions[-1].resumed_on if self.suspensions else self.started_on
        if resumed is not None:
            return resumed
        if today is None:
            raise SlaStateError("clock is suspended: the deadline depends on the resumption day, pass today")
        return max(today, self.suspensions[-1].suspended_on)

    def _used_days(self, today: date, calendar: WorkingCalendar) -> int:
        runs = self._runs()
        if not self.suspended:
            runs.append((self._restart_on(None), today))
        return sum(calendar.workdays_between(a, min(b, today)) for a, b in runs if a < today)


def _check_ledger(started_on: date, suspensions: tuple[Suspension, ...]) -> None:
    previous = started_on
    for index, s in enumerate(suspensions):
        if s.suspended_on < previous:
            raise SlaStateError(f"suspension on {s.suspended_on} precedes {previous}")
        if s.resumed_on is None and index < len(suspensions) - 1:
            raise SlaStateError(f"suspension on {s.suspended_on} was never resumed")
        if s.resumed_on is not None and s.resumed_on < s.suspended_on:
            raise SlaStateError(f"resumption on {s.resumed_on} precedes its suspension")
        previous = s.resumed_on or s.suspended_on
