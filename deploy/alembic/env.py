"""Alembic environment shared by the five services: each has its own history, version table and tables.

`yici migrate` passes the service and an open connection in `config.attributes`; the service's
history lives in services/<service>/migrations/ and its version table is alembic_version_<service>.
"""
import importlib

from alembic import context
from sqlalchemy import create_engine, pool

config = context.config
SERVICE = config.attributes["service"]
METADATA = importlib.import_module(f"services.{SERVICE}.repository").metadata


def include_name(name, type_, parent_names) -> bool:
    """Only this service's tables (all prefixed by its name); the database may hold the others'."""
    return name.startswith(f"{SERVICE}_") if type_ == "table" else True


def options(connection) -> dict:
    return {"connection": connection, "target_metadata": METADATA, "include_name": include_name,
            "version_table": f"alembic_version_{SERVICE}", "compare_type": True,
            "render_as_batch": False}  # revisions are written for PostgreSQL; SQLite >= 3.35 runs them too


def run() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        context.configure(**options(connection))
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = create_engine(config.attributes["url"], poolclass=pool.NullPool)
    with engine.begin() as connection:
        context.configure(**options(connection))
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    raise SystemExit("offline (--sql) migrations are not supported: run `yici migrate` against a database")
run()
