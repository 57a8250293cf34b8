"""Approval's use cases: receive a department's task, record its decision once."""
from __future__ import annotations

from shared.events import ApprovalDecided, ApprovalRequested
from shared.messaging import UnitOfWork


def receive_request(uow: UnitOfWork, event: ApprovalRequested, auto_approve: bool) -> None:
    p = event.payload
    if uow.tasks.get(p.request_id) is not None:
        return
    uow.tasks.add(p.request_id, event.case_id, p.item_code, p.department, p.model_dump(mode="json"))
    if auto_approve:
        record_decision(uow, event, "approved", [], "auto")


def record_decision(uow: UnitOfWork, request: ApprovalRequested, decision: str, reasons: list[str],
                    decided_by: str) -> bool:
    """Decide a pending task; a second decision on the same task changes nothing and returns False."""
    p = request.payload
    task = uow.tasks.get(p.request_id, for_update=True)
    if task is None or task.status != "pending":
        return False
    uow.tasks.decide(p.request_id, decision, reasons, decided_by)
    uow.emit(ApprovalDecided(case_id=request.case_id, correlation_id=request.correlation_id, payload={
        "request_id": p.request_id, "item_code": p.item_code, "department": p.department,
        "decision": decision, "reasons": reasons, "decided_by": decided_by}))
    return True
