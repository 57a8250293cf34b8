"""Read side of oversight: timelines, SLA clocks, warnings, tasks and the working-day calendar."""
from __future__ import annotations

from datetime import date

from services.oversight import commitments
from services.oversight.commands import DueQuery, WarningQuery
from services.oversight.domain import CaseState, Fact
from services.oversight.handlers import Context
from services.oversight.supervision import assess, case_clock, item_clocks
from services.oversight.timeline import fold, sort_key
from shared.errors import Invalid, NotFound, problem
from shared.messaging import Store
from shared.sla import SlaClock
from shared.workdays import CalendarNotCovered, WorkingCalendar


def timeline_view(store: Store, case_id: str, department: str | None = None) -> dict:
    """Every event of the case in occurrence order, however and how often it arrived. For `department`: a case
    where it has no item is as unknown as none, and the events of other departments' items are left out."""
    with store.unit_of_work() as uow:
        rows = uow.oversight.timeline(case_id)
    if not rows:
        raise NotFound("case_id", case_id)
    facts = {r.event_id: (Fact(event_id=r.event_id, event_type=r.event_type, occurred_at=r.occurred_at,
                               payload=r.body), r.actor) for r in rows}
    ordered = sorted(facts.values(), key=lambda pair: sort_key(pair[0]))
    state = fold(case_id, (fact for fact, _ in ordered))
    if department is not None:
        _own_case(state, department, case_id)
        ordered = [(f, actor) for f, actor in ordered if (f.payload or {}).get("department") in (None, department)]
    return {"case_id": case_id, "status": state.status, "matter_code": state.matter_code,
            "taking_point": state.taking_point,
            "events": [{"event_id": f.event_id, "event_type": f.event_type, "occurred_at": sort_key(f)[0],
                        "actor": actor} for f, actor in ordered]}


def _own_case(state: CaseState, department: str, case_id: str) -> None:
    if not any(item.department == department for item in state.items.values()):
        raise NotFound("case_id", case_id)


def sla_view(store: Store, context: Context, case_id: str, today: date, department: str | None = None) -> dict:
    """The case's clock and its items' clocks: budget, suspensions, deadline, share used, status. For
    `department`: only where it has an item, and only its own items' clocks (the case's deadline stays)."""
    with store.unit_of_work() as uow:
        row = uow.oversight.case(case_id)
    if row is None or not row.state:
        raise NotFound("case_id", case_id)
    state = CaseState.model_validate(row.state)
    if department is not None:
        _own_case(state, department, case_id)
    clock = case_clock(state)
    as_of = min(today, state.closed_on) if state.closed_on else today
    return {"case_id": case_id, "status": state.status, "as_of": as_of,
            "case": _clock(clock, context, as_of, context.lead_of(state)) if clock else None,
            "items": [{"item_code": code, **_clock(c, context, min(as_of, state.items[code].decided_on or as_of),
                                                      state.items[code].department)}
                      for code, c in item_clocks(state).items()
                      if department in (None, state.items[code].department)]}


def _clock(clock: SlaClock, context: Context, today: date, department: str) -> dict:
    a = assess(clock, max(today, clock.started_on), context.calendar, context.settings.yellow_share)
    return {"department": department, "started_on": clock.started_on, "budget_days": clock.budget_days,
            "suspensions": [{"suspended_on": s.suspended_on, "reason": s.reason, "resumed_on": s.resumed_on}
                            for s in clock.suspensions],
            "deadline": {"date": a.due.date, "provisional": a.due.provisional},
            "used_share": round(a.used_share, 4), "status": a.status}


def warnings_view(store: Store, query: WarningQuery) -> dict:
    with store.unit_of_work() as uow:
        rows = uow.supervision.warnings(None if query.status == "all" else query.status, query.level,
                                      query.department)
    return {"warnings": [warning_dict(r) for r in rows]}


def warning_dict(row) -> dict:
    return {"warning_id": row.warning_id, "case_id": row.case_id, "scope": row.scope,
            "subject": row.subject or None, "level": row.level, "department": row.department,
            "due_date": row.due_date, "provisional": row.provisional, "used_share": row.used_share,
            "raised_on": row.raised_on, "status": row.status}


def rectifications_view(store: Store, status: str | None, department: str | None = None) -> dict:
    """Every rectification for a supervisor; a department's own only (`department`)."""
    with store.unit_of_work() as uow:
        rows = uow.supervision.rectifications(status, department)
    return {"rectifications": [dict(r._mapping) for r in rows]}


def commitments_view(store: Store, status: str | None) -> dict:
    """Deferred materials' deadlines (承诺), e.g. the missed ones (承诺失信) with their follow-up."""
    if status is not None and status not in commitments.STATUSES:
        raise Invalid([problem("status", "unknown_status", "未知的状态", f"status is one of {commitments.STATUSES} or all")])
    with store.unit_of_work() as uow:
        rows = uow.commitments.listed(status)
    return {"commitments": [commitments.breach_view(r) for r in rows]}


def calendar_due(calendar: WorkingCalendar, query: DueQuery) -> dict:
    """The due date of `workdays` working days after `from`; provisional past the official data."""
    try:
        due = calendar.due(query.start, query.workdays, strict=query.strict)
    except CalendarNotCovered as exc:
        raise Invalid([problem("from", "calendar_not_covered", f"{exc.year}年的法定节假日安排尚未发布",
                               str(exc))]) from exc
    return {"from": query.start, "workdays": query.workdays, "due": due.date, "provisional": due.provisional,
            "covered_until": calendar.covered_until()}
