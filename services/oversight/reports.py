"""Reports read from oversight's tables: the ledger and the satisfaction survey of a period."""
from __future__ import annotations

from datetime import date

from services.oversight.handlers import Context
from services.oversight.ledger import ledger
from services.oversight.periods import Period
from services.oversight.render import ledger_csv, ledger_html
from services.oversight.survey import satisfaction
from shared.messaging import Store

MEDIA_TYPES = {"json": "application/json", "html": "text/html; charset=utf-8", "csv": "text/csv; charset=utf-8"}


def ledger_report(store: Store, context: Context, period: Period, by: str) -> dict:
    start, end = period.utc_bounds()
    with store.unit_of_work() as uow:
        warnings = uow.supervision.warnings(status=None, raised_from=period.start, raised_before=period.end,
                                            limit=10**6)
        ratings = uow.supervision.ratings_between(period.start, period.end)
        breaches = uow.commitments.listed(missed_from=period.start, missed_before=period.end)
        states = {s.case_id: s for s in uow.oversight.states_between(start, end)}
        missing = {r.case_id for r in [*warnings, *ratings, *breaches]} - set(states)
        states.update(uow.oversight.states(sorted(missing)) if missing else {})
    return ledger(period, by, states.values(), warnings, ratings, context.catalog, context.calendar, breaches)


def survey_report(store: Store, period: Period) -> dict:
    with store.unit_of_work() as uow:
        ratings = uow.supervision.ratings_between(period.start, period.end)
        tasks = uow.supervision.rectifications_touching(period.start, period.end)
    return satisfaction(period, ratings, tasks)


def rendered(report: dict, fmt: str) -> str:
    """The ledger as `json` (the caller dumps it), `html` or `csv` text."""
    return {"html": ledger_html, "csv": ledger_csv}[fmt](report)


def period_of(kind: str, day: date | None, today: date) -> Period:
    return Period.containing(kind, day or today)
