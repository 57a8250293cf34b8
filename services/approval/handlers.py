"""Approval's use cases: register each department task, decide it once (by rule, clerk or system), answer."""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Callable

from services.approval import decisions, domain, joint, licenses, policy, sealkeys
from services.approval.domain import CANCELLED, Answer, DecideTask
from shared.catalog import Catalog, default_catalog
from shared.config import ApprovalSettings, Settings
from shared.errors import CaseNotKnownYet, PermanentError
from shared.events import (
    ApprovalCancelled,
    ApprovalDecided,
    ApprovalRequested,
    DecisionAnswered,
    DepartmentDecided,
    Event,
)
from shared.messaging import UnitOfWork, utcnow
from shared.metrics import UNKNOWN_CASE
from shared.workdays import WorkingCalendar, today_in_shanghai

log = logging.getLogger(__name__)
REGISTRATION_GRACE = timedelta(seconds=60)


@dataclass(frozen=True)
class Context:
    """What approval's use cases read besides the unit of work."""
    catalog: Catalog
    settings: ApprovalSettings
    calendar: WorkingCalendar
    today: Callable[[], date]

    @classmethod
    def build(cls, settings: Settings) -> "Context":
        return cls(default_catalog(), settings.approval, settings.calendar(), today_in_shanghai)


def in_lock_order(events: list[Event]) -> list[Event]:
    """A batch takes task rows in request order (replicas cannot deadlock); one request's events keep their order."""
    return sorted(events, key=lambda e: getattr(e.payload, "request_id", "") or e.case_id)


def handle_batch(uow: UnitOfWork, events: list[Event], context: Context) -> None:
    """Handle a batch in lock order; the requests that come first for their task are registered together."""
    events = in_lock_order(events)
    first: dict[str, Event] = {}
    for event in events:
        first.setdefault(getattr(event.payload, "request_id", "") or event.case_id, event)
    requests = [e for e in first.values() if isinstance(e, ApprovalRequested)]
    if len(requests) > 1:
        uow.tasks.register([(e.payload.request_id, e.case_id, e.payload.item_code, e.payload.department,
                             e.payload.model_dump(mode="json")) for e in requests])
    for event in events:
        handle(uow, event, context)


def receive_request(uow: UnitOfWork, event: ApprovalRequested, context: Context) -> None:
    """Register the task (or its next round after a supplement), then decide it if a rule may."""
    p = event.payload
    request = p.model_dump(mode="json")
    if not uow.tasks.add_new(p.request_id, event.case_id, p.item_code, p.department, request):
        task = uow.tasks.get(p.request_id, for_update=True)
        if not domain.reopens(task, p.round):
            return
        uow.tasks.reopen(p.request_id, {**joint.kept(task.request), **request})
    auto = policy.automatic(request, context.settings, uow.licenses.holds)
    if auto is not None:
        record_decision(uow, DecideTask(p.request_id, "approved", list(auto.reasons), auto.decided_by),
                        context, event.correlation_id)


def record_decision(uow: UnitOfWork, command: DecideTask, context: Context,
                    correlation_id: str | None = None) -> Answer:
    """Decide a task once; any other attempt gets an answer saying why nothing changed."""
    task = uow.tasks.get(command.request_id, for_update=True)
    refusal = domain.refusal(task, command)
    if refusal is not None:
        return refusal
    request = dict(task.request)
    numbers = _issue(uow, request, command, context) if command.decision == "approved" else []
    uow.tasks.decide(command.request_id, command.decision, command.reasons, command.decided_by, numbers)
    rejected = command.decision == "rejected"
    uow.emit(ApprovalDecided(case_id=task.case_id, correlation_id=correlation_id, payload={
        "request_id": command.request_id, "item_code": task.item_code, "department": task.department,
        "decision": command.decision, "reasons": command.reasons, "decided_by": command.decided_by,
        "licenses": numbers, "unit": task.unit, "round": task.round,
        "joint_task_id": (request.get("joint_task") or {}).get("task_id"),
        "joint_visit_id": command.joint_visit_id,
        "legal_basis": command.legal_basis if rejected else None,
        "supplement_days": command.supplement_days if command.decision == "supplement_requested" else None,
        "decision_document": _written_decision(uow, request, command, context) if rejected else None}))
    return Answer("recorded", command.decision, numbers, task.unit)


