"""Oversight's use cases: fold every event into its case, watch deadlines, take ratings."""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import Callable

from sqlalchemy.exc import IntegrityError

from services.oversight.commands import CloseRectification, RateCase
from services.oversight.metrics import count_warnings, observe_completions
from services.oversight.domain import CONCLUDED, CaseState, as_utc, fold, shanghai_date
from services.oversight.supervision import (Assessment, Subject, assess, case_clock, clock_of, on_time,
                                            subjects, used_workdays)
from shared.api import ApiError, not_found, problem
from shared.catalog import Catalog, UnknownMatter
from shared.events import Event, RatingReceived, SupervisionWarning
from shared.messaging import Store, UnitOfWork, utcnow
from shared.workdays import WorkingCalendar

ACTOR_BY_EVENT = {"case_submitted": "intake", "correction_requested": "intake", "case_accepted": "intake",
                  "supplement_provided": "applicant", "approval_requested": "routing",
                  "case_completed": "routing", "case_rejected": "routing", "approval_cancelled": "routing",
                  "case_withdrawn": "intake", "delivery_dispatched": "delivery",
                  "delivery_completed": "delivery", "rating_received": "applicant",
                  "decision_answered": "approval", "supervision_warning": "oversight"}


@dataclass(frozen=True)
class Oversight:
    """What the use cases need besides the unit of work."""
    calendar: WorkingCalendar
    catalog: Catalog
    yellow_share: float = 0.8
    rectification_days: int = 15

    def lead_of(self, state: CaseState) -> str:
        try:
            return self.catalog.matter(state.matter_code or "").lead_department
        except UnknownMatter:
            return next(iter(state.departments), "unknown")


CONSUMER = "oversight"


def context(settings, calendar: WorkingCalendar, catalog: Catalog) -> Oversight:
    return Oversight(calendar, catalog, settings.oversight.yellow_share, settings.oversight.rectification_days)


def consume(store: Store, ctx: Oversight, event: Event, today: date) -> None:
    """Fold one event once; the latency histograms observe completions after the commit."""
    completions: list[Completion] = []
    if store.process(CONSUMER, event, lambda uow, e: completions.extend(record_event(uow, ctx, e, today))):
        observe_completions(completions)


@dataclass(frozen=True)
class Completion:
    """A case seen complete for the first time: what the latency histograms observe."""
    matter_code: str
    channel: str
    seconds: float
    workdays: int


def record_event(uow: UnitOfWork, ctx: Oversight, event: Event, today: date) -> list[Completion]:
    """Add the event to the timeline and refold the case from all of its events."""
    row = uow.oversight.lock_case(event.case_id)
    uow.oversight.record({"event_id": str(event.event_id), "case_id": event.case_id,
                          "event_type": event.event_type, "occurred_at": as_utc(event.occurred_at),
                          "actor": _actor(event), "body": event.model_dump(mode="json")["payload"]})
    before = CaseState.model_validate(row.state) if row.state else None
    state = fold(event.case_id, uow.oversight.facts(event.case_id))
    clock = case_clock(state)
    due = clock.deadline(ctx.calendar, max(today, state.accepted_on)).date if clock else None
    uow.oversight.save_state(state, ctx.lead_of(state), due, *_verdict(ctx, state))
    _resolve_warnings(uow, state)
    return _completions(ctx, before, state)


def _verdict(ctx: Oversight, state: CaseState) -> tuple[bool | None, int | None]:
    """For a concluded case (completed or rejected): on time, and working days used."""
    clock = case_clock(state)
    if clock is None or state.status not in CONCLUDED:
        return None, None
    return (on_time(clock, state.closed_on, ctx.calendar),
            used_workdays(clock, state.closed_on, ctx.calendar))


def _actor(event: Event) -> str:
    if event.event_type == "approval_decided":
        return f"{event.payload.department}:{event.payload.decided_by}"
    if event.event_type == "department_decided":
        return f"{event.payload.department}:system"
    return ACTOR_BY_EVENT.get(event.event_type, "unknown")


def _resolve_warnings(uow: UnitOfWork, state: CaseState) -> None:
    open_subjects = {(scope, subject) for scope, subject in uow.oversight.open_warning_subjects(state.case_id)}
    done_items = [s for scope, s in open_subjects if scope == "item" and
                  (state.closed_at or (s in state.items and state.items[s].decided))]
    if done_items:
        uow.oversight.close_warnings(state.case_id, "resolved", utcnow(), "item", done_items)
    if state.closed_at and ("case", "") in open_subjects:
        uow.oversight.close_warnings(state.case_id, "resolved", utcnow(), "case")


