"""The approval plan of a case: parallel release of items whose prerequisites are met, one outcome."""
from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

WAITING, REQUESTED, APPROVED, REJECTED, CANCELLED, SUSPENDED = (
    "waiting", "requested", "approved", "rejected", "cancelled", "supplement_requested")
OPEN, COMPLETED, CASE_REJECTED, WITHDRAWN = "open", "completed", "rejected", "withdrawn"
WITH_DEPARTMENT = (REQUESTED, SUSPENDED)


class Outcome(enum.Enum):
    IGNORED = "ignored"          # a duplicate, late or unknown decision: nothing changes
    PROGRESSED = "progressed"    # more items released, or still waiting for others
    SUSPENDED = "suspended"      # a department asked for a supplement
    COMPLETED = "completed"
    REJECTED = "rejected"


@dataclass
class PlanItem:
    code: str
    name: str
    department: str
    prerequisites: list[str]
    promised_days: int = 0
    fields: list[str] = field(default_factory=list)
    status: str = WAITING
    licenses: list[str] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)
    level: str = "banner"
    unit: str | None = None
    routing: dict[str, Any] = field(default_factory=dict)
    joint_session: str | None = None
    joint_task_id: str | None = None
    license_type: str | None = None
    round: int = 1
    requested_on: date | None = None
    due_date: date | None = None
    suspensions: list[dict[str, Any]] = field(default_factory=list)
    decided_by: str | None = None


@dataclass
class Plan:
    case_id: str
    matter_code: str
    items: dict[str, PlanItem]
    status: str = OPEN
    joint_tasks: dict[str, dict[str, Any]] = field(default_factory=dict)
    told: list[PlanItem] = field(default_factory=list, repr=False)  # with departments when the plan closed

    def request_id(self, item: PlanItem) -> str:
        return f"{self.case_id}:{item.code}"

    def release(self) -> list[PlanItem]:
        """Items whose prerequisites are all approved go out now, all at once."""
        if self.status != OPEN:
            return []
        ready = [i for i in self.items.values() if i.status == WAITING and self._met(i)]
        for item in ready:
            item.status = REQUESTED
        return ready

    def _met(self, item: PlanItem) -> bool:
        return all(self.items[p].status == APPROVED for p in item.prerequisites if p in self.items)

    def record(self, item_code: str, decision: str, reasons: Sequence[str] = (), licenses: Sequence[str] = (),
               round: int | None = None, decided_by: str | None = None) -> Outcome:
        """Record one department decision; a duplicate, late or stale one changes nothing."""
        item = self.items.get(item_code)
        if self.status != OPEN or item is None or item.status not in WITH_DEPARTMENT:
            return Outcome.IGNORED
        if round is not None and round != item.round:
            return Outcome.IGNORED
        if item.status == SUSPENDED and decision == "supplement_requested":
            return Outcome.IGNORED
        item.reasons, item.licenses, item.decided_by = list(reasons), list(licenses), decided_by
        if decision == "approved":
            return self._approve(item)
        if decision == "rejected":
            return self._reject(item)
        item.status = SUSPENDED
        return Outcome.SUSPENDED

    def _approve(self, item: PlanItem) -> Outcome:
        item.status = APPROVED
        if all(i.status == APPROVED for i in self.items.values()):
            self.status = COMPLETED
            return Outcome.COMPLETED
        return Outcome.PROGRESSED

    def _reject(self, item: PlanItem) -> Outcome:
        item.status = REJECTED
        self._close(CASE_REJECTED)
        return Outcome.REJECTED

    def supply(self, item_code: str) -> PlanItem | None:
        """The applicant supplied what the department asked for: the item goes back, one round later."""
        item = self.items.get(item_code)
        if self.status != OPEN or item is None or item.status != SUSPENDED:
            return None
        item.status, item.round = REQUESTED, item.round + 1
        return item

    def withdraw(self) -> list[PlanItem]:
        """Close the plan; returns items still with departments, which must be told."""
        if self.status != OPEN:
            return []
        return self._close(WITHDRAWN)

    def _close(self, status: str) -> list[PlanItem]:
        self.status = status
        told = [i for i in self.items.values() if i.status in WITH_DEPARTMENT]
        for item in self.items.values():
            if item.status in (WAITING, *WITH_DEPARTMENT):
                item.status = CANCELLED
        self.told = told
        return told

    def suspended(self) -> list[PlanItem]:
        return [i for i in self.items.values() if i.status == SUSPENDED]

    def cancelled(self) -> list[str]:
        return [i.code for i in self.items.values() if i.status == CANCELLED]

    def licenses(self) -> list[str]:
        return [number for item in self.items.values() for number in item.licenses]

    def schedule_joint(self, ready: list[PlanItem], on: date, slot: Slot | None = None) -> list[dict[str, Any]]:
        """One joint task per shared session, booked once (date, time, place, lead) the first time one of its
        items goes out: the plan is locked while it is booked, so redeliveries and replicas book nothing more."""
        new = []
        for item in ready:
            session, members = item.joint_session, self._session_members(item.joint_session)
            if session is None or len(members) < 2:
                continue
            if session not in self.joint_tasks:
                self.joint_tasks[session] = _joint_task(self.case_id, session, members, on, slot or Slot())
                new.append(self.joint_tasks[session])
            for member in members:
                member.joint_task_id = self.joint_tasks[session]["task_id"]
        return new

    def _session_members(self, session: str | None) -> list[PlanItem]:
        if not session:
            return []
        return [i for i in self.items.values() if i.joint_session == session]


JOINT_KINDS = (("acceptance", "acceptance"), ("review", "review"), ("inspection", "inspection"),
               ("survey", "inspection"))


def joint_kind(session: str) -> str:
    """联合验收 / 联合评审 / 联合勘验, read from the session's code (inspection when it says nothing)."""
    return next((kind for word, kind in JOINT_KINDS if word in session), "inspection")


@dataclass(frozen=True)
class Slot:
    """What an appointment is booked with besides its day: the time, the site, the department that leads."""
    time: str | None = None
    place: str | None = None
    lead: str | None = None  # the matter's lead department; when it takes no part, the first member's leads


def site_of(form: dict[str, Any], fields: Sequence[str]) -> str | None:
    """The site's address: the first of `fields` the case form fills in."""
    return next((form[f].strip() for f in fields if isinstance(form.get(f), str) and form[f].strip()), None)


def _joint_task(case_id: str, session: str, members: list[PlanItem], on: date, slot: Slot) -> dict[str, Any]:
    departments = sorted({m.department for m in members})
    return {"task_id": f"{case_id}:{session}", "session": session, "kind": joint_kind(session),
            "items": [m.code for m in members], "departments": departments,
            "scheduled_on": on.isoformat(), "time": slot.time, "place": slot.place,
            "lead_department": slot.lead if slot.lead in departments else members[0].department}


def license_holder(case_id: str, holder: str | None, to_applicant: bool, kind: str, form: dict[str, Any],
                   name_field: str | None, applicant_name: str | None) -> tuple[str | None, str | None]:
    """Who the license an item issues goes to (the catalog's `license_holder`, see Item.license_to_applicant):
    the applicant, or one not identified yet (a founder applies for a company; a child has no 公民身份号码
    before the household registration), referenced by the case, `<case_id>/<kind>`, and named from the form,
    until the registering department identifies it."""
    if to_applicant:
        return holder, applicant_name
    name = form.get(name_field) if name_field else None
    return f"{case_id}/{kind}", name if isinstance(name, str) else None
