"""`yici seals`: the departments' e-seal keys in approval's database: list them, rotate one or all."""
from __future__ import annotations

import argparse
import json
import sys

from sqlalchemy.exc import DBAPIError

from services.approval import sealkeys
from services.approval.repository import REPOSITORIES, TABLES
from shared.catalog import default_catalog
from shared.config import ConfigError, load_settings
from shared.db import make_engine, make_session_factory
from shared.errors import Refusal
from shared.messaging import Store, utcnow


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="yici seals", description="e-seal keys (电子印章密钥) of the departments")
    parser.add_argument("action", choices=["list", "rotate"])
    parser.add_argument("department", nargs="?", help="department code (see the catalog)")
    parser.add_argument("--all", action="store_true", help="every department (rotate: those with generated keys)")
    parser.add_argument("--config", default=None, help="YAML configuration (default $YICI_CONFIG or embedded)")
    args = parser.parse_args(argv)
    departments = sorted(default_catalog().departments)
    if args.all == bool(args.department):
        parser.error("name one department or --all")
    if args.department and args.department not in departments:
        parser.error(f"unknown department {args.department!r}; known: {', '.join(departments)}")
    try:
        settings = load_settings(args.config)
    except ConfigError as exc:
        print(f"yici seals: {exc}", file=sys.stderr)
        return 2
    engine = make_engine(settings.database_url_for("approval"))
    store = Store(make_session_factory(engine), TABLES, dict(REPOSITORIES))
    chosen = departments if args.all else [args.department]
    operator = settings.approval.seal_keys
    try:
        if args.action == "list":
            with store.unit_of_work() as uow:
                listed = {d: [k.public_view() for k in sealkeys.keys_of(uow, d)] for d in chosen}
            print(json.dumps({d: keys for d, keys in listed.items() if keys or not args.all},
                             ensure_ascii=False, indent=2, default=str))
            return 0
        failed = 0
        for department in chosen:
            if args.all and department in operator:
                print(f"{department}: supplied by the operator, not rotated", file=sys.stderr)
                continue
            try:
                key = store.run(sealkeys.rotate, department, operator, utcnow())
            except Refusal as refusal:
                print(f"yici seals: {refusal.problems[0]['message_en']}", file=sys.stderr)
                failed += 1
                continue
            print(f"{department}: new seal key {key.key_id}; the previous one is retired and still verifies")
        return 1 if failed else 0
    except DBAPIError as exc:
        print(f"yici seals: cannot use approval's database ({type(exc.orig).__name__}); "
              "start the suite or run `yici migrate` first", file=sys.stderr)
        return 1
    finally:
        engine.dispose()
