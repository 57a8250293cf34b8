"""What department clerks send to approval's worklist: one pydantic model per request body."""
from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from shared.events import Decision, LicenseTerms


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class ClaimTask(Body):
    clerk: str = Field(min_length=1, max_length=100, description="The clerk taking the task")


class DecideBody(Body):
    decision: Decision
    reasons: list[str] = Field(default_factory=list, max_length=50)
    clerk: str = Field(min_length=1, max_length=100)
    round: int | None = Field(default=None, ge=1, description="The round decided (default: the current one)")
    license: LicenseTerms | None = None
