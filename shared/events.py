"""Every event of the suite: one pydantic model each, shared by producers and consumers.

On the wire an event is the plain JSON of `model_dump(mode="json")`: the envelope
(`event_type`, `event_id`, `case_id`, `occurred_at`, `schema_version`) and the `payload`.
"""
from __future__ import annotations

from datetime import date, datetime, timezone
from typing import TYPE_CHECKING, Annotated, Any, Literal, Union, get_args
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
    event_type: str = Field(description="What happened, e.g. case_accepted; the first word of the routing key")
    event_id: UUID = Field(default_factory=uuid4, description="Unique id; consumers deduplicate on it")
    case_id: str = Field(description="The case this event is about")
    occurred_at: datetime = Field(default_factory=utcnow, description="When it happened, UTC")
    schema_version: int = Field(default=1, description="Version of this event's schema")
    correlation_id: str | None = Field(default=None, description="Request or flow that caused it")
    if TYPE_CHECKING:
        # each event declares its own payload model; code that holds the base type reads it untyped
        payload: Any

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
    language: Literal["zh", "mn"] = Field(default="zh", description=(
        "The applicant's language for texts and documents: zh (Chinese) or mn (traditional Mongolian)"))


class PlannedItem(Model):
    item_code: str = Field(description="Catalog item code")
    item_name: str = Field(description="Item name in Chinese")
    department: str = Field(description="Department code that decides the item")
    prerequisites: list[str] = Field(default_factory=list, description="Items that must be approved first")
    promised_days: int = Field(default=0, ge=0, description="Promised limit in working days")
    fields: list[str] = Field(default_factory=list, description="Form field codes the item uses")


class DeferredMaterial(Model):
    """A material accepted missing (容缺) under the applicant's commitment (承诺), and its supply deadline."""
    code: str = Field(description="Material code from the matter's list")
    name: str = Field(default="", description="Material name in Chinese")
    supply_days: int = Field(default=0, ge=0, description="Working days from acceptance to supply it")
    due_date: date = Field(description="The last day to supply it, Asia/Shanghai")


class Deficiency(Model):
    target: str = Field(description="Field path or material code")
    code: str = Field(description="Machine-readable problem code")
    message_zh: str
    message_en: str


class TakingPointRef(Model):
    """The hall, window, village service point or bank branch (政银合作) that took the case (intake.taking_points)."""
    code: str = Field(description="The point's configured code")
    name: str = Field(description="The point's name")
    channel: str = Field(description="window, service_point or bank_branch")
    region: str = Field(description="Division code of where the point stands")
    banner: str = Field(description="The point's banner (6 digits): another than the case's is 全市通办")


class CaseSubmittedPayload(Model):
    matter_code: str
    channel: str
    region_code: str
    catalog_version: str
    taking_point: TakingPointRef | None = Field(default=None, description="Where it was taken; None: not said")


class CaseSubmitted(Event):
    event_type: Literal["case_submitted"] = "case_submitted"
    payload: CaseSubmittedPayload


class CorrectionRequestedPayload(Model):
    notice_id: str
    deficiencies: list[Deficiency]
    due_date: date | None = None
    matter_code: str | None = Field(default=None, description="The matter applied for")
    contact: Contact | None = Field(default=None, description="Whom delivery notifies of the notice")


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
    holder_id: str | None = Field(default=None, description=(
        "Applicant's credit code or resident ID number (personal data): holder of the e-licenses the case issues "
        "to the applicant (the catalog's license_holder says which)"))
    holder_kind: Literal["person", "company"] | None = Field(default=None, description=(
        "person: holder_id is a resident ID number (also a founder applying for a company not yet registered); "
        "company: a unified social credit code"))
    taking_point: TakingPointRef | None = Field(default=None, description="Where it was taken; None: not said")
    due_date: date | None = Field(default=None, description="The promised deadline (working days), Asia/Shanghai")
    lookup_code: str | None = Field(default=None, description=(
        "The applicant's code for the status page /track/{case_id}?code= (a credential: never logged); the "
        "texts to the applicant link to it"))
    deferred: list[DeferredMaterial] = Field(default_factory=list, description=(
        "Materials accepted missing under the applicant's commitment, each with its supply deadline"))


