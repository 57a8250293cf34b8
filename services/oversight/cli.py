"""`yici reports`: the ledger and the satisfaction survey from oversight's database, on stdout."""
from __future__ import annotations

import argparse
import json
import sys
from datetime import date

from sqlalchemy.exc import DBAPIError

from services.oversight.handlers import Context
from services.oversight.periods import Period
from services.oversight.reports import ledger_report, rendered, survey_report
from services.oversight.repository import REPOSITORIES, TABLES
from shared.config import ConfigError, load_settings
from shared.db import make_engine, make_session_factory
from shared.messaging import Store
from shared.workdays import today_in_shanghai


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="yici reports", description="台账 (ledger) and 满意度调查 (survey)")
    parser.add_argument("report", choices=["ledger", "satisfaction"])
    parser.add_argument("--period", choices=["weekly", "half-monthly", "monthly"], default="monthly")
    parser.add_argument("--date", type=date.fromisoformat, default=None, help="a day in the period (YYYY-MM-DD)")
    parser.add_argument("--by", choices=["matter", "department", "channel", "level"], default="matter")
    parser.add_argument("--format", choices=["json", "html", "csv"], default="csv")
    parser.add_argument("--config", default=None, help="YAML configuration (default $YICI_CONFIG or embedded)")
    args = parser.parse_args(argv)
    try:
        settings = load_settings(args.config)
    except ConfigError as exc:
        print(f"yici reports: {exc}", file=sys.stderr)
        return 2
    engine = make_engine(settings.database_url_for("oversight"))
    store = Store(make_session_factory(engine), TABLES, REPOSITORIES)
    period = Period.containing(args.period, args.date or today_in_shanghai())
    try:
        sys.stdout.write(_report(store, settings, args, period))
    except DBAPIError as exc:
        print(f"yici reports: cannot read oversight's database ({type(exc.orig).__name__}); "
              "start the suite or run `yici migrate` first", file=sys.stderr)
        return 1
    finally:
        engine.dispose()
    return 0


def _report(store: Store, settings, args, period: Period) -> str:
    if args.report == "satisfaction":
        return json.dumps(survey_report(store, period), ensure_ascii=False, indent=2, default=str) + "\n"
    report = ledger_report(store, Context.build(settings), period, args.by)
    if args.format == "json":
        return json.dumps(report, ensure_ascii=False, indent=2, default=str) + "\n"
    return rendered(report, args.format)
