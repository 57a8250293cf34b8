"""The worklist's use cases: a department's clerks claim and decide their own tasks only."""
from __future__ import annotations

from services.approval import domain, joint
from services.approval.commands import ClaimTask, DecideBody, JoinVisit, RecordVisit
from services.approval.domain import DecideTask
from services.approval.handlers import Context, record_decision
from shared.errors import NotFound
from shared.events import Event
from shared.messaging import UnitOfWork, utcnow


def claim_task(uow: UnitOfWork, department: str, request_id: str, command: ClaimTask, unit: str | None = None) -> None:
    domain.check_claim(own_task(uow, department, request_id, for_update=True, unit=unit), command.clerk)
    uow.tasks.claim(request_id, command.clerk)


def decide_task(uow: UnitOfWork, department: str, request_id: str, command: DecideBody, context: Context,
                audit: Event | None = None, unit: str | None = None) -> dict:
    """A clerk's decision, with its audit entry when given; one that cannot be recorded is refused, saying why
    (nothing changed, nothing audited)."""
    task = own_task(uow, department, request_id, for_update=True, unit=unit)
    domain.check_decider(task, command.clerk)
    visit_id = joint.required_visit(uow, task, command.decision) if task.status in domain.OPEN else None
    answer = record_decision(uow, DecideTask(request_id, command.decision, command.reasons, command.clerk,
                                             department, command.round, command.license, visit_id,
                                             command.legal_basis, command.supplement_days), context)
    if not answer.recorded:
        raise answer.refusal()
    if audit is not None:
        uow.emit(audit)
    return {"request_id": request_id, "status": answer.status, "decision": answer.decision,
            "licenses": answer.licenses}


def record_visit(uow: UnitOfWork, department: str, request_id: str, command: RecordVisit,
                 audit: Event | None = None, unit: str | None = None) -> dict:
    """The lead department records the joint inspection's one visit (with its audit entry)."""
    visit = joint.record_visit(uow, own_task(uow, department, request_id, for_update=True, unit=unit), command,
                               utcnow())
    if audit is not None:
        uow.emit(audit)
    return visit


def join_visit(uow: UnitOfWork, department: str, request_id: str, command: JoinVisit,
               unit: str | None = None) -> None:
    joint.join(uow, own_task(uow, department, request_id, for_update=True, unit=unit), command, utcnow())


def own_task(uow: UnitOfWork, department: str, request_id: str, for_update: bool = False, unit: str | None = None):
    """The department's task (another department's is as unknown as none); with `unit` (an approver bound to a
    township/village unit), the task of that unit only."""
    task = uow.tasks.get(request_id, for_update=for_update)
    if task is None or task.department != department or unit is not None and task.unit != unit:
        raise NotFound("request_id", request_id)
    return task
