"""`yici migrate`: each service's Alembic history, run before the service starts.

Every service owns its tables and its history (services/<name>/migrations/, version table
alembic_version_<name>), so the five can share one database or use five.
"""
from __future__ import annotations

import importlib
import zlib
from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect, pool, text
from sqlalchemy.engine import Connection

from shared.config import REPO_ROOT
from shared.db import make_engine

SCRIPT_LOCATION = REPO_ROOT / "deploy" / "alembic"


class SchemaDrift(Exception):
    """Tables exist without a migration history and differ from the service's metadata."""


def versions_dir(service: str) -> Path:
    return REPO_ROOT / "services" / service / "migrations"


def alembic_config(service: str, url: str | None = None, connection: Connection | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(SCRIPT_LOCATION))
    cfg.set_main_option("version_locations", str(versions_dir(service)))
    cfg.attributes.update(service=service, url=url, connection=connection)
    return cfg


def head(service: str) -> str | None:
    return ScriptDirectory.from_config(alembic_config(service)).get_current_head()


def version_table(service: str) -> str:
    return f"alembic_version_{service}"


def metadata(service: str):
    return importlib.import_module(f"services.{service}.repository").metadata


def current(connection: Connection, service: str) -> str | None:
    context = MigrationContext.configure(connection, opts={"version_table": version_table(service)})
    return context.get_current_revision()


def drift(connection: Connection, service: str) -> list:
    """What autogenerate would change: empty when the database matches the service's metadata."""
    def include_name(name, type_, _parents):
        return name.startswith(f"{service}_") if type_ == "table" else True
    context = MigrationContext.configure(connection, opts={"include_name": include_name, "compare_type": True})
    return compare_metadata(context, metadata(service))


def upgrade(service: str, url: str, revision: str = "head") -> str | None:
    """Bring one service's tables to `revision`; adopts tables that create_all made earlier."""
    with _locked(url, service) as connection:
        cfg = alembic_config(service, url, connection)
        if _unversioned_tables(connection, service):
            _adopt(connection, cfg, service)
        command.upgrade(cfg, revision)
        return current(connection, service)


def downgrade(service: str, url: str, revision: str) -> str | None:
    with _locked(url, service) as connection:
        command.downgrade(alembic_config(service, url, connection), revision)
        return current(connection, service)


def new_revision(service: str, url: str, message: str) -> None:
    """Autogenerate the next revision from the difference between head and the metadata."""
    upgrade(service, url)
    cfg = alembic_config(service, url)
    number = len(list(ScriptDirectory.from_config(cfg).walk_revisions())) + 1
    command.revision(cfg, message=message, autogenerate=True, rev_id=f"{service}_{number:04d}")


def _adopt(connection: Connection, cfg: Config, service: str) -> None:
    differences = drift(connection, service)
    if differences:
        raise SchemaDrift(f"{service}: tables exist without a migration history and differ from the "
                          f"metadata ({len(differences)} differences, first: {differences[0]})")
    command.stamp(cfg, "head")


def _unversioned_tables(connection: Connection, service: str) -> bool:
    names = set(inspect(connection).get_table_names())
    return current(connection, service) is None and any(t in names for t in metadata(service).tables)


class _locked:
    """One transaction holding a per-service advisory lock, so replicas starting together migrate once."""

    def __init__(self, url: str, service: str):
        self.engine = (make_engine(url) if url.startswith("sqlite")
                       else create_engine(url, poolclass=pool.NullPool, future=True))
        self.service = service

    def __enter__(self) -> Connection:
        self.transaction = self.engine.begin()
        connection = self.transaction.__enter__()
        if connection.dialect.name == "postgresql":
            key = zlib.crc32(f"yici-migrate-{self.service}".encode())
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})
        return connection

    def __exit__(self, *exc) -> None:
        try:
            self.transaction.__exit__(*exc)
        finally:
            self.engine.dispose()
