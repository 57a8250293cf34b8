"""The approval plan of a case: parallel release of items whose prerequisites are met, one outcome."""
from __future__ import annotations

import enum
from dataclasses import dataclass, field

WAITING, REQUESTED, APPROVED, REJECTED, CANCELLED, SUSPENDED = (
    "waiting", "requested", "approved", "rejected", "cancelled", "supplement_requested")
OPEN, COMPLETED, CASE_REJECTED, WITHDRAWN = "open", "completed", "rejected", "withdrawn"


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


@dataclass
class Plan:
    case_id: str
    matter_code: str
    items: dict[str, PlanItem]
    status: str = OPEN

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

    def record(self, item_code: str, decision: str, reasons: list[str] = (),
               licenses: list[str] = ()) -> Outcome:
        item = self.items.get(item_code)
        if self.status != OPEN or item is None or item.status not in (REQUESTED, SUSPENDED):
            return Outcome.IGNORED
        item.reasons, item.licenses = list(reasons), list(licenses)
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
        self.status = CASE_REJECTED
        for other in self.items.values():
            if other.status == WAITING:
                other.status = CANCELLED
        return Outcome.REJECTED

    def withdraw(self) -> list[PlanItem]:
        """Close the plan; returns items still with departments, which must be told."""
        if self.status != OPEN:
            return []
        self.status = WITHDRAWN
        in_progress = [i for i in self.items.values() if i.status in (REQUESTED, SUSPENDED)]
        for item in self.items.values():
            if item.status in (WAITING, REQUESTED, SUSPENDED):
                item.status = CANCELLED
        return in_progress

    def cancelled(self) -> list[str]:
        return [i.code for i in self.items.values() if i.status == CANCELLED]

    def licenses(self) -> list[str]:
        return [number for item in self.items.values() for number in item.licenses]
