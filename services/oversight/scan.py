"""The supervision scan (电子监察): every open deadline assessed, each warning raised once through the outbox."""
from __future__ import annotations

import uuid
from datetime import date

from services.oversight import commitments
from services.oversight.domain import CaseState
from services.oversight.handlers import Context
from services.oversight.metrics import count_warnings
from services.oversight.supervision import Assessment, Subject, assess, clock_of, subjects
from shared.events import SupervisionWarning
from shared.messaging import Store, UnitOfWork, utcnow


def scan(store: Store, context: Context, as_of: date | None = None) -> list[dict]:
    """Raise every warning due as of that day (today), each once, a case or task per transaction.

    Replicas may scan at the same time: one that loses the race to raise a warning (at the unique key) raises
    nothing for that case this time."""
    today = as_of or context.today()
    with store.unit_of_work() as uow:
        case_ids = uow.oversight.open_case_ids()
        task_ids = [t.task_id for t in uow.supervision.rectifications("open")]
        promised = uow.commitments.open_keys()
    raised: list[dict] = []
    for case_id in case_ids:
        raised += store.run(_scan_case, case_id, today, context, on_conflict=lambda: [])
    for task_id in task_ids:
        raised += store.run(_scan_task, task_id, today, context, on_conflict=lambda: [])
    for case_id, code in promised:
        raised += store.run(_scan_commitment, case_id, code, today, context, on_conflict=lambda: [])
    count_warnings(raised)
    return raised


def _scan_case(uow: UnitOfWork, case_id: str, today: date, context: Context) -> list[dict]:
    row = uow.oversight.case(case_id)
    if row is None or not row.state:
        return []
    state = CaseState.model_validate(row.state)
    raised = []
    for subject in subjects(state, context.lead_of(state)):
        assessment = assess(subject.clock, today, context.calendar, context.settings.yellow_share)
        raised += _raise(uow, subject, assessment, today)
    return raised


def _scan_task(uow: UnitOfWork, task_id: str, today: date, context: Context) -> list[dict]:
    task = uow.supervision.rectification(task_id)
    if task is None or task.status != "open":
        return []
    subject = Subject(task.case_id, "rectification", task.task_id, task.department,
                      clock_of(task.opened_on, task.budget_days, []))
    return _raise(uow, subject, assess(subject.clock, today, context.calendar, context.settings.yellow_share), today)


def _scan_commitment(uow: UnitOfWork, case_id: str, code: str, today: date, context: Context) -> list[dict]:
    """A deferred material's deadline: the applicant reminded once, the lead department warned yellow then
    red; past the deadline the commitment is missed (承诺失信) with the catalog's follow-up, and watched no more."""
    row = uow.commitments.get(case_id, code, lock=True)
    if row is None or row.status != "open":
        return []
    settings, calendar = context.settings, context.calendar
    if commitments.reminder_due(row, today, calendar, settings.commitment_remind_share):
        uow.commitments.set(case_id, code, reminded_on=today)
        uow.emit(commitments.reminder(row, commitments.applicant_contact(uow, case_id)))
    subject = Subject(case_id, "commitment", code, row.department, commitments.clock(row))
    assessment = assess(subject.clock, today, calendar, settings.yellow_share)
    raised = _raise(uow, subject, assessment, today)
    if assessment.level == "red":
        uow.commitments.set(case_id, code, status="missed", missed_on=today,
                            follow_up=commitments.follow_up(context.catalog, row.matter_code))
    return raised


def _raise(uow: UnitOfWork, subject: Subject, assessment: Assessment, today: date) -> list[dict]:
    level = assessment.level
    if level is None or uow.supervision.warning(subject.case_id, subject.scope, subject.key, level):
        return []
    warning = {"warning_id": str(uuid.uuid4()), "case_id": subject.case_id, "scope": subject.scope,
               "subject": subject.key, "level": level, "department": subject.department,
               "due_date": assessment.due.date, "provisional": assessment.provisional,
               "used_share": round(assessment.used_share, 4), "raised_on": today, "raised_at": utcnow(),
               "status": "open"}
    uow.supervision.add_warning(warning)
    if level == "red":
        uow.supervision.close_warnings(subject.case_id, "superseded", utcnow(), subject.scope, [subject.key], "yellow")
    uow.emit(SupervisionWarning(case_id=subject.case_id, payload={
        "level": level, "scope": subject.scope, "department": subject.department,
        "item_code": subject.key if subject.scope == "item" else None,
        "task_id": subject.key if subject.scope == "rectification" else None,
        "material_code": subject.key if subject.scope == "commitment" else None,
        "due_date": assessment.due.date, "used_share": warning["used_share"]}))
    return [warning]
