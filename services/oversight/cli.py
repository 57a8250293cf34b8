"""`yici reports`: the ledger and the satisfaction survey from oversight's database, on stdout."""
from __future__ import annotations

import argparse
import json
import sys
from datetime import date

from services.oversight.handlers import Context
from services.oversight.periods import Period
from services.oversight.reports import ledger_report, rendered, survey_report
from shared.config import Settings
from shared.messaging import Store
from shared.workdays import today_in_shanghai

SERVICE = "oversight"


def parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="yici reports", description="台账 (ledger) and 满意度调查 (survey)")
    parser.add_argument("report", choices=["ledger", "satisfaction"])
    parser.add_argument("--period", choices=["weekly", "half-monthly", "monthly"], default="monthly")
    parser.add_argument("--date", type=date.fromisoformat, default=None, help="a day in the period (YYYY-MM-DD)")
    parser.add_argument("--by", choices=["matter", "department", "channel", "level", "taking_point"], default="matter")
    parser.add_argument("--format", choices=["json", "html", "csv"], default="csv")
    parser.add_argument("--config", default=None, help="YAML configuration (default $YICI_CONFIG or embedded)")
    return parser


def check(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """Nothing to check beyond argparse's own."""


def run(args: argparse.Namespace, settings: Settings, store: Store) -> int:
    period = Period.containing(args.period, args.date or today_in_shanghai())
    sys.stdout.write(_report(store, settings, args, period))
    return 0


def _report(store: Store, settings: Settings, args: argparse.Namespace, period: Period) -> str:
    if args.report == "satisfaction":
        return json.dumps(survey_report(store, period), ensure_ascii=False, indent=2, default=str) + "\n"
    report = ledger_report(store, Context.build(settings), period, args.by)
    if args.format == "json":
        return json.dumps(report, ensure_ascii=False, indent=2, default=str) + "\n"
    return rendered(report, args.format)
