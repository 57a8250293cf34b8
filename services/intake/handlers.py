"""Intake's use cases: take a case in once, and keep the applicant's view of it up to date."""
from __future__ import annotations

from datetime import date

from services.intake.commands import SubmitCase
from services.intake.domain import (CASE_ORDER, ITEM_ORDER, advance, check_submission, new_case_id,
                                    new_lookup_code, request_hash)
from shared.api import ApiError, problem
from shared.catalog import Catalog
from shared.events import CaseAccepted, CaseSubmitted, Event
from shared.messaging import UnitOfWork
from shared.workdays import WorkingCalendar


def submit_case(uow: UnitOfWork, catalog: Catalog, calendar: WorkingCalendar, command: SubmitCase,
                client: str, today: date, idempotency_key: str | None = None) -> tuple[int, str]:
    """Store the case and emit its acceptance; returns (201, id), or (200, id) for a repeated request."""
    digest = request_hash(command)
    if idempotency_key:
        existing = uow.cases.by_idempotency_key(idempotency_key)
        if existing is not None:
            return _replay(existing, digest)
    matter, warnings = check_submission(catalog, command)
    items = catalog.items_for(matter.code, command.situations)
    case_id = new_case_id(today)
    due = calendar.due(today, matter.promised_days)
    uow.cases.add(_case_row(case_id, command, catalog, matter, client, idempotency_key, digest, warnings,
                            today, due), _item_rows(case_id, catalog, items))
    uow.emit(CaseSubmitted(case_id=case_id, payload={
        "matter_code": matter.code, "channel": command.channel, "region_code": command.region_code,
        "catalog_version": catalog.version}))
    uow.emit(_accepted(case_id, command, catalog, matter, items, today))
    uow.commit()
    return 201, case_id


def _replay(existing, digest: str) -> tuple[int, str]:
    if existing.request_hash != digest:
        raise ApiError(409, [problem("Idempotency-Key", "idempotency_conflict",
                                     "该幂等键已用于内容不同的请求",
                                     "this Idempotency-Key was used with a different body")])
    return 200, existing.case_id


def _case_row(case_id, command, catalog, matter, client, key, digest, warnings, today, due) -> dict:
    body = command.model_dump(mode="json")
    return {"case_id": case_id, "idempotency_key": key, "request_hash": digest,
            "lookup_code": new_lookup_code(), "matter_code": matter.code,
            "catalog_version": catalog.version, "status": "accepted", "channel": command.channel,
            "region_code": command.region_code, "client": client, "applicant": body["applicant"],
            "situations": body["situations"], "form": body["form"], "materials": body["materials"],
            "delivery": body["delivery"], "commitment": command.commitment, "warnings": warnings,
            "accepted_on": today, "promised_days": matter.promised_days, "due_date": due.date,
            "due_provisional": due.provisional}


def _item_rows(case_id: str, catalog: Catalog, items) -> list[dict]:
    return [{"case_id": case_id, "item_code": i.code, "position": n, "name": i.name,
             "department": i.department, "status": "pending"} for n, i in enumerate(items)]


def _accepted(case_id, command: SubmitCase, catalog, matter, items, today) -> CaseAccepted:
    codes = {i.code for i in items}
    planned = [{"item_code": i.code, "item_name": i.name, "department": i.department,
                "prerequisites": [p for p in i.prerequisites if p in codes],
                "promised_days": i.promised_days, "fields": list(i.fields)} for i in items]
    a = command.applicant
    return CaseAccepted(case_id=case_id, payload={
        "matter_code": matter.code, "matter_name": matter.name, "catalog_version": catalog.version,
        "channel": command.channel, "region_code": command.region_code, "situations": command.situations,
        "items": planned, "promised_days": matter.promised_days, "form": command.form,
        "materials": [m.model_dump(mode="json") for m in command.materials],
        "delivery": command.delivery.model_dump(mode="json"),
        "contact": {"name": a.name, "phone": a.phone}, "accepted_on": today})


CASE_STATUS_BY_EVENT = {"approval_requested": "in_approval", "case_completed": "completed",
                        "case_rejected": "rejected", "delivery_completed": "delivered"}


def follow_case(uow: UnitOfWork, event: Event) -> None:
    """Fold a downstream event into the applicant's view; late or repeated events never regress it."""
    case = uow.cases.get(event.case_id, for_update=True)
    if case is None:
        return
    new_status = advance(case.status, CASE_STATUS_BY_EVENT.get(event.event_type, case.status), CASE_ORDER)
    outcome = _outcome(case.outcome or {}, event)
    uow.cases.update(event.case_id, status=new_status, outcome=outcome)
    item_status = _item_status(event)
    if item_status:
        _advance_item(uow, event.case_id, event.payload.item_code, item_status)


def _item_status(event: Event) -> str | None:
    if event.event_type == "approval_requested":
        return "requested"
    if event.event_type == "approval_decided":
        return event.payload.decision
    return None


def _advance_item(uow: UnitOfWork, case_id: str, item_code: str, status: str) -> None:
    current = next((i.status for i in uow.cases.items(case_id) if i.item_code == item_code), None)
    if current is not None and advance(current, status, ITEM_ORDER) != current:
        uow.cases.set_item_status(case_id, item_code, status)


def _outcome(outcome: dict, event: Event) -> dict:
    outcome = dict(outcome)
    if event.event_type == "case_rejected":
        outcome["rejection"] = {"item_code": event.payload.item_code, "reasons": event.payload.reasons}
    elif event.event_type == "case_completed":
        outcome["licenses"] = event.payload.licenses
    elif event.event_type in ("delivery_dispatched", "delivery_completed"):
        outcome["delivery"] = {**outcome.get("delivery", {}), **event.payload.model_dump(mode="json"),
                               "status": event.event_type.removeprefix("delivery_")}
    return outcome
