"""The `yici` command: run or serve the services, catalog, guides, reports and the deployment tooling."""
from __future__ import annotations

import argparse
import sys

SERVICES = ("intake", "routing", "approval", "delivery", "oversight")
DEPLOY_COMMANDS = {"topology": "RabbitMQ definitions, users and loading (see deploy/README.md)",
                   "migrate": "run a service's database migrations (before it starts)",
                   "deploy": "regenerate or check the generated deployment files"}


STORE_TOOLS = {"seals": "services.approval.cli", "reports": "services.oversight.cli",
               "audit": "services.oversight.audit_cli", "users": "services.oversight.users_cli"}


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] in ("run", "serve"):
        import shared.providers.boot  # noqa: F401 - must run before the rest is imported
    if argv and argv[0] in DEPLOY_COMMANDS:
        return _deploy_tooling(argv)
    if argv and argv[0] == "i18n":
        from shared.i18n.cli import main as i18n_main
        return i18n_main(argv[1:])
    if argv and argv[0] in STORE_TOOLS:
        return _store_tool(argv[0], argv[1:])
    from shared.config import ConfigError
    parser = argparse.ArgumentParser(prog="yici", description="Yici 一次办: one matter, handled in one go")
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="run all five services embedded (or --services a,b)")
    run.add_argument("--config", help="YAML configuration (default deploy/config/embedded.yaml)")
    run.add_argument("--services", default=",".join(SERVICES))
    serve = commands.add_parser("serve", help="run one service as its own process (distributed)")
    serve.add_argument("service", choices=SERVICES)
    serve.add_argument("--config", default=None)
    catalog = commands.add_parser("catalog", help="catalog operations")
    catalog.add_argument("action", choices=["lint"])
    catalog.add_argument("path", nargs="?")
    guides = commands.add_parser("guides", help="guide operations: build DIR exports the static guide site")
    guides.add_argument("action", choices=["build"])
    guides.add_argument("directory")
    guides.add_argument("--base-url", help="public base URL for QR codes (default: public_base_url of --config)")
    guides.add_argument("--config", default=None)
    commands.add_parser("i18n", help="translations: yici i18n extract|update|compile|check (ADR 0030)",
                        add_help=False)
    commands.add_parser("reports", help="ledger (台账) and satisfaction survey: yici reports ledger --help",
                        add_help=False)
    commands.add_parser("seals", help="e-seal keys: yici seals list|rotate DEPT|--all (approval's database)",
                        add_help=False)
    commands.add_parser("audit", help="audit trail: yici audit verify [--head SEQ:HASH] (oversight's database)",
                        add_help=False)
    commands.add_parser("users", help="staff accounts: yici users add|disable|reset|list (oversight's database)",
                        add_help=False)
    secrets = commands.add_parser("secrets", help="secrets generate: print a random token for a setting; "
                                  "secrets staff-keypair: the Ed25519 key pair of staff sessions")
    secrets.add_argument("action", choices=["generate", "staff-keypair"])
    secrets.add_argument("--env", action="store_true",
                         help="staff-keypair: as YICI_STAFF_SIGNING_KEY=… and YICI_STAFF_PUBLIC_KEY=… lines")
    for name, text in DEPLOY_COMMANDS.items():
        commands.add_parser(name, help=text, add_help=False)
    args = parser.parse_args(argv)
    try:
        return _dispatch(args)
    except ConfigError as exc:
        print(f"yici: {exc}", file=sys.stderr)
        return 2


def _store_tool(name: str, argv: list[str]) -> int:
    """A tool that works on one service's database: its arguments, then its run with that store."""
    import importlib

    from yici.stores import run_with_store
    tool = importlib.import_module(STORE_TOOLS[name])
    parser = tool.parser()
    args = parser.parse_args(argv)
    tool.check(parser, args)
    return run_with_store(f"yici {name}", tool.SERVICE, args.config, lambda settings, store: tool.run(args, settings, store))


def _deploy_tooling(argv: list[str]) -> int:
    from yici.deploy.cli import main as deploy_main
    return deploy_main(argv)


def _dispatch(args) -> int:
    if args.command == "secrets" and args.action == "staff-keypair":
        from shared.staff.tokens import new_keypair
        private, public = new_keypair()
        print(f"YICI_STAFF_SIGNING_KEY={private}\nYICI_STAFF_PUBLIC_KEY={public}" if args.env else
              f"signing key (oversight only, YICI_STAFF_SIGNING_KEY): {private}\n"
              f"public key (every service, YICI_STAFF_PUBLIC_KEY): {public}")
        return 0
    if args.command == "secrets":
        import secrets
        print(secrets.token_urlsafe(32))
        return 0
    if args.command == "catalog":
        from shared.catalog.lint import main as lint_main
        return lint_main([args.path] if args.path else [])
    if args.command == "guides":
        from services.intake.guides.cli import build
        return build(args.directory, args.base_url, args.config)
    services = [args.service] if args.command == "serve" else args.services.split(",")
    config = args.config
    if args.command == "serve" and config is None:
        from shared.config import REPO_ROOT
        config = REPO_ROOT / "deploy" / "config" / "distributed.yaml"
    from shared.config import load_settings
    settings = load_settings(config)
    from yici import runner
    runner.run(settings, services)
    return 0


if __name__ == "__main__":
    sys.exit(main())
