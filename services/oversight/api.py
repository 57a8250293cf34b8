"""HTTP edge of oversight: read the request into a command or query, call one use case, shape the reply."""
from __future__ import annotations

from datetime import date

from werkzeug.wrappers import Request, Response

from services.oversight import pages, ratings, reports, scan as scanning, views
from services.oversight.commands import (CloseRectification, DueQuery, RateCase, ReportQuery, ScanRequest,
                                         WarningQuery)
from services.oversight.handlers import Oversight
from services.oversight.metrics import RATINGS
from services.oversight.periods import Period
from shared.api import parse_json_body, validate
from shared.config import Settings
from shared.messaging import Store, utcnow


def rate(request: Request, store: Store, ctx: Oversight, case_id: str) -> tuple[int, dict]:
    command = parse_json_body(request, RateCase)
    with store.unit_of_work() as uow:
        result = ratings.rate_case(uow, ctx, case_id, command, utcnow())
    RATINGS.labels(str(command.score)).inc()
    return 201, result


def scan(request: Request, store: Store, ctx: Oversight, today: date) -> dict:
    """The scan the timer runs every oversight.scan_interval_seconds, now (a body, if any, must be empty)."""
    if request.get_data():
        parse_json_body(request, ScanRequest)
    raised = scanning.scan(store, ctx, today)
    return {"today": today, "raised": [views.warning_dict(_Row(w)) for w in raised]}


def close_task(request: Request, store: Store, task_id: str, today: date) -> dict:
    command = parse_json_body(request, CloseRectification)
    with store.unit_of_work() as uow:
        return ratings.close_rectification(uow, task_id, command, today)


def due(request: Request, settings: Settings) -> dict:
    # the official calendar, which never guesses: strict answers refuse years without data
    return views.calendar_due(settings.calendar(), validate(DueQuery, request.args.to_dict()))


def warnings(request: Request, store: Store) -> dict:
    return views.warnings_view(store, validate(WarningQuery, request.args.to_dict()))


def tasks(request: Request, store: Store) -> dict:
    status = request.args.get("status", "open")
    return views.rectifications_view(store, None if status == "all" else status)


def ledger(request: Request, store: Store, ctx: Oversight, today: date):
    query = validate(ReportQuery, request.args.to_dict())
    report = reports.ledger_report(store, ctx, Period.containing(query.period, query.day or today), query.by)
    if query.format == "json":
        return report
    name = f"ledger-{query.period}-{report['period']['start']}-{query.by}.{query.format}"
    return Response(reports.rendered(report, query.format), mimetype=reports.MEDIA_TYPES[query.format].split(";")[0],
                    headers={"Content-Disposition": f'inline; filename="{name}"'})


def satisfaction(request: Request, store: Store, today: date) -> dict:
    query = validate(ReportQuery, request.args.to_dict())
    return reports.survey_report(store, Period.containing(query.period, query.day or today))


def page(request: Request, store: Store, ctx: Oversight, settings: Settings, today: date) -> Response:
    who = pages.supervisor(request, settings)
    return pages.oversight_page(store, ctx, today, who) if who else pages.redirect_to_login()


def ledger_page(request: Request, store: Store, ctx: Oversight, settings: Settings, today: date) -> Response:
    if pages.supervisor(request, settings) is None:
        return pages.redirect_to_login()
    query = validate(ReportQuery, request.args.to_dict())
    return pages.ledger_page(store, ctx, Period.containing(query.period, query.day or today), query.by)


def login(request: Request, settings: Settings) -> Response:
    return pages.login(request, settings) if request.method == "POST" else pages.login_page()


class _Row:
    """A raised warning (a dict) read like a table row."""

    def __init__(self, data: dict):
        self.__dict__.update(data)

