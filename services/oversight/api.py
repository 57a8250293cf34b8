"""HTTP edge of oversight: read the request into a command or query, call one use case, shape the reply."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

from werkzeug.wrappers import Request, Response

from services.oversight import audit, pages, ratings, reports, staff, views
from services.oversight import scan as scanning
from services.oversight.commands import (
    AuditQueryParams,
    CloseRectification,
    DueQuery,
    RateCase,
    ReportQuery,
    ScanRequest,
    WarningQuery,
)
from services.oversight.handlers import Context
from services.oversight.metrics import RATINGS
from services.oversight.periods import Period
from shared.api import parse_json_body, validate
from shared.audit_edge import Auditor, department_scope, stated_purpose
from shared.config import Settings
from shared.messaging import Store, utcnow
from shared.staff import staff_principal
from shared.staff.revocations import REVOKED
from shared.workdays import SHANGHAI


def timeline(request: Request, store: Store, settings: Settings, case_id: str) -> dict:
    found = views.timeline_view(store, case_id, department_scope(request))
    Auditor("oversight", settings).record(store, request, "case.timeline.read",
                                          stated_purpose(request, "case_progress"), case_id=case_id)
    return found


def sla(request: Request, store: Store, context: Context, settings: Settings, case_id: str) -> dict:
    found = views.sla_view(store, context, case_id, context.today(), department_scope(request))
    Auditor("oversight", settings).record(store, request, "case.sla.read", stated_purpose(request, "case_progress"),
                                          case_id=case_id)
    return found


def rate(request: Request, store: Store, context: Context, case_id: str) -> tuple[int, dict]:
    command = parse_json_body(request, RateCase)
    result = store.run(ratings.rate_case, case_id, command, utcnow(), context, on_conflict=ratings.already_rated)
    RATINGS.labels(str(command.score)).inc()
    return 201, result


def scan(request: Request, store: Store, context: Context) -> dict:
    """The scan the timer runs every oversight.scan_interval_seconds, now (a body, if any, must be empty)."""
    if request.get_data():
        parse_json_body(request, ScanRequest)
    today = context.today()
    raised = scanning.scan(store, context, today)
    return {"today": today, "raised": [views.warning_dict(_Row(w)) for w in raised]}


def close_task(request: Request, store: Store, context: Context, task_id: str) -> dict:
    return store.run(ratings.close_rectification, task_id, parse_json_body(request, CloseRectification), context,
                     department_scope(request))


def due(request: Request, settings: Settings) -> dict:
    # the official calendar, which never guesses: strict answers refuse years without data
    return views.calendar_due(settings.calendar(), validate(DueQuery, request.args.to_dict()))


def audit_entries(request: Request, store: Store, settings: Settings) -> dict:
    """The audit trail for a supervisor; a query by person is itself a holder lookup, so it is audited."""
    query = validate(AuditQueryParams, request.args.to_dict())
    purpose = stated_purpose(request) if query.subject else None
    auditor = Auditor("oversight", settings)
    found = audit.entries(store, audit.AuditQuery(
        query.case_id, query.actor, auditor.subject(query.subject), _day_start(query.from_),
        _day_start(query.to + timedelta(days=1)) if query.to else None, query.after, query.limit))
    if query.subject and purpose:
        auditor.record(store, request, "audit.subject_query", purpose, subject=query.subject)
    return found


def _day_start(day: date | None) -> datetime | None:
    return datetime.combine(day, time(), tzinfo=SHANGHAI).astimezone(timezone.utc) if day else None


def warnings(request: Request, store: Store) -> dict:
    return views.warnings_view(store, validate(WarningQuery, request.args.to_dict()))


def tasks(request: Request, store: Store) -> dict:
    status = request.args.get("status", "open")
    return views.rectifications_view(store, None if status == "all" else status, department_scope(request))


def commitments(request: Request, store: Store) -> dict:
    status = request.args.get("status", "missed")
    return views.commitments_view(store, None if status == "all" else status)


def ledger(request: Request, store: Store, context: Context):
    query = validate(ReportQuery, request.args.to_dict())
    report = reports.ledger_report(store, context, _period(query, context), query.by)
    if query.format == "json":
        return report
    name = f"ledger-{query.period}-{report['period']['start']}-{query.by}.{query.format}"
    return Response(reports.rendered(report, query.format), mimetype=reports.MEDIA_TYPES[query.format].split(";")[0],
                    headers={"Content-Disposition": f'inline; filename="{name}"'})


def satisfaction(request: Request, store: Store, context: Context) -> dict:
    query = validate(ReportQuery, request.args.to_dict())
    return reports.survey_report(store, _period(query, context))


def page(request: Request, store: Store, context: Context, settings: Settings) -> Response:
    who = pages.supervisor(request, settings, store)
    if who is None:
        return pages.redirect_to_login()
    person = staff_principal(request, settings)
    return pages.oversight_page(store, context, context.today(), who, person if person and
                                person.role == "supervisor" else None)


def ledger_page(request: Request, store: Store, context: Context, settings: Settings) -> Response:
    if pages.supervisor(request, settings, store) is None:
        return pages.redirect_to_login()
    query = validate(ReportQuery, request.args.to_dict())
    return pages.ledger_page(store, context, _period(query, context), query.by)


def login(request: Request, store: Store, settings: Settings) -> Response:
    return pages.login(request, settings, store) if request.method == "POST" else pages.login_page()


def logout(request: Request, store: Store, settings: Settings) -> Response:
    return pages.logout(request, settings, store)


def reload_revocations(store: Store, settings: Settings) -> None:
    now = utcnow().timestamp()
    store.run(staff.reload_revocations, now)
    REVOKED.forget(now, settings.staff.session_hours * 3600)


def _period(query: ReportQuery, context: Context) -> Period:
    """The period the query names: the one holding its date, or today."""
    return Period.containing(query.period, query.day or context.today())


class _Row:
    """A raised warning (a dict) read like a table row."""

    def __init__(self, data: dict):
        self.__dict__.update(data)

