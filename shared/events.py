"""Every event of the suite: one pydantic model each, shared by producers and consumers.

On the wire an event is the plain JSON of `model_dump(mode="json")`: the envelope
(`event_type`, `event_id`, `case_id`, `occurred_at`, `schema_version`) and the `payload`.
"""
from __future__ import annotations

from datetime import date, datetime, timezone
from typing import Annotated, Any, Literal, Union
from uuid import UUID, uuid4

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

Decision = Literal["approved", "rejected", "supplement_requested"]
DeliveryMethod = Literal["pickup", "mail", "online"]


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Event(Model):
    """The envelope every event carries."""
    event_type: str
    event_id: UUID = Field(default_factory=uuid4, description="Unique id; consumers deduplicate on it")
    case_id: str = Field(description="The case this event is about")
    occurred_at: datetime = Field(default_factory=utcnow, description="When it happened, UTC")
    schema_version: int = Field(default=1, description="Version of this event's schema")
    correlation_id: str | None = Field(default=None, description="Request or flow that caused it")

    @property
    def routing_key(self) -> str:
        return self.event_type

    def to_wire(self) -> dict[str, Any]:
        return self.model_dump(mode="json")


class DeliveryChoice(Model):
    method: DeliveryMethod = Field(description="pickup at a hall, free mail, or online")
    hall: str | None = Field(default=None, description="Hall for pickup")
    address: str | None = Field(default=None, description="Postal address for mail")


class Contact(Model):
    """How to reach the applicant; personal data, never logged."""
    name: str = Field(description="Applicant's name (personal data)")
    phone: str | None = Field(default=None, description="Mobile number (personal data)")


class PlannedItem(Model):
    item_code: str = Field(description="Catalog item code")
    item_name: str = Field(description="Item name in Chinese")
    department: str = Field(description="Department code that decides the item")
    prerequisites: list[str] = Field(default_factory=list, description="Items that must be approved first")
    promised_days: int = Field(default=0, ge=0, description="Promised limit in working days")
    fields: list[str] = Field(default_factory=list, description="Form field codes the item uses")


class Deficiency(Model):
    target: str = Field(description="Field path or material code")
    code: str = Field(description="Machine-readable problem code")
    message_zh: str
    message_en: str


class CaseSubmittedPayload(Model):
    matter_code: str
    channel: str
    region_code: str
    catalog_version: str


class CaseSubmitted(Event):
    event_type: Literal["case_submitted"] = "case_submitted"
    payload: CaseSubmittedPayload


class CorrectionRequestedPayload(Model):
    notice_id: str
    deficiencies: list[Deficiency]
    due_date: date | None = None


class CorrectionRequested(Event):
    event_type: Literal["correction_requested"] = "correction_requested"
    payload: CorrectionRequestedPayload


class CaseAcceptedPayload(Model):
    matter_code: str
    matter_name: str
    catalog_version: str
    channel: str
    region_code: str
    situations: list[str] = Field(default_factory=list)
    items: list[PlannedItem] = Field(min_length=1, description="The approval plan's items")
    promised_days: int = Field(ge=0, description="The matter's promised limit in working days")
    form: dict[str, Any] = Field(default_factory=dict, description="The one form's values")
    materials: list[dict[str, Any]] = Field(default_factory=list, description="Supplied materials")
    delivery: DeliveryChoice
    contact: Contact
    accepted_on: date = Field(description="Acceptance date, Asia/Shanghai")


class CaseAccepted(Event):
    event_type: Literal["case_accepted"] = "case_accepted"
    payload: CaseAcceptedPayload


class ApprovalRequestedPayload(Model):
    request_id: str = Field(description="case_id:item_code; the task's identity")
    matter_code: str
    item_code: str
    item_name: str
    department: str
    promised_days: int = Field(ge=0)
    form: dict[str, Any] = Field(default_factory=dict, description="Form fields the item uses")
    materials: list[dict[str, Any]] = Field(default_factory=list)


class ApprovalRequested(Event):
    event_type: Literal["approval_requested"] = "approval_requested"
    payload: ApprovalRequestedPayload

    @property
    def routing_key(self) -> str:
        return f"approval_requested.{self.payload.department}"


class ApprovalDecidedPayload(Model):
    request_id: str
    item_code: str
    department: str
    decision: Decision
    reasons: list[str] = Field(default_factory=list)
    decided_by: str = Field(description="Clerk, department system or 'auto'")
    licenses: list[str] = Field(default_factory=list, description="Numbers of e-licenses issued")


class ApprovalDecided(Event):
    event_type: Literal["approval_decided"] = "approval_decided"
    payload: ApprovalDecidedPayload


class CaseCompletedPayload(Model):
    matter_code: str
    items: list[str]
    licenses: list[str] = Field(default_factory=list)
    delivery: DeliveryChoice
    contact: Contact


class CaseCompleted(Event):
    event_type: Literal["case_completed"] = "case_completed"
    payload: CaseCompletedPayload


class CaseRejectedPayload(Model):
    matter_code: str
    item_code: str
    department: str
    reasons: list[str]
    cancelled_items: list[str] = Field(default_factory=list)
    contact: Contact


class CaseRejected(Event):
    event_type: Literal["case_rejected"] = "case_rejected"
    payload: CaseRejectedPayload


class CaseWithdrawnPayload(Model):
    reason: str = ""


class CaseWithdrawn(Event):
    event_type: Literal["case_withdrawn"] = "case_withdrawn"
    payload: CaseWithdrawnPayload


class DeliveryDispatchedPayload(Model):
    delivery_id: str
    method: DeliveryMethod
    pickup_code: str | None = None
    tracking_number: str | None = None


class DeliveryDispatched(Event):
    event_type: Literal["delivery_dispatched"] = "delivery_dispatched"
    payload: DeliveryDispatchedPayload


class DeliveryCompletedPayload(Model):
    delivery_id: str
    method: DeliveryMethod


class DeliveryCompleted(Event):
    event_type: Literal["delivery_completed"] = "delivery_completed"
    payload: DeliveryCompletedPayload


class RatingReceivedPayload(Model):
    score: int = Field(ge=1, le=5)
    dimensions: dict[str, int] = Field(default_factory=dict)
    comment: str = ""


class RatingReceived(Event):
    event_type: Literal["rating_received"] = "rating_received"
    payload: RatingReceivedPayload


class SupervisionWarningPayload(Model):
    level: Literal["yellow", "red"]
    scope: Literal["case", "item"]
    item_code: str | None = None
    department: str
    due_date: date
    used_share: float


class SupervisionWarning(Event):
    event_type: Literal["supervision_warning"] = "supervision_warning"
    payload: SupervisionWarningPayload


EVENT_TYPES: dict[str, type[Event]] = {
    cls.model_fields["event_type"].default: cls
    for cls in (CaseSubmitted, CorrectionRequested, CaseAccepted, ApprovalRequested,
                ApprovalDecided, CaseCompleted, CaseRejected, CaseWithdrawn,
                DeliveryDispatched, DeliveryCompleted, RatingReceived, SupervisionWarning)
}
AnyEvent = Annotated[Union[tuple(EVENT_TYPES.values())], Field(discriminator="event_type")]
_ADAPTER = TypeAdapter(AnyEvent)


def parse_event(data: dict[str, Any] | bytes | str) -> Event:
    """Validate wire data into its event model; raises pydantic.ValidationError."""
    if isinstance(data, (bytes, str)):
        return _ADAPTER.validate_json(data)
    return _ADAPTER.validate_python(data)