class CaseAccepted(Event):
    event_type: Literal["case_accepted"] = "case_accepted"
    payload: CaseAcceptedPayload


def department_key(department: str, unit: str | None) -> str:
    """The department, or its level unit `<department>.<division code>`, as it appears in routing keys."""
    return department if unit is None else f"{department}.{unit}"


class JointTask(Model):
    """One joint review, inspection or acceptance serving several items of a case, scheduled once."""
    task_id: str = Field(description="case_id:session; every item's decision references it")
    session: str = Field(description="Catalog joint_session code")
    kind: Literal["review", "inspection", "acceptance"]
    items: list[str] = Field(description="Items the joint task serves")
    departments: list[str] = Field(description="Departments taking part")
    scheduled_on: date = Field(description="Working day the joint task takes place")
    time: str | None = Field(default=None, description="Time of day it starts (HH:MM, Asia/Shanghai)")
    place: str | None = Field(default=None, description="The site's address from the case form, where it has one")
    lead_department: str | None = Field(default=None, description="The department that records the visit")


class ApprovalRequestedPayload(Model):
    request_id: str = Field(description="case_id:item_code; the task's identity")
    matter_code: str
    item_code: str
    item_name: str
    department: str
    promised_days: int = Field(ge=0)
    form: dict[str, Any] = Field(default_factory=dict, description="Form fields the item uses")
    materials: list[dict[str, Any]] = Field(default_factory=list)
    unit: str | None = Field(default=None, description="Division code of the level unit deciding; None: the department")
    level: str = Field(default="banner", description="village, township, banner or city")
    routing_reason: str = Field(default="", description="Why the item went to this department and level")
    round: int = Field(default=1, ge=1, description="1, then 2, 3… each time the applicant supplied a supplement")
    due_date: date | None = Field(default=None, description="The department's deadline for the item (working days)")
    case_due_date: date | None = Field(default=None, description="The case's deadline")
    license_type: str | None = Field(default=None, description="E-license the item issues when approved")
    holder_id: str | None = Field(default=None, description=(
        "Credit code or ID number of the license's holder (personal data); for a holder not identified when "
        "applying (catalog license_holder newborn or new-company) `<case_id>/<kind>`"))
    holder_name: str | None = Field(default=None, description="Holder's name (personal data)")
    joint_task: JointTask | None = Field(default=None, description="Joint review/inspection/acceptance it shares")
    deferred: list[DeferredMaterial] = Field(default_factory=list, description=(
        "Materials of the case accepted missing under the applicant's commitment (容缺), with their deadlines"))


class ApprovalRequested(Event):
    event_type: Literal["approval_requested"] = "approval_requested"
    payload: ApprovalRequestedPayload

    @property
    def routing_key(self) -> str:
        return f"approval_requested.{department_key(self.payload.department, self.payload.unit)}"


class ApprovalCancelledPayload(Model):
    request_id: str
    item_code: str
    department: str
    unit: str | None = None
    reason: Literal["case_rejected", "case_withdrawn"]
    note: str = Field(default="", description="Why, for the department's clerk")


class ApprovalCancelled(Event):
    """An item still with its department is no longer needed: stop work on it."""
    event_type: Literal["approval_cancelled"] = "approval_cancelled"
    payload: ApprovalCancelledPayload

    @property
    def routing_key(self) -> str:
        return f"approval_cancelled.{department_key(self.payload.department, self.payload.unit)}"


class LicenseTerms(Model):
    """What a department says about the e-license its approval issues (all optional)."""
    issue: bool = Field(default=True, description="False: this approval issues no license")
    valid_until: date | None = Field(default=None, description="None: the configured validity")
    remarks: str = ""


