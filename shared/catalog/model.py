"""The catalog's entities: departments, form fields, materials, items and matters."""
from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

Level = Literal["village", "township", "banner", "city"]
FieldType = Literal["string", "integer", "number", "boolean", "date", "enum"]
KEBAB = r"^[a-z0-9]+(-[a-z0-9]+)*$"
SNAKE = r"^[a-z][a-z0-9_]*$"


class Entity(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Department(Entity):
    """A department (or a utility / bank) that decides items."""

    code: str = Field(pattern=KEBAB)
    name: str = Field(min_length=1, description="Chinese name, e.g. 乌审旗市场监督管理局")
    level: Level
    key: str = Field(pattern=r"^[A-Z]+$", description="short key such as SCJG")
    kind: Literal["government", "utility", "bank"] = "government"


class FieldConstraints(Entity):
    max_length: int | None = Field(default=None, ge=1)
    min_length: int | None = Field(default=None, ge=0)
    pattern: str | None = None
    minimum: float | None = None
    maximum: float | None = None
    enum: list[str] | None = None
    format: Literal["resident-id"] | None = Field(default=None, description=(
        "what the value is beyond its pattern: resident-id is checked like the applicant's ID number (check "
        "character, birth date; shared/identifiers.py), a wrong one refused with 422 at submission"))


class FormField(Entity):
    """One question of a department form; shared by every item that asks it."""

    code: str = Field(pattern=SNAKE)
    label: str = Field(min_length=1)
    type: FieldType
    required: bool = True
    constraints: FieldConstraints = FieldConstraints()
    pii: bool = False
    description: str | None = None

    @model_validator(mode="after")
    def _enum_has_values(self) -> FormField:
        if self.type == "enum" and not self.constraints.enum:
            raise ValueError("an enum field needs constraints.enum values")
        return self


class FieldOverride(Entity):
    """How one item's own form declares a shared field (lint flags a different type)."""

    label: str | None = None
    type: FieldType | None = None
    required: bool | None = None
    constraints: FieldConstraints | None = None


class MaterialSpec(Entity):
    form: Literal["original", "copy", "electronic"]
    copies: int = Field(default=1, ge=0)


class Material(Entity):
    """A document the applicant supplies, or that a registry/department supplies for them."""

    code: str = Field(pattern=KEBAB)
    name: str = Field(min_length=1)
    spec: MaterialSpec
    source: Literal["applicant", "shared", "license_registry"] = "applicant"
    license_type: str | None = None
    deferrable: bool = False
    commitment_allowed: bool = False
    supply_days: int | None = Field(default=None, ge=0)
    acceptance_conditions: str = ""

    @model_validator(mode="after")
    def _registry_names_license(self) -> Material:
        if self.source == "license_registry" and not self.license_type:
            raise ValueError("a license_registry material needs a license_type")
        return self


class ExcludedStep(Entity):
    """A step (inspection, expert review, public notice…) that does not count toward the limit."""

    name: str
    note: str = ""


class Item(Entity):
    """One service item (政务服务事项) of one department."""

    code: str = Field(pattern=KEBAB)
    name: str = Field(min_length=1)
    department: str
    item_type: str = Field(description="行政许可/行政确认/行政给付/公共服务/备案/其他行政权力")
    legal_days: int = Field(ge=0)
    promised_days: int = Field(ge=0, description="working days; 0 = instant item")
    excluded_steps: list[ExcludedStep] = []
    prerequisites: list[str] = []
    situations: list[str] = []
    fee: float = Field(default=0, ge=0, description="yuan")
    materials: list[str] = []
    fields: list[str] = []
    field_overrides: dict[str, FieldOverride] = {}
    joint_session: str | None = None
    level: Level = "banner"
    license_type: str | None = None
    license_holder: Literal["applicant", "newborn", "new-company"] = Field(default="applicant", description=(
        "who holds the license the item issues: the applicant (person or company), or one not yet identified "
        "when applying: the newborn child (no 公民身份号码 before the household registration), the company being "
        "founded (no credit code before its registration)"))
    platform_code: str | None = Field(default=None, description=(
        "the regional platform's 事项编码 (implementation code: the implementing body's 18-character unified "
        "social credit code, 13 digits of the item, 2 more for a 业务办理项); only where sourced, never invented; "
        "its format is linted"))
    license_holder_name_field: str | None = Field(default=None, description=(
        "the form field naming a holder other than the applicant (e.g. newborn_name)"))

    @property
    def instant(self) -> bool:
        return self.promised_days == 0

    def license_to_applicant(self, company_applicant: bool | None) -> bool:
        """Does the license go to the applicant? Yes unless the catalog names another holder; a company being
        founded that applies with its own credit code (`company_applicant`) is that holder itself."""
        return self.license_holder == "applicant" or (self.license_holder == "new-company"
                                                       and company_applicant is not False)

    @model_validator(mode="after")
    def _holder_is_named(self) -> Item:
        if self.license_holder != "applicant" and not (self.license_type and self.license_holder_name_field
                                                       in self.fields):
            raise ValueError("a license held by someone other than the applicant needs a license_type and "
                             "license_holder_name_field, one of the item's fields")
        return self

    @model_validator(mode="after")
    def _promise_within_law(self) -> Item:
        if self.promised_days > self.legal_days:
            raise ValueError("promised_days exceeds legal_days")
        return self


class Situation(Entity):
    code: str = Field(pattern=KEBAB)
    label: str


BREACH_FOLLOW_UPS = {  # 承诺失信: what follows when a deferred material is not supplied by its deadline
    "credit_record": ("记入申请人信用记录，由牵头部门督促补交", "a credit record, and the lead department presses "
                      "for the material"),
    "revoke": ("依法撤销审批决定并记入申请人信用记录", "the approval is revoked by law, and a credit record"),
}


class Matter(Entity):
    """An integrated matter (一件事): one lead department bundling several items."""

    code: str = Field(pattern=KEBAB)
    name: str = Field(min_length=1)
    lead_department: str
    items: list[str] = Field(min_length=1)
    situations: list[Situation] = []
    item_situations: dict[str, list[str]] = Field(
        default={}, description="per item: the situations under which it applies here, replacing the item's own")
    promised_days: int = Field(ge=0)
    delivery_methods: list[Literal["pickup", "mail", "online"]] = Field(min_length=1)
    channels: list[Literal["online", "window", "service_point", "bank_branch"]] = Field(min_length=1)
    levels: list[Level] = ["banner"]
    citywide: bool = False
    life_cycle: Literal["individual", "enterprise"]
    audience: str
    visits_before: int = Field(ge=0)
    visits_after: int = Field(ge=0)
    fees_waived: bool = Field(default=False, description="the government pays the items' fees")
    commitment_breach: Literal["credit_record", "revoke"] = Field(default="credit_record", description=(
        "承诺失信: the follow-up when a material deferred under the applicant's commitment is not supplied by its "
        "deadline (see BREACH_FOLLOW_UPS); revoke only for a matter whose items issue a license"))

    @property
    def situation_codes(self) -> list[str]:
        return [s.code for s in self.situations]

    def situations_of(self, item: Item) -> list[str]:
        """The situations that select `item` in this matter (empty: always applies)."""
        return self.item_situations.get(item.code, item.situations)