def _written_decision(uow: UnitOfWork, request: dict, command: DecideTask, context: Context) -> dict:
    """The rejection's written decision, sealed with the department's current key."""
    def signing_key(department: str):
        return sealkeys.current_key(uow, department, context.settings.seal_keys, utcnow())

    return decisions.rejection_document({**request, "request_id": command.request_id}, command.reasons,
                                        command.legal_basis or "", context.catalog, context.today(), signing_key)


def _issue(uow: UnitOfWork, request: dict, command: DecideTask, context: Context) -> list[str]:
    def signing_key(department: str):
        return sealkeys.current_key(uow, department, context.settings.seal_keys, utcnow())

    row = licenses.issue(request, command.license, context.catalog, context.today(), context.settings, signing_key)
    if row is None:
        return []
    if uow.licenses.get(row["number"]) is None:
        uow.licenses.add(row)
    return [row["number"]]


def cancel_task(uow: UnitOfWork, event: ApprovalCancelled, context: Context) -> None:
    """Stop work on a task; a cancellation that overtakes its request leaves a tombstone."""
    p = event.payload
    if uow.tasks.add_new(p.request_id, event.case_id, p.item_code, p.department,
                         {"request_id": p.request_id, "unit": p.unit}, status=CANCELLED):
        return
    if domain.still_open(uow.tasks.get(p.request_id, for_update=True)):
        uow.tasks.cancel(p.request_id, f"{p.reason}: {p.note}")


def answer_department(uow: UnitOfWork, event: DepartmentDecided, context: Context) -> Answer:
    """Record a department system's decision and answer it on that department's queue."""
    p = event.payload
    if _wait_for_request(uow, event) is None:
        _stranger(event)
    answer = record_decision(uow, DecideTask(p.request_id, p.decision, p.reasons, p.decided_by, p.department,
                                             p.round, p.license, legal_basis=p.legal_basis), context, event.correlation_id)
    uow.emit(DecisionAnswered(case_id=event.case_id, correlation_id=event.correlation_id, payload={
        "decision_event_id": event.event_id, "request_id": p.request_id, "department": p.department,
        "unit": answer.unit if answer.status != "unknown_request" else p.unit, "status": answer.status,
        "decision": answer.decision, "licenses": answer.licenses, **answer.messages()}))
    return answer


def _wait_for_request(uow: UnitOfWork, event: DepartmentDecided):
    """A department may read its queue before this service registers the same request: the consumer parks
    the decision (CaseNotKnownYet) until REGISTRATION_GRACE after it was made. Returns the task (or None)."""
    task = uow.tasks.get(event.payload.request_id)
    behind = task is None or (task.round < event.payload.round and task.status != CANCELLED)
    if behind and utcnow() - event.occurred_at < REGISTRATION_GRACE:
        raise CaseNotKnownYet(event.case_id, event.event_type)
    return task


def _stranger(event: DepartmentDecided) -> None:
    """A decision about a request never received: nothing is recorded, the department is told so."""
    UNKNOWN_CASE.labels("approval", event.event_type, "answered").inc()
    log.warning("decision about an unknown request answered", extra={"department": event.payload.department})


HANDLERS = {ApprovalRequested: receive_request, ApprovalCancelled: cancel_task}


def handle(uow: UnitOfWork, event: Event, context: Context) -> None:
    handler = HANDLERS.get(type(event))
    if handler is not None:
        handler(uow, event, context)


def handle_decision(uow: UnitOfWork, event: Event, context: Context) -> None:
    """The one entry of the decisions queue: only department systems' decisions belong there."""
    if not isinstance(event, DepartmentDecided):
        raise PermanentError(f"{event.event_type} does not belong on the decisions queue")
    answer_department(uow, event, context)
