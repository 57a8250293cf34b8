"""`yici seals`: the departments' e-seal keys in approval's database: list them, rotate one or all."""
from __future__ import annotations

import argparse
import json
import sys

from services.approval import sealkeys
from shared.catalog import default_catalog
from shared.config import Settings
from shared.errors import Refusal
from shared.messaging import Store, utcnow

SERVICE = "approval"


def parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="yici seals", description="e-seal keys (电子印章密钥) of the departments")
    parser.add_argument("action", choices=["list", "rotate"])
    parser.add_argument("department", nargs="?", help="department code (see the catalog)")
    parser.add_argument("--all", action="store_true", help="every department (rotate: those with generated keys)")
    parser.add_argument("--config", default=None, help="YAML configuration (default $YICI_CONFIG or embedded)")
    return parser


def check(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    departments = sorted(default_catalog().departments)
    if args.all == bool(args.department):
        parser.error("name one department or --all")
    if args.department and args.department not in departments:
        parser.error(f"unknown department {args.department!r}; known: {', '.join(departments)}")


def run(args: argparse.Namespace, settings: Settings, store: Store) -> int:
    chosen = sorted(default_catalog().departments) if args.all else [args.department]
    if args.action == "list":
        with store.unit_of_work() as uow:
            listed = {d: [k.public_view() for k in sealkeys.keys_of(uow, d)] for d in chosen}
        print(json.dumps({d: keys for d, keys in listed.items() if keys or not args.all},
                         ensure_ascii=False, indent=2, default=str))
        return 0
    return _rotate(args.all, chosen, settings, store)


def _rotate(every: bool, chosen: list[str], settings: Settings, store: Store) -> int:
    operator = settings.approval.seal_keys
    failed = 0
    for department in chosen:
        if every and department in operator:
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
