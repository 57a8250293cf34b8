"""Each service's Alembic history: upgrade, downgrade and adoption on a throwaway PostgreSQL database."""
from __future__ import annotations

import subprocess
import sys

import pytest
from sqlalchemy import create_engine, inspect

from deploy_kit import REPO
from shared.config import SERVICES
from yici.deploy import migrations


def service_tables(url: str) -> set[str]:
    engine = create_engine(url)
    try:
        return {t for t in inspect(engine).get_table_names() if not t.startswith("alembic_version_")}
    finally:
        engine.dispose()


def expected_tables() -> set[str]:
    return {name for s in SERVICES for name in migrations.metadata(s).tables}


def yici(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "yici.cli", *args], cwd=REPO, capture_output=True,
                          text=True, timeout=60)


def test_every_service_has_one_linear_history_and_owns_only_prefixed_tables():
    for service in SERVICES:
        assert migrations.head(service).startswith(f"{service}_")
        assert all(t.startswith(f"{service}_") for t in migrations.metadata(service).tables)


@pytest.mark.postgres
def test_yici_migrate_all_upgrades_to_the_metadata_and_downgrades_to_nothing(deploy_database):
    done = yici("migrate", "all", "--database-url", deploy_database)
    assert done.returncode == 0, done.stderr
    engine = create_engine(deploy_database)
    with engine.connect() as connection:
        assert all(migrations.current(connection, s) == migrations.head(s) for s in SERVICES)
        drifted = {s: migrations.drift(connection, s) for s in SERVICES}
    engine.dispose()
    drifted = {s: d for s, d in drifted.items() if d}
    assert not drifted, "repository.py differs from its migrations; for each service run " + "; ".join(
        f"`yici migrate {s} --new '<what changed>'` ({len(d)} changes, first {str(d[0])[:160]})" for s, d in drifted.items())
    assert service_tables(deploy_database) == expected_tables()

    for service in SERVICES:
        assert migrations.downgrade(service, deploy_database, "base") is None
    assert service_tables(deploy_database) == set()
    assert all(migrations.upgrade(s, deploy_database) == migrations.head(s) for s in SERVICES)
    assert service_tables(deploy_database) == expected_tables()


@pytest.mark.postgres
def test_one_service_migrates_without_touching_the_others(deploy_database):
    migrations.upgrade("delivery", deploy_database)
    made = service_tables(deploy_database)
    assert made and all(t.startswith("delivery_") for t in made)
    migrations.downgrade("delivery", deploy_database, "base")
    assert service_tables(deploy_database) == set()


@pytest.mark.postgres
def test_tables_that_create_all_made_are_adopted_not_recreated(deploy_database):
    engine = create_engine(deploy_database)
    migrations.metadata("routing").create_all(engine)
    engine.dispose()
    assert migrations.upgrade("routing", deploy_database) == migrations.head("routing")


def test_sqlite_works_too(tmp_path):
    url = f"sqlite:///{tmp_path}/intake.db"
    assert migrations.upgrade("intake", url) == migrations.head("intake")
    assert service_tables(url) == set(migrations.metadata("intake").tables)
    assert migrations.downgrade("intake", url, "base") is None
