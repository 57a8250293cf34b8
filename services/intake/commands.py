"""What front-end systems send to intake: one pydantic model per request body."""
from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

Channel = Literal["online", "window", "service_point", "bank_branch"]


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Applicant(Body):
    kind: Literal["person", "company"]
    name: str = Field(min_length=1, max_length=100, description="Person's or company's name")
    id_number: str | None = Field(default=None, max_length=18, description=(
        "Resident ID number (a person; for a company being founded, which has no credit code yet, the founder)"))
    phone: str | None = Field(default=None, max_length=20, description="Mobile number")
    credit_code: str | None = Field(default=None, max_length=18, description="Unified social credit code (company)")
    legal_representative: str | None = Field(default=None, max_length=100)

    @model_validator(mode="after")
    def _identifier_for_kind(self) -> "Applicant":
        if self.kind == "person" and not self.id_number:
            raise ValueError("a person needs id_number / 个人申请人须提供身份证号码")
        if self.kind == "company" and not self.credit_code and not self.id_number:
            raise ValueError("a company needs credit_code, or, being founded, its founder's id_number / "
                             "企业申请人须提供统一社会信用代码；设立中的企业由设立人以其身份证号码申请")
        return self


class MaterialRef(Body):
    code: str = Field(min_length=1, max_length=100, description="Material code from the matter's list")
    file_ref: str | None = Field(default=None, max_length=200, description=(
        "Reference from POST /api/v1/files, uploaded by the same client (another's is refused, 422)"))
    sha256: str | None = Field(default=None, pattern=r"^[0-9a-f]{64}$")
    size: int | None = Field(default=None, ge=0)
    license_number: str | None = Field(default=None, max_length=100, description="An e-license in the registry")


class Delivery(Body):
    method: Literal["pickup", "mail", "online"]
    hall: str | None = Field(default=None, max_length=200, description=(
        "Pickup hall: one the deployment names (delivery.default_hall, delivery.halls); any other is refused (422)"))
    address: str | None = Field(default=None, max_length=300)

    @model_validator(mode="after")
    def _address_for_mail(self) -> "Delivery":
        if self.method == "mail" and not self.address:
            raise ValueError("mail delivery needs an address / 邮寄送达须填写地址")
        return self


class SubmitCase(Body):
    matter_code: str = Field(min_length=1, max_length=100)
    channel: Channel
    region_code: str = Field(pattern=r"^\d{6}(\d{3}(\d{3})?)?$", description="Division code, 6, 9 or 12 digits")
    applicant: Applicant
    situations: list[str] = Field(default_factory=list, max_length=20)
    form: dict[str, Any] = Field(default_factory=dict, max_length=200)
    materials: list[MaterialRef] = Field(default_factory=list, max_length=100)
    delivery: Delivery
    commitment: bool = Field(default=False, description="The applicant signs the commitment (承诺) for deferred materials")
    taking_point: str | None = Field(default=None, max_length=40, description=(
        "Code of the hall, window, village service point or bank branch (政银合作) taking the case, one of "
        "intake.taking_points (an unknown one is refused, 422); outside the banner only a city-wide matter "
        "(全市通办) is taken"))
    language: Literal["zh", "mn"] = Field(default="zh", description=(
        "The applicant's language, chosen once: zh (Chinese) or mn (traditional Mongolian, shown beside the "
        "Chinese); their texts (SMS), receipt, status page and decision come in it (ADR 0030)"))


class Supplement(Body):
    """What the applicant supplies: after a correction notice, for deferred materials, or for a department."""
    form: dict[str, Any] = Field(default_factory=dict, max_length=200)
    materials: list[MaterialRef] = Field(default_factory=list, max_length=100)
    item_code: str | None = Field(default=None, max_length=100,
                                  description="The item whose department asked for a supplement during approval")
    note: str = Field(default="", max_length=500)
    commitment: bool = Field(default=False, description=(
        "Answering a correction notice: the applicant signs the commitment (承诺) the notice offers, and the "
        "deferrable materials still missing are accepted deferred, each with its supply deadline"))


class DeferredFile(Body):
    """One deferred material supplied (POST /api/v1/cases/{id}/deferred/{material})."""
    file_ref: str | None = Field(default=None, max_length=200, description="Reference from POST /api/v1/files")
    sha256: str | None = Field(default=None, pattern=r"^[0-9a-f]{64}$")
    license_number: str | None = Field(default=None, max_length=100)


class Withdrawal(Body):
    reason: str = Field(default="", max_length=500)


class ClerkDeficiency(Body):
    target: str = Field(min_length=1, max_length=200, description="form.<field> or materials.<code>")
    message_zh: str = Field(min_length=1, max_length=500)
    message_en: str = Field(default="", max_length=500)


class ClerkNotice(Body):
    deficiencies: list[ClerkDeficiency] = Field(min_length=1, max_length=100)


class ClerkAcceptance(Body):
    note: str = Field(default="", max_length=500)
    commitment: bool = Field(default=False, description=(
        "The applicant signed the commitment (承诺) at the window, witnessed by the clerk (recorded as "
        "commitment_witness): the deferrable materials still missing are accepted deferred"))


class RateFromPage(Body):
    """The status page's rating form (好差评): 1 非常不满意 … 5 非常满意, optionally about one item."""
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)
    score: int = Field(ge=1, le=5)
    comment: str = Field(default="", max_length=500)
    item_code: str | None = Field(default=None, max_length=100)

    @field_validator("item_code", mode="before")
    @classmethod
    def _blank_is_none(cls, value: object) -> object:
        return None if value == "" else value