class DepartmentDecidedPayload(Model):
    request_id: str = Field(description="The approval request decided (case_id:item_code)")
    item_code: str
    department: str
    unit: str | None = None
    round: int = Field(default=1, ge=1, description="The request's round being decided")
    decision: Decision
    reasons: list[str] = Field(default_factory=list, description="Required for rejected and supplement_requested")
    decided_by: str = Field(min_length=1, max_length=100, description="Clerk or system that decided")
    license: LicenseTerms | None = None
    legal_basis: str | None = Field(default=None, max_length=1000, description=(
        "The law and article a rejection rests on (required for rejected: the written decision quotes it)"))


class DepartmentDecided(Event):
    """A department system's decision, published to the yici.decisions exchange (see services/approval/client.py)."""
    event_type: Literal["department_decided"] = "department_decided"
    payload: DepartmentDecidedPayload

    @property
    def routing_key(self) -> str:
        return f"department_decision.{self.payload.department}"


DecisionAnswer = Literal["recorded", "already_decided", "cancelled", "unknown_request", "stale_round",
                         "invalid"]


class DecisionAnsweredPayload(Model):
    decision_event_id: UUID = Field(description="event_id of the department_decided message answered")
    request_id: str
    department: str
    unit: str | None = None
    status: DecisionAnswer = Field(description="recorded once; anything else changed nothing")
    decision: Decision | None = Field(default=None, description="The decision on record for the request")
    licenses: list[str] = Field(default_factory=list, description="E-licenses issued by the recorded decision")
    message_zh: str = ""
    message_en: str = ""


class DecisionAnswered(Event):
    """Approval's answer to a department system's decision, delivered to that department's queue."""
    event_type: Literal["decision_answered"] = "decision_answered"
    payload: DecisionAnsweredPayload

    @property
    def routing_key(self) -> str:
        return f"decision_answered.{department_key(self.payload.department, self.payload.unit)}"


class SupplementProvidedPayload(Model):
    item_code: str = Field(description="The item whose department asked for the supplement")
    request_id: str | None = Field(default=None, description="case_id:item_code, when known")
    form: dict[str, Any] = Field(default_factory=dict, description="Form values supplied or corrected")
    materials: list[dict[str, Any]] = Field(default_factory=list, description="Materials supplied")
    note: str = Field(default="", description="The applicant's or window's note")


class SupplementProvided(Event):
    """The applicant supplied what a department asked for during approval (emitted by intake)."""
    event_type: Literal["supplement_provided"] = "supplement_provided"
    payload: SupplementProvidedPayload


class ApprovalDecidedPayload(Model):
    request_id: str
    item_code: str
    department: str
    decision: Decision
    reasons: list[str] = Field(default_factory=list)
    decided_by: str = Field(description="Clerk, department system or 'auto'")
    licenses: list[str] = Field(default_factory=list, description="Numbers of e-licenses issued")
    unit: str | None = Field(default=None, description="Level unit that decided, if not the department")
    round: int = Field(default=1, ge=1, description="The request's round decided")
    joint_task_id: str | None = Field(default=None, description="Joint review/inspection the decision rests on")
    joint_visit_id: str | None = Field(default=None, description="The joint visit's record the decision refers to")
    legal_basis: str | None = Field(default=None, description="The legal basis of a rejection")
    decision_document: dict[str, Any] | None = Field(default=None, description=(
        "A rejection's written decision (不予许可决定书): its content and the department's e-seal over it"))
    supplement_days: int | None = Field(default=None, ge=1, le=60, description=(
        "A supplement request's working days to supply, as the department set it (None: routing's default)"))


class ApprovalDecided(Event):
    event_type: Literal["approval_decided"] = "approval_decided"
    payload: ApprovalDecidedPayload


LicenseAction = Literal["revoked", "corrected", "replaced"]


