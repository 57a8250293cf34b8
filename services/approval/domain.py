"""Rules of approval's world: a task's statuses, who may claim it, and a decision taken once (no I/O)."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from shared.errors import Conflict, Invalid, NotFound, Refusal, problem
from shared.events import LicenseTerms

PENDING, CLAIMED, SUSPENDED, DECIDED, CANCELLED = "pending", "claimed", "supplement_requested", "decided", "cancelled"
OPEN = (PENDING, CLAIMED)
FILTERS = {"open": OPEN, "pending": (PENDING,), "claimed": (CLAIMED,), "supplement_requested": (SUSPENDED,),
           "decided": (DECIDED,), "cancelled": (CANCELLED,),
           "all": (PENDING, CLAIMED, SUSPENDED, DECIDED, CANCELLED)}
MESSAGES = {
    "recorded": ("决定已记录", "the decision is recorded"),
    "already_decided": ("该事项已有决定，本次答复未改变任何内容", "the task was already decided; nothing changed"),
    "cancelled": ("该事项已撤销（案件已驳回或撤回），本次答复未改变任何内容",
                  "the task was cancelled (case rejected or withdrawn); nothing changed"),
    "unknown_request": ("未找到本部门的该项审批任务", "no such task for this department"),
    "stale_round": ("申请人已补正，请就最新一轮作出决定", "the applicant supplied a supplement: decide the latest round"),
    "invalid": ("驳回或要求补正须说明理由", "a rejection or a supplement request needs reasons"),
    "no_legal_basis": ("不予许可须说明法律依据（不予许可决定书载明）",
                       "a rejection needs its legal basis (the written decision states it)"),
}


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
    joint_visit_id: str | None = None  # the joint inspection's visit record the decision refers to
    legal_basis: str | None = None
    supplement_days: int | None = None  # a supplement request's period to supply (None: the deployment's default)


@dataclass(frozen=True)
class Answer:
    status: str
    decision: str | None = None
    licenses: list[str] = field(default_factory=list)
    unit: str | None = None
    problem: str | None = None  # for `invalid`: what is missing (no_legal_basis), else the reasons

    @property
    def recorded(self) -> bool:
        return self.status == "recorded"

    def messages(self) -> dict[str, Any]:
        zh, en = MESSAGES[self.problem or self.status]
        return {"message_zh": zh, "message_en": en}

    def refusal(self) -> Refusal:
        """A clerk's decision that was not recorded, told as the refusal it is."""
        zh, en = MESSAGES[self.problem or self.status]
        if self.status == "unknown_request":
            return NotFound("request_id", "", self.status, zh, en)
        if self.problem == "no_legal_basis":
            return Invalid([problem("legal_basis", "legal_basis_required", zh, en)])
        if self.status == "invalid":
            return Invalid([problem("request_id", self.status, zh, en)])
        return Conflict("request_id", self.status, zh, en)


def refusal(task: Any, command: DecideTask) -> Answer | None:
    """Why the decision cannot be recorded (the answer on record, or what is wrong with it); None if it can."""
    if task is None or (command.department and command.department != task.department):
        return Answer("unknown_request")
    if task.status == CANCELLED:
        return Answer("cancelled", task.decision, unit=task.unit)
    if task.status == DECIDED or (task.status == SUSPENDED and command.decision == "supplement_requested"):
        return Answer("already_decided", task.decision, list(task.licenses or []), task.unit)
    if command.round is not None and command.round != task.round:
        return Answer("stale_round", task.decision, unit=task.unit)
    if command.decision != "approved" and not [r for r in command.reasons if r.strip()]:
        return Answer("invalid", unit=task.unit)
    if command.decision == "rejected" and not (command.legal_basis or "").strip():
        return Answer("invalid", unit=task.unit, problem="no_legal_basis")
    return None


def reopens(task: Any, round: int) -> bool:
    """A request already registered comes back only as the next round after a supplement."""
    return bool(task.status == SUSPENDED and round > task.round)


def still_open(task: Any) -> bool:
    """A task a cancellation still stops."""
    return task.status in (*OPEN, SUSPENDED)


def check_claim(task: Any, clerk: str) -> None:
    """An open task may be claimed by anyone, and claimed again by its own clerk only."""
    if task.status == CLAIMED and task.claimed_by != clerk or task.status not in OPEN:
        raise Conflict("request_id", "not_claimable", f"任务状态为 {task.status}，领取人 {task.claimed_by or '无'}",
                       f"the task is {task.status}, claimed by {task.claimed_by or 'nobody'}")


def check_decider(task: Any, clerk: str) -> None:
    """A claimed task is decided by the clerk who claimed it."""
    if task.status == CLAIMED and task.claimed_by != clerk:
        raise Conflict("request_id", "claimed_by_other", f"任务已由 {task.claimed_by} 领取",
                       f"claimed by {task.claimed_by}")


def status_filter(status: str) -> tuple[str, ...]:
    """The statuses a worklist query names."""
    if status not in FILTERS:
        raise Invalid([problem("status", "unknown_status", "未知的任务状态", f"status must be one of {list(FILTERS)}")])
    return FILTERS[status]
