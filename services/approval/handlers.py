"""Approval's use cases: register each department task, decide it once (by rule, clerk or system), answer."""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Callable

from services.approval import licenses, policy
from services.approval.repository import CANCELLED, DECIDED, OPEN, SUSPENDED
from shared.catalog import Catalog
from shared.config import ApprovalSettings
from shared.errors import CaseNotKnownYet, PermanentError
from shared.events import (ApprovalCancelled, ApprovalDecided, ApprovalRequested, DecisionAnswered,
                           DepartmentDecided, Event, LicenseTerms)
from shared.messaging import UnitOfWork, utcnow
from shared.metrics import UNKNOWN_CASE

log = logging.getLogger(__name__)
REGISTRATION_GRACE = timedelta(seconds=60)
MESSAGES = {
    "recorded": ("决定已记录", "the decision is recorded"),
    "already_decided": ("该事项已有决定，本次答复未改变任何内容", "the task was already decided; nothing changed"),
    "cancelled": ("该事项已撤销（案件已驳回或撤回），本次答复未改变任何内容",
                  "the task was cancelled (case rejected or withdrawn); nothing changed"),
    "unknown_request": ("未找到本部门的该项审批任务", "no such task for this department"),
    "stale_round": ("申请人已补正，请就最新一轮作出决定", "the applicant supplied a supplement: decide the latest round"),
    "invalid": ("驳回或要求补正须说明理由", "a rejection or a supplement request needs reasons"),
}


@dataclass(frozen=True)
class Ports:
    """What approval's rules read besides its tables: the catalog, its settings, today."""
    catalog: Catalog
    settings: ApprovalSettings
    today: Callable[[], date]


@dataclass(frozen=True)
class DecideTask:
    """A decision from a clerk, a department system or a rule; `department` scopes it when given."""
    request_id: str
    decision: str
    reasons: list[str]
    decided_by: str
    department: str | None = None
    round: int | None = None
    license: LicenseTerms | None = None


@dataclass(frozen=True)
class Answer:
    status: str
    decision: str | None = None
    licenses: list[str] = field(default_factory=list)
    unit: str | None = None

    @property
    def recorded(self) -> bool:
        return self.status == "recorded"

    def messages(self) -> dict:
        zh, en = MESSAGES[self.status]
        return {"message_zh": zh, "message_en": en}


def in_lock_order(events: list[Event]) -> list[Event]:
    """A batch takes task rows in request order (replicas cannot deadlock); one request's events keep their order."""
    return sorted(events, key=lambda e: getattr(e.payload, "request_id", "") or e.case_id)


def handle_batch(uow: UnitOfWork, events: list[Event], ports: Ports) -> None:
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
        handle(uow, event, ports)


def receive_request(uow: UnitOfWork, event: ApprovalRequested, ports: Ports) -> None:
    """Register the task (or its next round after a supplement), then decide it if a rule may."""
    p = event.payload
    request = p.model_dump(mode="json")
    if not uow.tasks.add_new(p.request_id, event.case_id, p.item_code, p.department, request):
        task = uow.tasks.get(p.request_id, for_update=True)
        if not (task.status == SUSPENDED and p.round > task.round):
            return
        uow.tasks.reopen(p.request_id, request)
    auto = policy.automatic(request, ports.settings, uow.licenses.holds)
    if auto is not None:
        record_decision(uow, DecideTask(p.request_id, "approved", list(auto.reasons), auto.decided_by),
                        ports, event.correlation_id)


def record_decision(uow: UnitOfWork, command: DecideTask, ports: Ports, correlation_id: str | None = None) -> Answer:
    """Decide a task once; any other attempt gets an answer saying why nothing changed."""
    task = uow.tasks.get(command.request_id, for_update=True)
    refusal = _refusal(task, command)
    if refusal is not None:
        return refusal
    request = dict(task.request)
    numbers = _issue(uow, request, command, ports) if command.decision == "approved" else []
    uow.tasks.decide(command.request_id, command.decision, command.reasons, command.decided_by, numbers)
    uow.emit(ApprovalDecided(case_id=task.case_id, correlation_id=correlation_id, payload={
        "request_id": command.request_id, "item_code": task.item_code, "department": task.department,
        "decision": command.decision, "reasons": command.reasons, "decided_by": command.decided_by,
        "licenses": numbers, "unit": task.unit, "round": task.round,
        "joint_task_id": (request.get("joint_task") or {}).get("task_id")}))
    return Answer("recorded", command.decision, numbers, task.unit)


def _refusal(task, command: DecideTask) -> Answer | None:
    if task is None or (command.department and command.department != task.department):
        return Answer("unknown_request")
    on_record = Answer("already_decided", task.decision, list(task.licenses or []), task.unit)
    if task.status == CANCELLED:
        return Answer("cancelled", task.decision, unit=task.unit)
    if task.status == DECIDED or (task.status == SUSPENDED and command.decision == "supplement_requested"):
        return on_record
    if command.round is not None and command.round != task.round:
        return Answer("stale_round", task.decision, unit=task.unit)
    if command.decision != "approved" and not [r for r in command.reasons if r.strip()]:
        return Answer("invalid", unit=task.unit)
    return None


def _issue(uow: UnitOfWork, request: dict, command: DecideTask, ports: Ports) -> list[str]:
    row = licenses.issue(request, command.license, ports.catalog, ports.today(), ports.settings)
    if row is None:
        return []
    if uow.licenses.get(row["number"]) is None:
        uow.licenses.add(row)
    return [row["number"]]


def cancel_task(uow: UnitOfWork, event: ApprovalCancelled, ports: Ports) -> None:
    """Stop work on a task; a cancellation that overtakes its request leaves a tombstone."""
    p = event.payload
    if uow.tasks.add_new(p.request_id, event.case_id, p.item_code, p.department,
                         {"request_id": p.request_id, "unit": p.unit}, status=CANCELLED):
        return
    if uow.tasks.get(p.request_id, for_update=True).status in (*OPEN, SUSPENDED):
        uow.tasks.cancel(p.request_id, f"{p.reason}: {p.note}")


def answer_department(uow: UnitOfWork, event: DepartmentDecided, ports: Ports) -> Answer:
    """Record a department system's decision and answer it on that department's queue."""
    p = event.payload
    if _wait_for_request(uow, event) is None:
        _stranger(event)
    answer = record_decision(uow, DecideTask(p.request_id, p.decision, p.reasons, p.decided_by, p.department,
                                             p.round, p.license), ports, event.correlation_id)
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


def handle(uow: UnitOfWork, event: Event, ports: Ports) -> None:
    handler = {ApprovalRequested: receive_request, ApprovalCancelled: cancel_task}.get(type(event))
    if handler is not None:
        handler(uow, event, ports)


def handle_decision(uow: UnitOfWork, event: Event, ports: Ports) -> None:
    if not isinstance(event, DepartmentDecided):
        raise PermanentError(f"{event.event_type} does not belong on the decisions queue")
    answer_department(uow, event, ports)