class LicenseChangedPayload(Model):
    """An issued e-license changed in the registry: revoked (吊销/撤销), corrected (更正) or replaced (换发/补发)."""
    number: str = Field(description="The license changed")
    action: LicenseAction
    reason: str = Field(description="Why, as the department recorded it")
    changed_on: date = Field(description="The day of the change (Asia/Shanghai)")
    department: str = Field(description="The issuing department, which made the change")
    license_type: str
    holder_id: str = Field(description="Credit code or ID number of the holder (personal data)")
    replaced_by: str | None = Field(default=None, description="replaced: the number of the new license")
    valid_until: date | None = Field(default=None, description="The (new) license's validity; None: long-term")


class LicenseChanged(Event):
    """A license a case earned changed: a revoked one no longer counts as a supplied material."""
    event_type: Literal["license_changed"] = "license_changed"
    payload: LicenseChangedPayload


class CaseCompletedPayload(Model):
    matter_code: str
    items: list[str]
    licenses: list[str] = Field(default_factory=list)
    delivery: DeliveryChoice
    contact: Contact
    holder_id: str | None = Field(default=None, description=(
        "The applicant's resident ID number or credit code, as case_accepted carried it (personal data): who may "
        "collect the result at the hall (delivery checks the collector's ID number against it)"))
    holder_kind: Literal["person", "company"] | None = Field(default=None, description=(
        "person: holder_id is a resident ID number; company: a unified social credit code"))
    lookup_code: str | None = Field(default=None, description=(
        "The status page's code (a credential: never logged): the completion text links to the page, where the "
        "case is rated"))


class CaseCompleted(Event):
    event_type: Literal["case_completed"] = "case_completed"
    payload: CaseCompletedPayload


class ApprovedItem(Model):
    item_code: str
    item_name: str = ""
    department: str
    licenses: list[str] = Field(default_factory=list, description="E-licenses it issued: they stay valid")


class CaseRejectedPayload(Model):
    matter_code: str
    item_code: str
    department: str
    reasons: list[str]
    cancelled_items: list[str] = Field(default_factory=list)
    contact: Contact
    item_name: str = Field(default="", description="The rejected item's name")
    legal_basis: str | None = Field(default=None, description="The legal basis the department gave")
    decided_on: date | None = Field(default=None, description="Date of the decision, Asia/Shanghai")
    approved_items: list[ApprovedItem] = Field(default_factory=list, description=(
        "Items approved before the rejection, with their licenses (which stay valid)"))
    decision_document: dict[str, Any] | None = Field(default=None, description=(
        "The written decision (不予许可决定书) as the department sealed it"))
    delivery: DeliveryChoice | None = Field(default=None, description=(
        "How the applicant chose to receive results: the written decision goes out the same way"))
    lookup_code: str | None = Field(default=None, description="The status page's code (a credential: never logged)")


class CaseRejected(Event):
    event_type: Literal["case_rejected"] = "case_rejected"
    payload: CaseRejectedPayload


class SupplementRequestedPayload(Model):
    item_code: str = Field(description="The item whose department asked for a supplement")
    item_name: str = ""
    department: str
    round: int = Field(default=1, ge=1, description="The round the department suspended")
    reasons: list[str] = Field(default_factory=list, description="What the department asks for, in its words")
    due_date: date = Field(description="Supply by this date (working days), Asia/Shanghai")
    matter_code: str
    contact: Contact
    lookup_code: str | None = Field(default=None, description="The status page's code (a credential: never logged)")


class SupplementRequested(Event):
    """A department asked for a supplement during approval and the item's clock stopped (emitted by routing so
    the applicant is told: delivery texts it, intake shows it)."""
    event_type: Literal["supplement_requested"] = "supplement_requested"
    payload: SupplementRequestedPayload


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
    hall: str | None = Field(default=None, description="Hall where a pickup waits")
    courier: str | None = Field(default=None, description="Courier carrying a mailed result")
    expires_at: datetime | None = Field(default=None, description="When an online download link expires")
    reason: str | None = Field(default=None, description="Why a delivery was dispatched again, e.g. returned_to_pickup")


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


