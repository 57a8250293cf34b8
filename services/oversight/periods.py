"""Report periods of the ledger (台账): weekly (Monday to Sunday), half-monthly and monthly, in Asia/Shanghai."""
from __future__ import annotations

import calendar as month_calendar
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

from shared.workdays import SHANGHAI


@dataclass(frozen=True)
class Period:
    kind: str
    start: date
    end: date  # exclusive

    @classmethod
    def containing(cls, kind: str, day: date) -> "Period":
        if kind == "daily":
            return cls(kind, day, day + timedelta(days=1))
        if kind == "weekly":
            start = day - timedelta(days=day.weekday())
            return cls(kind, start, start + timedelta(days=7))
        last = month_calendar.monthrange(day.year, day.month)[1]
        month_end = date(day.year, day.month, last) + timedelta(days=1)
        if kind == "half-monthly":
            if day.day <= 15:
                return cls(kind, day.replace(day=1), day.replace(day=16))
            return cls(kind, day.replace(day=16), month_end)
        if kind == "monthly":
            return cls(kind, day.replace(day=1), month_end)
        raise ValueError(f"unknown period kind: {kind}")

    def previous(self) -> "Period":
        return Period.containing(self.kind, self.start - timedelta(days=1))

    def __contains__(self, day: date | None) -> bool:
        return day is not None and self.start <= day < self.end

    @property
    def label(self) -> str:
        last = self.end - timedelta(days=1)
        if self.kind == "daily":
            return f"{self.start.year}年{self.start.month}月{self.start.day}日"
        if self.kind == "monthly":
            return f"{self.start.year}年{self.start.month}月"
        if self.kind == "half-monthly":
            half = "上半月" if self.start.day == 1 else "下半月"
            return f"{self.start.year}年{self.start.month}月{half}"
        week = self.start.isocalendar()
        return f"{week.year}年第{week.week}周（{self.start:%m-%d}至{last:%m-%d}）"

    def utc_bounds(self) -> tuple[datetime, datetime]:
        """The period's instants: Shanghai midnight to Shanghai midnight, in UTC."""
        start, end = (datetime.combine(d, time(0), SHANGHAI).astimezone(timezone.utc) for d in (self.start, self.end))
        return start, end

    def as_dict(self) -> dict:
        return {"kind": self.kind, "start": self.start.isoformat(),
                "end": (self.end - timedelta(days=1)).isoformat(), "label": self.label}
