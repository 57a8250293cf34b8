"""好差评: one rating per concluded case; a bad one opens a rectification task watched like any deadline."""
from __future__ import annotations

from datetime import datetime
from typing import NoReturn

from services.oversight.commands import CloseRectification, RateCase
from services.oversight.domain import CONCLUDED, CaseState, shanghai_date
from services.oversight.handlers import Context
from shared.errors import Conflict, NotFound
from shared.events import RatingReceived
from shared.messaging import UnitOfWork, utcnow


def rate_case(uow: UnitOfWork, case_id: str, command: RateCase, now: datetime, context: Context) -> dict:
    """Take the one rating of a concluded case; a bad one (1–2) opens a rectification task.

    Run it with `on_conflict=already_rated`: of two ratings racing, the loser's insert fails at commit."""
    state = _concluded_case(uow, case_id)
    if uow.supervision.rating(case_id) is not None:
        already_rated()
    today = shanghai_date(now)
    uow.supervision.add_rating({"case_id": case_id, "score": command.score, "dimensions": command.dimensions,
                                "comment": command.comment, "rated_at": now, "rated_on": today})
    uow.emit(RatingReceived(case_id=case_id, payload=command.model_dump(mode="json")))
    task = _open_rectification(uow, state, command.score, now, context) if command.score <= 2 else None
    return {"case_id": case_id, "score": command.score, "dimensions": command.dimensions,
            "rectification": task}


def _concluded_case(uow: UnitOfWork, case_id: str) -> CaseState:
    row = uow.oversight.case(case_id)
    if row is None or not row.state:
        raise NotFound("case_id", case_id)
    state = CaseState.model_validate(row.state)
    if state.status not in CONCLUDED:
        raise _conflict("not_concluded", "案件办结后才能评价", f"a case can be rated once concluded; it is {state.status}")
    return state


def _open_rectification(uow: UnitOfWork, state: CaseState, score: int, now: datetime, context: Context) -> dict:
    today, days = shanghai_date(now), context.settings.rectification_days
    due = context.calendar.due(today, days)
    task = {"task_id": f"RT-{state.case_id}", "case_id": state.case_id, "department": context.lead_of(state),
            "score": score, "opened_on": today, "budget_days": days, "due_date": due.date,
            "status": "open", "closed_on": None, "note": ""}
    uow.supervision.add_rectification(task)
    return {**task, "due_provisional": due.provisional}


def close_rectification(uow: UnitOfWork, task_id: str, command: CloseRectification, context: Context) -> dict:
    task = uow.supervision.rectification(task_id, for_update=True)
    if task is None:
        raise NotFound("task_id", task_id)
    if task.status == "open":
        uow.supervision.close_rectification(task_id, context.today(), command.note)
        uow.supervision.close_warnings(task.case_id, "resolved", utcnow(), "rectification", [task_id])
    return dict(uow.supervision.rectification(task_id)._mapping)


def already_rated() -> NoReturn:
    """Each case is rated once."""
    raise _conflict("already_rated", "该案件已评价，每件只能评价一次", "this case was already rated")


def _conflict(code: str, message_zh: str, message_en: str) -> Conflict:
    return Conflict("case_id", code, message_zh, message_en)
