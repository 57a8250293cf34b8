"""好差评: one rating per concluded case; a bad one opens a rectification task watched like any deadline."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy.exc import IntegrityError

from services.oversight.commands import CloseRectification, RateCase
from services.oversight.domain import CONCLUDED, CaseState, shanghai_date
from services.oversight.handlers import Oversight
from shared.api import ApiError, not_found, problem
from shared.events import RatingReceived
from shared.messaging import UnitOfWork, utcnow


def rate_case(uow: UnitOfWork, ctx: Oversight, case_id: str, command: RateCase, now: datetime) -> dict:
    """Take the one rating of a concluded case; a bad one (1–2) opens a rectification task."""
    state = _concluded_case(uow, case_id)
    if uow.supervision.rating(case_id) is not None:
        raise _conflict("already_rated", "该案件已评价，每件只能评价一次", "this case was already rated")
    today = shanghai_date(now)
    uow.supervision.add_rating({"case_id": case_id, "score": command.score, "dimensions": command.dimensions,
                              "comment": command.comment, "rated_at": now, "rated_on": today})
    uow.emit(RatingReceived(case_id=case_id, payload=command.model_dump(mode="json")))
    task = _open_rectification(uow, ctx, state, command.score, today) if command.score <= 2 else None
    try:
        uow.commit()
    except IntegrityError:
        raise _conflict("already_rated", "该案件已评价，每件只能评价一次", "this case was already rated")
    return {"case_id": case_id, "score": command.score, "dimensions": command.dimensions,
            "rectification": task}


def _concluded_case(uow: UnitOfWork, case_id: str) -> CaseState:
    row = uow.oversight.case(case_id)
    if row is None or not row.state:
        raise not_found("case_id", case_id)
    state = CaseState.model_validate(row.state)
    if state.status not in CONCLUDED:
        raise _conflict("not_concluded", "案件办结后才能评价", f"a case can be rated once concluded; it is {state.status}")
    return state


def _open_rectification(uow: UnitOfWork, ctx: Oversight, state: CaseState, score: int, today: date) -> dict:
    due = ctx.calendar.due(today, ctx.rectification_days)
    task = {"task_id": f"RT-{state.case_id}", "case_id": state.case_id, "department": ctx.lead_of(state),
            "score": score, "opened_on": today, "budget_days": ctx.rectification_days, "due_date": due.date,
            "status": "open", "closed_on": None, "note": ""}
    uow.supervision.add_rectification(task)
    return {**task, "due_provisional": due.provisional}


def close_rectification(uow: UnitOfWork, task_id: str, command: CloseRectification, today: date) -> dict:
    task = uow.supervision.rectification(task_id, for_update=True)
    if task is None:
        raise not_found("task_id", task_id)
    if task.status == "open":
        uow.supervision.close_rectification(task_id, today, command.note)
        uow.supervision.close_warnings(task.case_id, "resolved", utcnow(), "rectification", [task_id])
        uow.commit()
    return dict(uow.supervision.rectification(task_id)._mapping)


def _conflict(code: str, message_zh: str, message_en: str) -> ApiError:
    return ApiError(409, [problem("case_id", code, message_zh, message_en)])
