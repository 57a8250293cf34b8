"""The worklist API's use cases: a department's clerks list, claim and decide their own tasks only."""
from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from services.approval.handlers import DecideTask, Ports, record_decision
from services.approval.repository import CANCELLED, CLAIMED, DECIDED, OPEN, PENDING, SUSPENDED
from shared.api import ApiError, not_found, problem
from shared.events import Decision, LicenseTerms
from shared.messaging import Store

FILTERS = {"open": OPEN, "pending": (PENDING,), "claimed": (CLAIMED,), "supplement_requested": (SUSPENDED,),
           "decided": (DECIDED,), "cancelled": (CANCELLED,),
           "all": (PENDING, CLAIMED, SUSPENDED, DECIDED, CANCELLED)}
ANSWER_STATUS = {"unknown_request": 404, "invalid": 422}


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class ClaimTask(Body):
    clerk: str = Field(min_length=1, max_length=100, description="The clerk taking the task")


class DecideBody(Body):
    decision: Decision
    reasons: list[str] = Field(default_factory=list, max_length=50)
    clerk: str = Field(min_length=1, max_length=100)
    round: int | None = Field(default=None, ge=1, description="The round decided (default: the current one)")
    license: LicenseTerms | None = None


def in_scope(client, department: str) -> None:
    """A department's token reaches its own worklist only."""
    if client is None or client.department != department:
        raise ApiError(403, [problem("department", "other_department", "无权访问其他部门的任务",
                                     "a department cannot see or decide another department's tasks")])


def task_list(store: Store, department: str, status: str = "open") -> dict:
    if status not in FILTERS:
        raise ApiError(422, [problem("status", "unknown_status", "未知的任务状态", f"status must be one of {list(FILTERS)}")])
    with store.unit_of_work() as uow:
        rows = uow.tasks.of_department(department, FILTERS[status])
    return {"department": department, "status": status, "tasks": [task_view(r) for r in rows]}


def task_detail(store: Store, department: str, request_id: str) -> dict:
    with store.unit_of_work() as uow:
        return task_view(_own(uow, department, request_id))


def claim(store: Store, department: str, request_id: str, body: ClaimTask) -> dict:
    with store.unit_of_work() as uow:
        task = _own(uow, department, request_id, for_update=True)
        if task.status == CLAIMED and task.claimed_by != body.clerk or task.status not in OPEN:
            raise _conflict("not_claimable", f"任务状态为 {task.status}，领取人 {task.claimed_by or '无'}",
                            f"the task is {task.status}, claimed by {task.claimed_by or 'nobody'}")
        uow.tasks.claim(request_id, body.clerk)
        uow.commit()
    return task_detail(store, department, request_id)


def decide(store: Store, department: str, request_id: str, body: DecideBody, ports: Ports) -> dict:
    with store.unit_of_work() as uow:
        task = _own(uow, department, request_id, for_update=True)
        if task.status == CLAIMED and task.claimed_by != body.clerk:
            raise _conflict("claimed_by_other", f"任务已由 {task.claimed_by} 领取", f"claimed by {task.claimed_by}")
        answer = record_decision(uow, DecideTask(request_id, body.decision, body.reasons, body.clerk, department,
                                                 body.round, body.license), ports)
        uow.commit()
    if not answer.recorded:
        zh, en = answer.messages().values()
        raise ApiError(ANSWER_STATUS.get(answer.status, 409), [problem("request_id", answer.status, zh, en)])
    return {"request_id": request_id, "status": answer.status, "decision": answer.decision,
            "licenses": answer.licenses}


def _own(uow, department: str, request_id: str, for_update: bool = False):
    task = uow.tasks.get(request_id, for_update=for_update)
    if task is None or task.department != department:
        raise not_found("request_id", request_id)
    return task


def _conflict(code: str, zh: str, en: str) -> ApiError:
    return ApiError(409, [problem("request_id", code, zh, en)])


def task_view(r) -> dict:
    request = r.request or {}
    return {"request_id": r.request_id, "case_id": r.case_id, "item_code": r.item_code,
            "item_name": request.get("item_name"), "department": r.department, "unit": r.unit,
            "level": request.get("level"), "status": r.status, "round": r.round, "due_date": r.due_date,
            "case_due_date": request.get("case_due_date"), "promised_days": request.get("promised_days"),
            "claimed_by": r.claimed_by, "decision": r.decision, "reasons": r.reasons, "decided_by": r.decided_by,
            "licenses": r.licenses, "license_type": request.get("license_type"),
            "routing_reason": request.get("routing_reason"), "joint_task": request.get("joint_task"),
            "form": request.get("form", {}), "materials": request.get("materials", []),
            "received_at": r.received_at, "decided_at": r.decided_at, "note": r.note}
