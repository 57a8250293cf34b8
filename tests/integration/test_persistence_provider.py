"""The Persistence provider's outbox housekeeping: the backlog gauge, and how often the relay sweeps."""
from __future__ import annotations

import math
import uuid

from sqlalchemy import MetaData

from shared.db import make_engine, make_session_factory
from shared.messaging import OutgoingMessage, Store, messaging_tables, utcnow
from shared.metrics import OUTBOX_BACKLOG, REGISTRY
from shared.providers.persistence import QUIET_SWEEP_INTERVAL, SWEEP_INTERVAL, Persistence, next_sweep_interval


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


def test_the_relay_sweeps_less_often_while_it_finds_nothing_and_every_second_once_a_publish_fails():
    interval, seen = SWEEP_INTERVAL, []
    for _ in range(6):
        interval = next_sweep_interval(interval, found=0, hurry=False)
        seen.append(interval)
    assert seen == [2.0, 4.0, 8.0, 8.0, 8.0, 8.0] and QUIET_SWEEP_INTERVAL == 8.0
    assert next_sweep_interval(QUIET_SWEEP_INTERVAL, found=3, hurry=False) == SWEEP_INTERVAL
    assert next_sweep_interval(QUIET_SWEEP_INTERVAL, found=0, hurry=True) == SWEEP_INTERVAL


def test_a_publish_that_leaves_messages_unconfirmed_makes_the_relay_hurry():
    class HalfConfirming:
        def safe_publish(self, messages, probe=False):
            return [m.event_id for m in messages[:1]]

    persistence = Persistence(MetaData(), messaging_tables(MetaData(), "hurry"))
    persistence.publisher = HalfConfirming()
    assert persistence._publish([]) == [] and not persistence._hurry
    messages = [OutgoingMessage(str(uuid.uuid4()), "x", "{}") for _ in range(2)]
    assert persistence._publish(messages) == [messages[0].event_id]
    assert persistence._hurry, "the unconfirmed row waits in the outbox: sweep every second until it is out"
