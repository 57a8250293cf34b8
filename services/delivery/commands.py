"""What clerks send to delivery: one pydantic model per request body."""
from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class ConfirmPickup(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    pickup_code: str = Field(pattern=r"^\d{6}(\d{2})?$", description=(
        "The eight-digit code the applicant shows (six digits for codes issued before codes grew longer)"))
    id_number: str | None = Field(default=None, max_length=18, description=(
        "The collector's resident ID number, checked at the hall: it must be the applicant's (the holder's) when "
        "the case was a person's (required then; 422 id_number otherwise); a wrong one is refused (422)"))
