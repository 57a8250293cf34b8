"""承诺制 followed: each deferred material's supply deadline watched until it is supplied (also after the case
completed). The applicant is reminded once before the deadline; the lead department gets yellow, then red warnings
(scan.py); a deadline missed is a 承诺失信 record with the follow-up the catalog names for the matter."""
from __future__ import annotations

from datetime import date
from typing import Iterable

from sqlalchemy import select, update

from services.oversight.supervision import clock_of
from services.oversight.tables import commitments
from shared.catalog import Catalog
from shared.catalog.model import BREACH_FOLLOW_UPS
from shared.events import CaseAccepted, CaseRejected, CaseWithdrawn, CommitmentDueSoon, DeferredSupplied, Event
from shared.messaging import utcnow
from shared.rows import Rows
from shared.sla import SlaClock
from shared.workdays import WorkingCalendar

STATUSES = ("open", "supplied", "missed", "void")


class SqlCommitmentRepository:
    def __init__(self, rows: Rows):
        self.rows = rows

    def add_new(self, rows: list[dict]) -> None:
        """Watch these deadlines; one already watched is left as it is."""
        self.rows.insert_new(commitments, rows, "case_id", "material_code")

    def get(self, case_id: str, code: str, lock: bool = False):
        return self.rows.get(commitments, {"case_id": case_id, "material_code": code}, lock=lock)

    def set(self, case_id: str, code: str, **values) -> None:
        self.rows.update(commitments, {"case_id": case_id, "material_code": code}, values)

    def supplied(self, case_id: str, codes: list[str], on: date) -> None:
        """Supplied: the watch stops; a missed one stays missed (the 失信 record), with the day it came."""
        key = (commitments.c.case_id == case_id) & commitments.c.material_code.in_(codes)
        self.rows.execute(update(commitments).where(key, commitments.c.status == "open")
                          .values(status="supplied", supplied_on=on))
        self.rows.execute(update(commitments).where(key, commitments.c.supplied_on.is_(None))
                          .values(supplied_on=on))

    def void(self, case_id: str) -> None:
        self.rows.execute(update(commitments).where(commitments.c.case_id == case_id,
                                                    commitments.c.status == "open").values(status="void"))

    def open_keys(self) -> list[tuple[str, str]]:
        query = select(commitments.c.case_id, commitments.c.material_code).where(commitments.c.status == "open")
        return [(r.case_id, r.material_code) for r in self.rows.execute(query.order_by(*commitments.primary_key))]

    def listed(self, status: str | None = None, missed_from: date | None = None,
               missed_before: date | None = None) -> list:
        query = select(commitments)
        if status is not None:
            query = query.where(commitments.c.status == status)
        if missed_from is not None:
            query = query.where(commitments.c.missed_on >= missed_from)
        if missed_before is not None:
            query = query.where(commitments.c.missed_on < missed_before)
        return list(self.rows.execute(query.order_by(commitments.c.due_date, *commitments.primary_key)))


def follow(uow, events: Iterable[Event], catalog: Catalog) -> None:
    """Deadlines start with an acceptance that deferred materials, stop when they are supplied, and are void
    once the case is withdrawn or rejected. The batch's new deadlines are added with one statement."""
    uow.commitments.add_new([row for e in events if isinstance(e, CaseAccepted) for row in watched(e, catalog)])
    for event in events:
        if isinstance(event, DeferredSupplied):
            codes = [m.code for m in event.payload.materials]
            uow.commitments.supplied(event.case_id, codes, event.payload.supplied_on)
            uow.supervision.close_warnings(event.case_id, "resolved", utcnow(), "commitment", codes)
        elif isinstance(event, (CaseWithdrawn, CaseRejected)):
            uow.commitments.void(event.case_id)


def watched(event: CaseAccepted, catalog: Catalog) -> list[dict]:
    p = event.payload
    matter = catalog.matters.get(p.matter_code)
    department = matter.lead_department if matter else (p.items[0].department if p.items else "unknown")
    return [{"case_id": event.case_id, "material_code": d.code, "material_name": d.name or d.code,
             "matter_code": p.matter_code, "department": department, "accepted_on": p.accepted_on,
             "supply_days": d.supply_days, "due_date": d.due_date, "status": "open", "reminded_on": None,
             "supplied_on": None, "missed_on": None, "follow_up": None} for d in p.deferred]


def clock(row) -> SlaClock:
    return clock_of(row.accepted_on, row.supply_days, [])


def reminder_due(row, today: date, calendar: WorkingCalendar, share: float) -> bool:
    """Once, from `share` of the supply period on, while the deadline has not passed."""
    c = clock(row)
    return (row.reminded_on is None and today <= c.deadline(calendar, today).date
            and c.used_share(today, calendar) >= share)


def reminder(row, contact: dict | None) -> CommitmentDueSoon:
    return CommitmentDueSoon(case_id=row.case_id, payload={
        "materials": [{"code": row.material_code, "name": row.material_name, "supply_days": row.supply_days,
                       "due_date": row.due_date}],
        "due_date": row.due_date, "matter_code": row.matter_code, "contact": contact})


def follow_up(catalog: Catalog, matter_code: str | None) -> str:
    """The 承诺失信 follow-up the catalog names for the matter (its default when the matter is unknown)."""
    matter = catalog.matters.get(matter_code or "")
    return matter.commitment_breach if matter else "credit_record"


def breach_view(row) -> dict:
    values = dict(row._mapping) if hasattr(row, "_mapping") else dict(vars(row))
    zh, en = BREACH_FOLLOW_UPS.get(values.get("follow_up") or "", ("", ""))
    return {**values, "follow_up_zh": zh or None, "follow_up_en": en or None}


def applicant_contact(uow, case_id: str) -> dict | None:
    """Whom to remind: the contact the acceptance carried (kept in the case's timeline, never logged)."""
    for fact in uow.oversight.timeline(case_id):
        if fact.event_type == "case_accepted":
            return fact.body.get("contact")
    return None
