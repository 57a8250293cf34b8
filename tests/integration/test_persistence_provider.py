"""yici_outbox_backlog is counted when /metrics is scraped, from the database as it is then."""
from __future__ import annotations

import math
import uuid

from sqlalchemy import MetaData

from shared.db import make_engine, make_session_factory
from shared.messaging import Store, messaging_tables, utcnow
from shared.metrics import OUTBOX_BACKLOG, REGISTRY
from shared.providers.persistence import Persistence


def test_the_backlog_gauge_reads_the_outbox_at_scrape_time(tmp_path):
    metadata = MetaData()
    tables = messaging_tables(metadata, "gauge")
    engine = make_engine(f"sqlite:///{tmp_path}/gauge.db")
    metadata.create_all(engine)
    persistence = Persistence(metadata, tables)
    persistence.store = Store(make_session_factory(engine), tables)
    service = f"gauge-{uuid.uuid4().hex[:6]}"
    OUTBOX_BACKLOG.labels(service).set_function(persistence._backlog)  # what Persistence.start does

    def scraped() -> float:
        return REGISTRY.get_sample_value("yici_outbox_backlog", {"service": service})

    assert scraped() == 0.0
    ids = [str(uuid.uuid4()) for _ in range(3)]
    with engine.begin() as conn:
        conn.execute(tables.outbox.insert(), [dict(event_id=i, event_type="x", routing_key="x", body="{}",
                                                   created_at=utcnow()) for i in ids])
    assert scraped() == 3.0, "unsent rows count at once, without waiting for a sweep"
    persistence.store.unmarked = ids[:1]
    assert scraped() == 2.0, "a row the broker confirmed, waiting for its mark, is no backlog"
    def database_down():
        raise ConnectionError("database down")

    persistence.store.session_factory = database_down
    assert math.isnan(scraped()), "a scrape answers while the database does not"
    OUTBOX_BACKLOG.remove(service)