def _completions(ctx: Oversight, before: CaseState | None, state: CaseState) -> list[Completion]:
    was_measured = before is not None and before.completed_at and before.accepted_at
    clock = case_clock(state)
    if was_measured or not (state.completed_at and state.accepted_at and clock):
        return []
    return [Completion(state.matter_code or "unknown", state.channel or "unknown",
                       max(0.0, (state.completed_at - state.accepted_at).total_seconds()),
                       used_workdays(clock, state.closed_on, ctx.calendar))]


def scan(store: Store, ctx: Oversight, today: date) -> list[dict]:
    """Raise every warning now due, each once (also across replicas scanning at the same time)."""
    with store.unit_of_work() as uow:
        case_ids = uow.oversight.open_case_ids()
        task_ids = [t.task_id for t in uow.oversight.rectifications("open")]
    raised: list[dict] = []
    for case_id in case_ids:
        raised += _in_transaction(store, lambda uow: _scan_case(uow, ctx, case_id, today))
    for task_id in task_ids:
        raised += _in_transaction(store, lambda uow: _scan_task(uow, ctx, task_id, today))
    count_warnings(raised)
    return raised


def _in_transaction(store: Store, work: Callable[[UnitOfWork], list[dict]]) -> list[dict]:
    try:
        with store.unit_of_work() as uow:
            result = work(uow)
            uow.commit()
            return result
    except IntegrityError:  # another scanner raised the same warning first
        return []


def _scan_case(uow: UnitOfWork, ctx: Oversight, case_id: str, today: date) -> list[dict]:
    row = uow.oversight.case(case_id)
    if row is None or not row.state:
        return []
    state = CaseState.model_validate(row.state)
    raised = []
    for subject in subjects(state, ctx.lead_of(state)):
        assessment = assess(subject.clock, today, ctx.calendar, ctx.yellow_share)
        raised += _raise(uow, subject, assessment, today)
    return raised


def _scan_task(uow: UnitOfWork, ctx: Oversight, task_id: str, today: date) -> list[dict]:
    task = uow.oversight.rectification(task_id)
    if task is None or task.status != "open":
        return []
    subject = Subject(task.case_id, "rectification", task.task_id, task.department,
                      clock_of(task.opened_on, task.budget_days, []))
    return _raise(uow, subject, assess(subject.clock, today, ctx.calendar, ctx.yellow_share), today)


def _raise(uow: UnitOfWork, subject: Subject, assessment: Assessment, today: date) -> list[dict]:
    level = assessment.level
    if level is None or uow.oversight.warning(subject.case_id, subject.scope, subject.key, level):
        return []
    warning = {"warning_id": str(uuid.uuid4()), "case_id": subject.case_id, "scope": subject.scope,
               "subject": subject.key, "level": level, "department": subject.department,
               "due_date": assessment.due.date, "provisional": assessment.provisional,
               "used_share": round(assessment.used_share, 4), "raised_on": today, "raised_at": utcnow(),
               "status": "open"}
    uow.oversight.add_warning(warning)
    if level == "red":
        uow.oversight.close_warnings(subject.case_id, "superseded", utcnow(), subject.scope, [subject.key], "yellow")
    uow.emit(SupervisionWarning(case_id=subject.case_id, payload={
        "level": level, "scope": subject.scope, "department": subject.department,
        "item_code": subject.key if subject.scope == "item" else None,
        "task_id": subject.key if subject.scope == "rectification" else None,
        "due_date": assessment.due.date, "used_share": warning["used_share"]}))
    return [warning]


def rate_case(uow: UnitOfWork, ctx: Oversight, case_id: str, command: RateCase, now: datetime) -> dict:
    """Take the one rating of a concluded case; a bad one (1–2) opens a rectification task."""
    state = _concluded_case(uow, case_id)
    if uow.oversight.rating(case_id) is not None:
        raise _conflict("already_rated", "该案件已评价，每件只能评价一次", "this case was already rated")
    today = shanghai_date(now)
    uow.oversight.add_rating({"case_id": case_id, "score": command.score, "dimensions": command.dimensions,
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
    uow.oversight.add_rectification(task)
    return {**task, "due_provisional": due.provisional}


def close_rectification(uow: UnitOfWork, task_id: str, command: CloseRectification, today: date) -> dict:
    task = uow.oversight.rectification(task_id, for_update=True)
    if task is None:
        raise not_found("task_id", task_id)
    if task.status == "open":
        uow.oversight.close_rectification(task_id, today, command.note)
        uow.oversight.close_warnings(task.case_id, "resolved", utcnow(), "rectification", [task_id])
        uow.commit()
    return dict(uow.oversight.rectification(task_id)._mapping)


def _conflict(code: str, message_zh: str, message_en: str) -> ApiError:
    return ApiError(409, [problem("case_id", code, message_zh, message_en)])
