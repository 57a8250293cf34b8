"""Issue 17: on PostgreSQL, where the distributed mode keeps it, the audit trail refuses UPDATE, DELETE and
TRUNCATE (the trigger of migration oversight_0004), and replicas appending at once keep one unbroken chain."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError

from services.oversight import audit
from services.oversight.repository import REPOSITORIES, TABLES
from shared.audit import audit_event
from shared.db import make_session_factory
from shared.events import AuditActor
from shared.messaging import Store
from yici.deploy import migrations
from yici_testkit import postgres_database, require_postgres

pytestmark = pytest.mark.postgres


@pytest.fixture
def database():
    require_postgres()
    with postgres_database() as url:
        assert migrations.upgrade("oversight", url) == migrations.head("oversight")
        yield url


def _events(n: int, reader: str):
    actor = AuditActor(kind="client", name=reader, role="supervisor")
    return [audit_event(actor, "case.sla.read", "oversight", "case_progress", f"YC{i}") for i in range(n)]


def test_the_migrated_table_refuses_update_delete_and_truncate(database):
    engine = create_engine(database)
    store = Store(make_session_factory(engine), TABLES, dict(REPOSITORIES))
    store.run(audit.append, _events(3, "监察员"))
    for statement in ("UPDATE oversight_audit_chain SET purpose = 'x'", "DELETE FROM oversight_audit_chain",
                      "TRUNCATE oversight_audit_chain"):
        with engine.connect() as connection, pytest.raises(DBAPIError, match="append-only"):
            connection.execute(text(statement))
    assert audit.verify_chain(store).entries == 3 and audit.verify_chain(store).broken is None
    engine.dispose()


def test_appenders_racing_keep_one_chain(database):
    engine = create_engine(database, pool_size=8)
    store = Store(make_session_factory(engine), TABLES, dict(REPOSITORIES))
    with ThreadPoolExecutor(6) as pool:
        list(pool.map(lambda n: store.run(audit.append, _events(5, f"replica {n}")), range(12)))
    verified = audit.verify_chain(store)
    assert verified.broken is None and verified.entries == 60
    engine.dispose()
