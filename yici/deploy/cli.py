"""`yici topology …`, `yici migrate …` and `yici deploy generate`: argument parsing and dispatch."""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

from shared.config import SERVICES

from . import access, broker
from .definitions import PROFILES

COMMANDS = ("topology", "migrate", "deploy")


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="yici", description="deployment: broker topology, migrations, manifests")
    commands = root.add_subparsers(dest="command", required=True)
    _topology(commands.add_parser("topology", help="RabbitMQ definitions, users and loading"))
    _migrate(commands.add_parser("migrate", help="run a service's Alembic migrations"))
    deploy = commands.add_parser("deploy", help="generated deployment files; real Kubernetes Secrets")
    deploy.add_argument("action", choices=["generate", "secrets"],
                        help="generate: rewrite the committed files; secrets: print Secrets with real passwords")
    deploy.add_argument("--check", action="store_true", help="fail when a committed file is out of date")
    _secrets(deploy)
    return root


def _topology(topology: argparse.ArgumentParser) -> None:
    actions = topology.add_subparsers(dest="action", required=True)
    for name, text in (("definitions", "print the definitions JSON"), ("load", "import into the local broker")):
        action = actions.add_parser(name, help=text)
        action.add_argument("--profile", choices=PROFILES, default="single")
        action.add_argument("--vhost", default="/")
        action.add_argument("--with-users", action="store_true", help="add users, permissions (hashed passwords)")
        action.add_argument("--user-prefix", default="", help="prefix every user name (throwaway set-ups)")
        _secrets(action)
    uri = actions.add_parser("uri", help="print the AMQP URI of one broker user")
    uri.add_argument("user", help="e.g. yici-intake or dept-tax")
    uri.add_argument("--host", default="127.0.0.1")
    uri.add_argument("--port", type=int, default=5672)
    uri.add_argument("--vhost", default="/")
    _secrets(uri)
    actions.add_parser("users", help="list broker users and their permissions")


def _secrets(action: argparse.ArgumentParser) -> None:
    action.add_argument("--secrets-dir", type=Path, help="one file per user holding its password")
    action.add_argument("--generate-passwords", action="store_true",
                        help="write a random password into --secrets-dir for users that have none")


def _migrate(migrate: argparse.ArgumentParser) -> None:
    migrate.add_argument("service", choices=[*SERVICES, "all"])
    migrate.add_argument("--database-url", help="default: the configuration's database_url")
    migrate.add_argument("--config", help="default deploy/config/distributed.yaml")
    migrate.add_argument("--downgrade", metavar="REVISION", help="go down to REVISION (e.g. base)")
    migrate.add_argument("--new", metavar="MESSAGE",
                         help="autogenerate the next revision from repository.py (scratch SQLite by default)")


def main(argv: list[str]) -> int:
    args = parser().parse_args(argv)
    try:
        return {"topology": topology_command, "migrate": migrate_command, "deploy": deploy_command}[
            args.command](args)
    except access.MissingSecret as exc:
        print(f"yici: {exc}", file=sys.stderr)
        return 2


def topology_command(args) -> int:
    if args.action == "users":
        from .definitions import departments_from_catalog
        for grant in access.grants(departments_from_catalog()):
            print(f"{grant.user}\t{grant.role}\tconfigure={grant.configure}\twrite={grant.write}\tread={grant.read}")
        return 0
    if args.action == "uri":
        password = access.password_for(args.user, args.secrets_dir, args.generate_passwords)
        print(access.amqp_uri(args.user, password, args.host, args.port, args.vhost))
        return 0
    doc = broker.document(args.profile, args.vhost, with_users=args.with_users, secrets_dir=args.secrets_dir,
                          generate=args.generate_passwords, prefix=args.user_prefix)
    if args.action == "definitions":
        print(json.dumps(doc, indent=2, ensure_ascii=False))
        return 0
    broker.import_definitions(doc)
    print(f"yici: loaded {len(doc['queues'])} queues, {len(doc['users'])} users into vhost {args.vhost!r}",
          file=sys.stderr)
    return 0


def migrate_command(args) -> int:
    from . import migrations
    services = list(SERVICES) if args.service == "all" else [args.service]
    for service in services:
        if args.new:
            _new_revision(migrations, service, args.new, args.database_url)
            continue
        url = args.database_url or _database_url(args.config, service)
        revision = (migrations.downgrade(service, url, args.downgrade) if args.downgrade
                    else migrations.upgrade(service, url))
        print(f"yici: {service} at {revision or 'base'}", file=sys.stderr)
    return 0


def _new_revision(migrations, service: str, message: str, url: str | None) -> None:
    """Autogenerate against a scratch SQLite database unless a database is named."""
    if url:
        return migrations.new_revision(service, url, message)
    with tempfile.TemporaryDirectory() as scratch:
        migrations.new_revision(service, f"sqlite:///{scratch}/{service}.db", message)


def _database_url(config: str | None, service: str) -> str:
    from shared.config import REPO_ROOT, load_settings
    settings = load_settings(config or REPO_ROOT / "deploy" / "config" / "distributed.yaml")
    return settings.database_url_for(service)


def deploy_command(args) -> int:
    from . import generated
    if args.action == "secrets":
        print(generated.real_secrets(args.secrets_dir, args.generate_passwords), end="")
        return 0
    stale = generated.check() if args.check else generated.write()
    for path in stale:
        print(f"{'out of date' if args.check else 'wrote'}: {path}", file=sys.stderr)
    return 1 if args.check and stale else 0
