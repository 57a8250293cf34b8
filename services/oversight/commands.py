"""What callers send to oversight: ratings, task closures, scan requests, calendar and report queries."""
from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

Score = Annotated[int, Field(ge=1, le=5)]
Dimension = Literal["attitude", "efficiency", "convenience", "notice_clarity"]
SCORE_LABELS = {1: "非常不满意", 2: "不满意", 3: "基本满意", 4: "满意", 5: "非常满意"}
DIMENSION_LABELS = {"attitude": "服务态度", "efficiency": "办事效率", "convenience": "办事便利度",
                    "notice_clarity": "一次告知清晰度"}
FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2099, 12, 31)
SupportedDate = Annotated[date, Field(ge=FIRST_DAY, le=LAST_DAY)]
"""A day the calendar and the ledger can count from: working days (up to 3650 of them) and periods around it
stay inside Python's dates, which 0001-01-01 or 9999-12-31 would overflow."""
PERIOD_ALIASES = {"week": "weekly", "half-month": "half-monthly", "month": "monthly"}


def _period_alias(value: Any) -> Any:
    """The README's short names (week, half-month, month) are the same periods as the code's."""
    return PERIOD_ALIASES.get(value, value) if isinstance(value, str) else value


PeriodKind = Annotated[Literal["weekly", "half-monthly", "monthly"], BeforeValidator(_period_alias)]
Grouping = Literal["matter", "department", "channel", "level", "taking_point"]


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class RateCase(Body):
    """好差评: 1 非常不满意 … 5 非常满意, overall and per dimension, with a comment."""
    score: Score
    dimensions: dict[Dimension, Score] = Field(default_factory=dict)
    comment: str = Field(default="", max_length=500)
    item_code: str | None = Field(default=None, max_length=100, description=(
        "the item rated: a bad rating's rectification goes to its department (default: the department that "
        "rejected the case, else the lead department)"))


class CloseRectification(Body):
    note: str = Field(min_length=1, max_length=1000, description="What was done about the bad rating")


class ScanRequest(Body):
    """Run the supervision scan now: no parameters (it always scans as of today)."""


class DueQuery(Body):
    model_config = ConfigDict(extra="ignore", populate_by_name=True)
    start: SupportedDate = Field(alias="from", description="The day counting starts after (YYYY-MM-DD)")
    workdays: int = Field(ge=0, le=3650)
    strict: bool = False


class ReportQuery(Body):
    model_config = ConfigDict(extra="ignore", populate_by_name=True)
    period: PeriodKind = "monthly"
    day: SupportedDate | None = Field(default=None, alias="date", description="A day inside the period (default today)")
    by: Grouping = "matter"
    format: Literal["json", "html", "csv"] = "json"


class WarningQuery(Body):
    model_config = ConfigDict(extra="ignore")
    status: Literal["open", "superseded", "resolved", "all"] = "open"
    level: Literal["yellow", "red"] | None = None
    department: str | None = Field(default=None, max_length=100)


class AuditQueryParams(Body):
    """Supervisors' query of the audit trail: by case, actor (client or staff name), person (ID number), and
    period (days, Asia/Shanghai, both included); paged by `after` (the last sequence number seen)."""
    case_id: str | None = Field(default=None, max_length=64)
    actor: str | None = Field(default=None, max_length=200)
    subject: str | None = Field(default=None, min_length=6, max_length=18, pattern=r"^[0-9A-Za-z]+$",
                                description="ID number or credit code of the person")
    from_: SupportedDate | None = Field(default=None, alias="from")
    to: SupportedDate | None = None
    after: int = Field(default=0, ge=0)
    limit: int = Field(default=100, ge=1, le=500)
    purpose: str | None = Field(default=None, max_length=200)
