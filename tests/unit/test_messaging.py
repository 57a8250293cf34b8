"""Outbox and inbox commit with the handler's changes; a duplicate event changes nothing."""
from __future__ import annotations

import pytest
from sqlalchemy import Column, MetaData, String, Table, func, select

from shared.db import make_engine, make_session_factory
from shared.events import CaseWithdrawn
from shared.messaging import Store, messaging_tables

metadata = MetaData()
TABLES = messaging_tables(metadata, "demo")
notes = Table("demo_notes", metadata, Column("case_id", String(64), primary_key=True))


@pytest.fixture
def published():
    return []


@pytest.fixture
def store(tmp_path, published):
    engine = make_engine(f"sqlite:///{tmp_path}/demo.db")
    metadata.create_all(engine)

    def publish(messages):
        published.extend(messages)
        return [m.event_id for m in messages]
    return Store(make_session_factory(engine), TABLES, publish=publish)


def event(case_id="YC1"):
    return CaseWithdrawn(case_id=case_id, payload={"reason": ""})


def handler(uow, e):
    uow.session.execute(notes.insert().values(case_id=e.case_id))
    uow.emit(event(e.case_id + "-out"))


def count(store, table):
    with store.session_factory() as session:
        return session.execute(select(func.count()).select_from(table)).scalar_one()


def test_handler_changes_outbox_row_and_inbox_mark_commit_together_and_publish_after_commit(store, published):
    assert store.process("demo", event(), handler) is True
    assert count(store, notes) == 1 and count(store, TABLES.outbox) == 1 and count(store, TABLES.inbox) == 1
    assert [m.routing_key for m in published] == ["case_withdrawn"]
    assert store.backlog() == 0


def test_a_redelivered_event_changes_nothing(store, published):
    e = event()
    store.process("demo", e, handler)
    assert store.process("demo", e, handler) is False
    assert count(store, notes) == 1 and len(published) == 1


def test_a_failing_handler_leaves_no_trace(store, published):
    def broken(uow, e):
        handler(uow, e)
        raise RuntimeError("boom")
    with pytest.raises(RuntimeError):
        store.process("demo", event(), broken)
    assert count(store, notes) == 0 and count(store, TABLES.outbox) == 0 and count(store, TABLES.inbox) == 0
    assert published == []


def test_unconfirmed_rows_stay_in_the_outbox_until_the_relay_publishes_them(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path}/relay.db")
    metadata.create_all(engine)
    store = Store(make_session_factory(engine), TABLES, publish=lambda messages: [])
    store.process("demo", event(), handler)
    assert store.backlog() == 1
    sent = []
    assert store.relay(lambda ms: sent.extend(ms) or [m.event_id for m in ms]) == 1
    assert store.backlog() == 0 and len(sent) == 1
    assert store.relay(lambda ms: [m.event_id for m in ms]) == 0


def test_the_same_event_for_two_consumers_is_processed_by_each(store):
    e = event()
    assert store.process("a", e, lambda uow, ev: None) is True
    assert store.process("b", e, lambda uow, ev: None) is True


def test_a_batch_is_one_transaction_with_each_event_once(store, published):
    first, second = event("YC1"), event("YC2")
    assert store.process_batch("demo", [first, second, first], handler) == 2
    assert count(store, notes) == 2 and len(published) == 2
    assert store.process_batch("demo", [first, second], handler) == 0
    assert count(store, notes) == 2


def test_a_failing_batch_commits_nothing(store, published):
    def broken(uow, e):
        handler(uow, e)
        if e.case_id == "YC2":
            raise RuntimeError("boom")
    with pytest.raises(RuntimeError):
        store.process_batch("demo", [event("YC1"), event("YC2")], broken)
    assert count(store, notes) == 0 and count(store, TABLES.inbox) == 0 and published == []
