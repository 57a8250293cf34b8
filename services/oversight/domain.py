"""A case as oversight sees it: its facts and the state folded from them (see timeline.py)."""
from __future__ import annotations

from datetime import date, datetime, timezone
from typing import Any

from pydantic import BaseModel, Field

from shared.workdays import today_in_shanghai

CLOSED = ("completed", "delivered", "rejected", "withdrawn", "not_accepted")
CONCLUDED = ("completed", "delivered", "rejected")
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
    taking_point: dict[str, Any] | None = None  # the hall, service point or bank branch that took it
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
    not_accepted_at: datetime | None = None  # 不予受理: the correction notice was not answered in time
    dispatched_at: datetime | None = None
    delivered_at: datetime | None = None
    rating: int | None = None
    last_event_at: datetime | None = None
    folded_through: tuple[datetime, int, str] | None = None  # sort key of the last fact folded in

    @property
    def status(self) -> str:
        for attribute, status in (("delivered_at", "delivered"), ("completed_at", "completed"),
                                  ("rejected_at", "rejected"), ("withdrawn_at", "withdrawn"),
                                  ("not_accepted_at", "not_accepted")):
            if getattr(self, attribute):
                return status
        if any(i.requested_on for i in self.items.values()):
            return "in_approval"
        if self.accepted_at:
            return "accepted"
        return "correction_requested" if self.corrections else "submitted"

    @property
    def closed_at(self) -> datetime | None:
        return self.completed_at or self.rejected_at or self.withdrawn_at or self.not_accepted_at

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