class CaseRatedPayload(Model):
    """好差评 given by the applicant on the status page (intake checked the lookup code and that the case
    concluded); oversight takes it like a rating over its API."""
    score: int = Field(ge=1, le=5, description="1 非常不满意 … 5 非常满意")
    dimensions: dict[str, int] = Field(default_factory=dict)
    comment: str = Field(default="", max_length=500)
    item_code: str | None = Field(default=None, description="The item rated, if the applicant named one")


class CaseRated(Event):
    event_type: Literal["case_rated"] = "case_rated"
    payload: CaseRatedPayload


class RectificationClosedPayload(Model):
    """A bad rating's rectification, closed by the department it went to (or a supervisor): what was done."""
    task_id: str
    department: str = Field(description="The department the rectification went to")
    department_name: str = Field(default="", description="Its name in the catalog")
    note: str = Field(description="What was done about the bad rating (told to the applicant)")
    closed_on: date
    closed_by: str = Field(description="department, or supervisor")


class RectificationClosed(Event):
    event_type: Literal["rectification_closed"] = "rectification_closed"
    payload: RectificationClosedPayload


class DeferredSuppliedPayload(Model):
    materials: list[DeferredMaterial] = Field(min_length=1, description="The deferred materials now supplied")
    supplied_on: date = Field(description="Asia/Shanghai")


class DeferredSupplied(Event):
    """The applicant supplied materials accepted missing under the commitment (also after completion)."""
    event_type: Literal["deferred_supplied"] = "deferred_supplied"
    payload: DeferredSuppliedPayload


class CaseNotAcceptedPayload(Model):
    reason: Literal["correction_overdue"] = Field(description="correction_overdue: the notice was not answered in time")
    notice_id: str | None = None
    due_date: date | None = Field(default=None, description="The notice's deadline that passed")
    matter_code: str | None = None
    contact: Contact | None = Field(default=None, description="Whom delivery notifies")


class CaseNotAccepted(Event):
    """不予受理: the application is closed without acceptance (its correction notice was not answered in time)."""
    event_type: Literal["case_not_accepted"] = "case_not_accepted"
    payload: CaseNotAcceptedPayload


class CommitmentDueSoonPayload(Model):
    materials: list[DeferredMaterial] = Field(min_length=1, description="Deferred materials still to supply")
    due_date: date = Field(description="The earliest of their deadlines")
    matter_code: str | None = None
    contact: Contact | None = Field(default=None, description="Whom delivery reminds")


class CommitmentDueSoon(Event):
    """Oversight reminds the applicant that a committed supply deadline nears (delivery texts it)."""
    event_type: Literal["commitment_due_soon"] = "commitment_due_soon"
    payload: CommitmentDueSoonPayload


class SupervisionWarningPayload(Model):
    level: Literal["yellow", "red"]
    scope: Literal["case", "item", "rectification", "commitment"]
    item_code: str | None = None
    department: str
    due_date: date
    used_share: float
    task_id: str | None = Field(default=None, description="Rectification task the warning is about")
    material_code: str | None = Field(default=None, description="Deferred material whose supply deadline it is about")


class SupervisionWarning(Event):
    event_type: Literal["supervision_warning"] = "supervision_warning"
    payload: SupervisionWarningPayload


class DeadlineChangedPayload(Model):
    due_date: date = Field(description="The case's deadline now, Asia/Shanghai, suspensions accounted for")
    suspended: bool = Field(default=False, description="The clock is stopped (a supplement is awaited)")


class DeadlineChanged(Event):
    """Oversight's SLA clock moved the case's deadline (a suspension or resumption): intake shows it."""
    event_type: Literal["deadline_changed"] = "deadline_changed"
    payload: DeadlineChangedPayload


