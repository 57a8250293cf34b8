"""`yici users add|disable|reset|list`: staff accounts in oversight's database.

Passwords are read from stdin (`--password-stdin`) or, for reset, generated and printed once; they are never
put on the command line (where `ps` shows them) nor logged. Disabling or resetting ends the account's sessions
in every service (oversight publishes staff_account_disabled from its outbox)."""
from __future__ import annotations

import argparse
import getpass
import sys
import time

from services.oversight import staff
from shared.config import Settings
from shared.errors import Refusal
from shared.messaging import Store
from shared.staff import ROLES

SERVICE = "oversight"


def parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="yici users", description="staff accounts (工作人员账号), oversight's database")
    parser.add_argument("action", choices=["add", "disable", "reset", "list"])
    parser.add_argument("account_id", nargs="?")
    parser.add_argument("--name", help="display name (add)")
    parser.add_argument("--role", choices=ROLES, help="role (add)")
    parser.add_argument("--department", help="department code (a department approver's)")
    parser.add_argument("--unit", help="unit within the department (optional)")
    parser.add_argument("--password-stdin", action="store_true",
                        help="read the password from stdin (add: else asked on the terminal; reset: else generated)")
    parser.add_argument("--config", default=None, help="YAML configuration (default $YICI_CONFIG or embedded)")
    return parser


def check(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    if args.action != "list" and not args.account_id:
        parser.error(f"users {args.action}: give the account id")
    if args.action == "add" and not (args.name and args.role):
        parser.error("users add: give --name and --role")


def _password(args: argparse.Namespace) -> str | None:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return getpass.getpass("password: ") if args.action == "add" else None


def run(args: argparse.Namespace, settings: Settings, store: Store) -> int:
    now = time.time()
    try:
        if args.action == "list":
            for row in store.run(staff.list_accounts):
                state = "disabled" if row["disabled_at"] else "active"
                print("\t".join([row["account_id"], row["role"], row["department"] or "-", state]))
        elif args.action == "add":
            store.run(staff.add_account, staff.NewAccount(args.account_id, args.name, args.role, args.department,
                                                          args.unit), _password(args) or "", now)
            print(f"added {args.account_id}")
        elif args.action == "disable":
            store.run(staff.disable_account, args.account_id, now)
            print(f"disabled {args.account_id}: its sessions end in every service")
        else:
            chosen = store.run(staff.reset_password, args.account_id, _password(args), now)
            print(f"reset {args.account_id}" + ("" if args.password_stdin else f"; one-time password: {chosen}"))
    except Refusal as refused:
        print("yici users: " + "; ".join(p["message_en"] for p in refused.problems), file=sys.stderr)
        return 1
    return 0
