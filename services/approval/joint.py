"""联合踏勘: the one visit of a joint inspection. Routing books the appointment (day, time, site, departments,
lead) once per case and sends it with every member item's request; here the departments see it on their tasks
and say they will join, the lead department records the visit once (who attended, what they found), and each
participating department's decision refers to that record: a clerk's approval or rejection of a joint item is
refused (409) until it exists.

The record is kept with the tasks it concerns (in the lead's task's request), so it needs no table of its own;
the case's tasks are locked in request-id order while it is recorded, so two clerks cannot record two."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from services.approval.commands import JoinVisit, RecordVisit
from shared.errors import Conflict, Invalid, problem
from shared.messaging import UnitOfWork

VISIT, JOINED = "joint_visit", "joint_joined"


def kept(request: dict[str, Any] | None) -> dict[str, Any]:
    """What a task's next round keeps of its request: the visit recorded on it and who joins."""
    return {k: v for k, v in (request or {}).items() if k in (VISIT, JOINED)}


def joint_of(task: Any) -> dict[str, Any] | None:
    """The joint task (the booked appointment) the task's item shares, if any."""
    return (task.request or {}).get("joint_task") or None


def visit_of(uow: UnitOfWork, task: Any, for_update: bool = False) -> dict[str, Any] | None:
    """The visit recorded for the task's joint task (on any task of the case), or None."""
    joint = joint_of(task)
    if joint is None:
        return None
    for sibling in uow.tasks.of_case(task.case_id, for_update=for_update):
        visit = (sibling.request or {}).get(VISIT)
        if visit and visit.get("joint_task_id") == joint["task_id"]:
            return visit
    return None


def participants(uow: UnitOfWork, task: Any) -> list[dict[str, Any]]:
    """Each department of the joint task, and the clerk who said they will join (None: not yet)."""
    joint = joint_of(task)
    if joint is None:
        return []
    joined = {s.department: (s.request or {}).get(JOINED, {}).get("clerk")
              for s in uow.tasks.of_case(task.case_id)
              if (joint_of(s) or {}).get("task_id") == joint["task_id"] and (s.request or {}).get(JOINED)}
    return [{"department": d, "joined_by": joined.get(d), "lead": d == joint.get("lead_department")}
            for d in joint["departments"]]


def join(uow: UnitOfWork, task: Any, command: JoinVisit, now: datetime) -> None:
    """The department says who of it will take part (again: the later clerk)."""
    _joint_or_conflict(task)
    uow.tasks.set_request(task.request_id, {**task.request, JOINED: {"clerk": command.clerk,
                                                                      "at": now.isoformat()}})


def record_visit(uow: UnitOfWork, task: Any, command: RecordVisit, now: datetime) -> dict[str, Any]:
    """The lead department records the one visit; a second record is refused (409)."""
    joint = _joint_or_conflict(task)
    lead = joint.get("lead_department") or joint["departments"][0]
    if task.department != lead:
        raise Conflict("department", "not_lead_department", f"联合踏勘由牵头部门 {lead} 记录",
                       f"the visit is recorded by the lead department {lead}")
    _check_attended(command.attended, joint["departments"], lead)
    if visit_of(uow, task, for_update=True) is not None:
        raise Conflict("joint_task", "visit_already_recorded", "该联合踏勘已有记录",
                       "the joint visit is already recorded")
    visit = {"visit_id": f"{joint['task_id']}:visit", "joint_task_id": joint["task_id"],
             "lead_department": lead, "attended": sorted(set(command.attended)), "findings": command.findings,
             "recorded_by": command.clerk, "recorded_at": now.isoformat(),
             "scheduled_on": joint.get("scheduled_on"), "place": joint.get("place")}
    uow.tasks.set_request(task.request_id, {**task.request, VISIT: visit})
    return visit


def required_visit(uow: UnitOfWork, task: Any, decision: str) -> str | None:
    """The visit id a decision on a joint item refers to; approving or rejecting one before the visit is
    recorded is refused (409). Asking for a supplement needs no visit, nor does an item with no joint task."""
    if joint_of(task) is None:
        return None
    visit = visit_of(uow, task)
    if visit is None and decision != "supplement_requested":
        raise Conflict("joint_visit", "joint_visit_missing", "联合踏勘尚未记录，暂不能作出决定",
                       "the joint inspection's visit is not recorded yet: decide after it")
    return visit["visit_id"] if visit else None


def _joint_or_conflict(task: Any) -> dict[str, Any]:
    joint = joint_of(task)
    if joint is None:
        raise Conflict("joint_task", "not_joint", "该事项没有联合踏勘", "the item has no joint inspection")
    return joint


def _check_attended(attended: list[str], departments: list[str], lead: str) -> None:
    strangers = [d for d in attended if d not in departments]
    problems = [problem(f"attended.{attended.index(d)}", "not_participant", f"{d} 不是参加联合踏勘的部门",
                        f"{d} is not a department of the joint inspection") for d in strangers]
    if lead not in attended:
        problems.append(problem("attended", "lead_missing", "牵头部门须到场", "the lead department must attend"))
    if problems:
        raise Invalid(problems)
