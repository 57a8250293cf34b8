"""What department clerks send to approval's worklist: one pydantic model per request body."""
from __future__ import annotations

from datetime import date
from typing import Literal

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
    legal_basis: str | None = Field(default=None, max_length=1000, description=(
        "Required when rejecting: the law and article the rejection rests on (the written decision quotes it)"))
    supplement_days: int | None = Field(default=None, ge=1, le=60, description=(
        "When asking for a supplement: the working days the applicant has to supply it (default: the "
        "deployment's routing.supplement_days)"))


class RecordVisit(Body):
    """The one record of a joint inspection (联合踏勘), by its lead department: who came, what they found."""
    clerk: str = Field(min_length=1, max_length=100, description="The lead department's clerk recording it")
    attended: list[str] = Field(min_length=1, max_length=20, description="Departments that took part (codes)")
    findings: str = Field(min_length=1, max_length=2000, description="What the departments found on site")


class JoinVisit(Body):
    clerk: str = Field(min_length=1, max_length=100, description="The clerk who will take part")


class ChangeLicense(Body):
    """Revoke (吊销/撤销) a license: why, and the clerk who does it."""
    reason: str = Field(min_length=1, max_length=500, description="Why, as the change record states it")
    clerk: str = Field(min_length=1, max_length=100)


class Corrections(Body):
    """The fields of a license that a correction may change (the holder and the type never: issue anew)."""
    title: str | None = Field(default=None, min_length=1, max_length=200)
    holder_name: str | None = Field(default=None, min_length=1, max_length=200)
    unit: str | None = Field(default=None, max_length=20)
    remarks: str | None = Field(default=None, max_length=500)
    valid_until: date | None = None


class CorrectLicense(ChangeLicense):
    corrections: Corrections


class ReplaceLicense(ChangeLicense):
    """换发 (renewal) or 补发 (a lost or damaged license reissued): a new number, the old one replaced."""
    kind: Literal["renewal", "reissue"] = "reissue"
    corrections: Corrections | None = None


class _Document(BaseModel):
    """Only the shape is checked: the document is verified as sent (its signature covers its exact content)."""
    model_config = ConfigDict(extra="allow")


class LicenseContent(_Document):
    number: str | None = Field(default=None, max_length=100)
    issuing_department: str | None = Field(default=None, max_length=100)
    license_type: str | None = Field(default=None, max_length=100)
    issued_on: str | None = Field(default=None, max_length=40)
    valid_until: str | None = Field(default=None, max_length=40)


class SealRecord(_Document):
    algorithm: str | None = Field(default=None, max_length=40)
    department: str | None = Field(default=None, max_length=100)
    key_id: str | None = Field(default=None, max_length=200)
    signature: str | None = Field(default=None, max_length=2000)


class VerifyDocument(BaseModel):
    """A downloaded e-license as its holder presents it: the content and the seal over it."""
    model_config = ConfigDict(extra="ignore")
    content: LicenseContent
    seal: SealRecord | None = None
