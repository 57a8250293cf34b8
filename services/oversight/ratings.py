"""好差评: one rating per concluded case; a bad one opens a rectification task at the department responsible,
watched like any deadline, which that department closes with what it did (and the applicant is told)."""
from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, NoReturn

from services.oversight.commands import CloseRectification, RateCase
from services.oversight.domain import CONCLUDED, CaseState, as_utc, shanghai_date
from shared.errors import Conflict, Invalid, NotFound, problem
from shared.events import CaseRated, RatingReceived, RectificationClosed
from shared.messaging import UnitOfWork, utcnow

if TYPE_CHECKING:
    from services.oversight.handlers import Context


def rate_case(uow: UnitOfWork, case_id: str, command: RateCase, now: datetime, context: Context) -> dict:
    """Take the one rating of a concluded case; a bad one (1–2) opens a rectification task.

    Run it with `on_conflict=already_rated`: of two ratings racing, the loser's insert fails at commit."""
    state = _concluded_case(uow, case_id)
    if uow.supervision.rating(case_id) is not None:
        already_rated()
    if command.item_code and command.item_code not in state.items:
        raise Invalid([problem("item_code", "unknown_item", "该办件没有此事项", "the case has no such item")])
    return _take(uow, state, command, now, context)


def take_rated(uow: UnitOfWork, events: list[CaseRated], states: dict[str, CaseState], context: Context) -> None:
    """Ratings the applicant gave on intake's status page (intake checked the code and the conclusion): each
    case's first is taken, as of when it was given; any other changes nothing."""
    for event in events:
        if uow.supervision.rating(event.case_id) is None:
            command = RateCase(score=event.payload.score, dimensions=event.payload.dimensions,  # type: ignore[arg-type]
                               comment=event.payload.comment, item_code=event.payload.item_code)
            _take(uow, states[event.case_id], command, as_utc(event.occurred_at), context)


def _take(uow: UnitOfWork, state: CaseState, command: RateCase, now: datetime, context: Context) -> dict:
    today = shanghai_date(now)
    uow.supervision.add_rating({"case_id": state.case_id, "score": command.score, "dimensions": command.dimensions,
                                "comment": command.comment, "rated_at": now, "rated_on": today})
    uow.emit(RatingReceived(case_id=state.case_id, payload=command.model_dump(mode="json", exclude={"item_code"})))
    task = _open_rectification(uow, state, command, now, context) if command.score <= 2 else None
    return {"case_id": state.case_id, "score": command.score, "dimensions": command.dimensions,
            "rectification": task}


def responsible_department(state: CaseState, item_code: str | None, lead: str) -> str:
    """Whose service was rated: the item's department, else the department that rejected the case, else the
    matter's lead department."""
    if item_code and item_code in state.items:
        return state.items[item_code].department
    rejecting = sorted(i.department for i in state.items.values() if i.decision == "rejected")
    return rejecting[0] if rejecting else lead


def _concluded_case(uow: UnitOfWork, case_id: str) -> CaseState:
    row = uow.oversight.case(case_id)
    if row is None or not row.state:
        raise NotFound("case_id", case_id)
    state = CaseState.model_validate(row.state)
    if state.status not in CONCLUDED:
        raise _conflict("not_concluded", "案件办结后才能评价", f"a case can be rated once concluded; it is {state.status}")
    return state


def _open_rectification(uow: UnitOfWork, state: CaseState, command: RateCase, now: datetime,
                        context: Context) -> dict:
    today, days = shanghai_date(now), context.settings.rectification_days
    due = context.calendar.due(today, days)
    department = responsible_department(state, command.item_code, context.lead_of(state))
    task = {"task_id": f"RT-{state.case_id}", "case_id": state.case_id, "department": department,
            "item_code": command.item_code, "score": command.score, "opened_on": today, "budget_days": days,
            "due_date": due.date, "status": "open", "closed_on": None, "note": "", "closed_by": None}
    uow.supervision.add_rectification(task)
    return {**task, "due_provisional": due.provisional}


def close_rectification(uow: UnitOfWork, task_id: str, command: CloseRectification, context: Context,
                        department: str | None = None) -> dict:
    """Close the task with what was done; a department closes only its own (another's is not found). The
    applicant is told (`rectification_closed`, shown on the status page)."""
    task = uow.supervision.rectification(task_id, for_update=True)
    if task is None or (department is not None and task.department != department):
        raise NotFound("task_id", task_id)
    if task.status == "open":
        closed_by = "department" if department else "supervisor"
        uow.supervision.close_rectification(task_id, context.today(), command.note, closed_by)
        uow.supervision.close_warnings(task.case_id, "resolved", utcnow(), "rectification", [task_id])
        uow.emit(RectificationClosed(case_id=task.case_id, payload={
            "task_id": task_id, "department": task.department, "department_name": context.department_name(
                task.department), "note": command.note, "closed_on": context.today(), "closed_by": closed_by}))
    return dict(uow.supervision.rectification(task_id)._mapping)


def already_rated() -> NoReturn:
    """Each case is rated once."""
    raise _conflict("already_rated", "该案件已评价，每件只能评价一次", "this case was already rated")


def _conflict(code: str, message_zh: str, message_en: str) -> Conflict:
    return Conflict("case_id", code, message_zh, message_en)
