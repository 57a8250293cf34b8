"""The applicant's view of a case follows what happens downstream: plan, decisions, outcome, delivery.

Statuses only move forward (see domain.advance), so events that arrive late or twice change nothing.
"""
from __future__ import annotations

from typing import Callable

from services.intake import notices
from services.intake.domain import CASE_ORDER, ITEM_ORDER, advance
from shared.catalog import Catalog
from shared.errors import SetAside, UnknownCase
from shared.events import (
    ApprovalCancelled,
    ApprovalDecided,
    ApprovalRequested,
    CaseCompleted,
    CaseRejected,
    DeadlineChanged,
    DeliveryCompleted,
    Event,
    SupplementRequested,
)
from shared.messaging import UnitOfWork

VIEW_COLUMNS = ("status", "outcome", "holder_id", "holder_kind")  # what following events reads of a case
CASE_STATUS = {ApprovalRequested: "in_approval", CaseCompleted: "completed", CaseRejected: "rejected",
               DeliveryCompleted: "delivered"}
ITEM_STATUS: dict[type, Callable[[Event], list[tuple[str, str]]]] = {
    ApprovalRequested: lambda e: [(e.payload.item_code, "requested")],
    ApprovalDecided: lambda e: [(e.payload.item_code, e.payload.decision)],
    ApprovalCancelled: lambda e: [(e.payload.item_code, "cancelled")],
    SupplementRequested: lambda e: [(e.payload.item_code, "supplement_requested")],
    CaseRejected: lambda e: [(code, "cancelled") for code in e.payload.cancelled_items],
}


def follow_events(uow: UnitOfWork, events: list[Event], catalog: Catalog) -> None:
    """Fold a batch's events into the view: its cases locked and read together, then folded one by one.

    Events about cases intake does not have are set aside (SetAside of UnknownCase), nothing committed."""
    groups: dict[str, list[Event]] = {}
    for event in events:
        groups.setdefault(event.case_id, []).append(event)
    cases = uow.cases.lock(sorted(groups), *VIEW_COLUMNS)
    unknown = [e for e in events if cases[e.case_id] is None]
    if unknown:  # intake commits a case before anything about it is published: no race explains these
        raise SetAside.of((e, UnknownCase(e.case_id, e.event_type)) for e in unknown)
    for case_id in sorted(groups):
        follow_case_events(uow, groups[case_id], catalog, cases[case_id])


def follow_case_events(uow: UnitOfWork, events: list[Event], catalog: Catalog, case) -> None:
    """Fold one case's downstream events into the applicant's view; late or repeated events never regress it.

    `case` is its row as `follow_events` locked it (VIEW_COLUMNS only). It is written once (only what
    changed), however many events the batch held for it.
    """
    changes: dict = {}
    status, outcome = case.status, dict(case.outcome or {})
    items = _Items(uow, case.case_id)
    for event in events:
        if isinstance(event, ApprovalDecided) and event.payload.licenses:
            _remember_licenses(uow, case, event, catalog)
        if isinstance(event, DeadlineChanged):
            changes["due_date"] = event.payload.due_date
            continue
        status = advance(status, CASE_STATUS.get(type(event), status), CASE_ORDER)
        outcome = notices.outcome(outcome, event)
        items.advance(ITEM_STATUS.get(type(event), lambda _: [])(event))
    if status != case.status:
        changes["status"] = status
    if outcome != (case.outcome or {}):
        changes["outcome"] = outcome
    if changes:
        uow.cases.update(case.case_id, **changes)
    items.save()


class _Items:
    """A case's item statuses, read only when an event moves one, written once for the batch."""

    def __init__(self, uow: UnitOfWork, case_id: str):
        self.uow, self.case_id = uow, case_id
        self.current: dict[str, str] | None = None
        self.changed: dict[str, str] = {}

    def advance(self, moves: list[tuple[str, str]]) -> None:
        for item_code, item_status in moves:
            if self.current is None:
                self.current = {i.item_code: i.status for i in self.uow.cases.items(self.case_id)}
            now = self.current.get(item_code)
            if now is not None and advance(now, item_status, ITEM_ORDER) != now:
                self.current[item_code] = self.changed[item_code] = item_status

    def save(self) -> None:
        for item_code, item_status in self.changed.items():
            self.uow.cases.set_item_status(self.case_id, item_code, item_status)


def _remember_licenses(uow: UnitOfWork, case, event: ApprovalDecided, catalog: Catalog) -> None:
    """E-licenses a case earned count as supplied materials in the holder's later cases; one the catalog gives to
    another holder (the newborn, the company founded) is not the applicant's."""
    item = catalog.items.get(event.payload.item_code)
    company = None if case.holder_kind is None else case.holder_kind == "company"  # None: a case from before
    if item is None or not item.license_type or not case.holder_id or not item.license_to_applicant(company):
        return
    for number in event.payload.licenses:
        uow.cases.remember_license(number, case.holder_id, item.license_type, None)