class AuditActor(Model):
    """Who read or decided: a token client (by its configured name) or a staff member acting through one."""
    kind: Literal["client", "staff", "system"] = Field(description="client: a bearer-token client; staff: a named "
                                                                   "person acting through one; system: a service")
    name: str = Field(description="The client's configured name, or the staff member's name")
    role: str = Field(description="Role of the token used: frontend, clerk, department, supervisor")
    department: str | None = Field(default=None, description="The department a department client is bound to")
    client: str | None = Field(default=None, description="For staff: the name of the token client they used")


class AuditRecordedPayload(Model):
    """One entry of the audit trail: a read of a case's personal data or a decision. Never the raw ID number."""
    action: str = Field(description="What was done, e.g. case.plan.read, license.holder_lookup, task.decided")
    actor: AuditActor
    service: str = Field(description="The service that answered or decided")
    purpose: str = Field(description="The purpose stated with the request, or the route's fixed purpose")
    subject: str | None = Field(default=None, description=(
        "Whose personal data: a keyed pseudonym (HMAC-SHA256) of the ID number or credit code, never the number"))
    client_address: str | None = Field(default=None, description="Network address the request came from")
    outcome: str = Field(default="answered", description="answered, or the decision taken")


class AuditRecorded(Event):
    """A service read a case's personal data or recorded a decision: oversight appends it to the hash chain."""
    event_type: Literal["audit_recorded"] = "audit_recorded"
    payload: AuditRecordedPayload


class StaffSessionEndedPayload(Model):
    session_id: str = Field(description="The ended session's id (as signed into its cookie)")
    account_id: str = Field(description="The staff account it belonged to")
    expires_at: float = Field(description="When the session would have expired (epoch seconds): forget it after")


class StaffSessionEnded(Event):
    """A person signed out (oversight): every service refuses the session's signed cookie from now on.
    case_id is empty: the event is about no case."""
    event_type: Literal["staff_session_ended"] = "staff_session_ended"
    payload: StaffSessionEndedPayload


class StaffAccountDisabledPayload(Model):
    account_id: str = Field(description="The disabled staff account")
    disabled_at: float = Field(description="Epoch seconds: every session of the account issued until then is refused")


class StaffAccountDisabled(Event):
    """An administrator disabled a staff account (or reset its password): all its sessions end, everywhere."""
    event_type: Literal["staff_account_disabled"] = "staff_account_disabled"
    payload: StaffAccountDisabledPayload


AnyEvent = Annotated[Union[CaseSubmitted, CorrectionRequested, CaseAccepted, ApprovalRequested,
                           ApprovalDecided, CaseCompleted, CaseRejected, CaseWithdrawn,
                           DeliveryDispatched, DeliveryCompleted, RatingReceived, SupervisionWarning,
                           ApprovalCancelled, DepartmentDecided, DecisionAnswered, SupplementProvided,
                           DeadlineChanged, AuditRecorded, SupplementRequested, LicenseChanged,
                           DeferredSupplied, CaseNotAccepted, CommitmentDueSoon, CaseRated, RectificationClosed,
                           StaffSessionEnded, StaffAccountDisabled],
                   Field(discriminator="event_type")]
EVENT_TYPES: dict[str, type[Event]] = {
    cls.model_fields["event_type"].default: cls for cls in get_args(get_args(AnyEvent)[0])
}
_ADAPTER: TypeAdapter[Event] = TypeAdapter(AnyEvent)


def parse_event(data: dict[str, Any] | bytes | str) -> Event:
    """Validate wire data into its event model; raises pydantic.ValidationError."""
    if isinstance(data, (bytes, str)):
        return _ADAPTER.validate_json(data)
    return _ADAPTER.validate_python(data)


def event_json_schema(event_type: str) -> dict[str, Any]:
    """The JSON Schema of one event on the wire: the snapshots in tests/contract/schemas and shared/asyncapi.py."""
    return EVENT_TYPES[event_type].model_json_schema(mode="serialization")
