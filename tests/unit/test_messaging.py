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


def unsent_ids(store):
    outbox = TABLES.outbox
    with store.session_factory() as session:
        return set(session.scalars(select(outbox.c.event_id).where(outbox.c.sent_at.is_(None))))


def test_a_running_service_marks_what_it_published_in_its_next_transaction(store, published):
    store.unmarked = []  # as Persistence sets it when the service starts
    store.process("demo", event("YC1"), handler)
    first = published[0].event_id
    assert store.unmarked == [first] and unsent_ids(store) == {first}, "confirmed, waiting for a mark"
    assert store.backlog() == 0, "a confirmed row waiting for its mark is no backlog"
    store.process("demo", event("YC2"), handler)
    assert unsent_ids(store) == {published[1].event_id}, "the next transaction marked the first one sent"
    assert store.unmarked == [published[1].event_id]


def test_marks_taken_by_a_transaction_that_fails_are_given_back(store, published):
    store.unmarked = []
    store.process("demo", event("YC1"), handler)

    def fail():
        raise RuntimeError("commit failed")

    with pytest.raises(RuntimeError):
        with store.unit_of_work() as uow:
            uow.session.commit = fail  # the marks are taken and written, then the commit fails
            uow.commit()
    assert store.unmarked == [published[0].event_id], "given back, for the next transaction or the marker"
    assert unsent_ids(store) == {published[0].event_id}
    store.mark_sent(store.take_unmarked())
    assert unsent_ids(store) == set() and store.unmarked == []


def _notes(store) -> list[str]:
    with store.session_factory() as session:
        return sorted(session.scalars(select(notes.c.case_id)))


def test_run_commits_what_the_use_case_did_and_returns_its_result(store, published):
    assert store.run(lambda uow, case_id: handler(uow, event(case_id)) or case_id, "YC-R1") == "YC-R1"
    assert _notes(store) == ["YC-R1"] and len(published) == 1


def test_run_commits_nothing_of_a_use_case_that_raised(store, published):
    def refuses(uow):
        handler(uow, event("YC-R2"))
        raise RuntimeError("refused")
    with pytest.raises(RuntimeError):
        store.run(refuses)
    assert _notes(store) == [] and published == []


def test_run_again_after_a_lost_insert_race_only_when_asked(store):
    from sqlalchemy.exc import IntegrityError
    store.run(lambda uow: handler(uow, event("YC-R3")))
    attempts = []

    def insert_unless_there(uow):
        attempts.append(1)
        if len(attempts) == 1:  # the first run did not see the row another transaction committed
            uow.session.execute(notes.insert().values(case_id="YC-R3"))
        return len(attempts)
    with pytest.raises(IntegrityError):
        store.run(insert_unless_there)
    attempts.clear()
    assert store.run(insert_unless_there, retries=1) == 2


def test_run_answers_a_lost_insert_race_as_told(store):
    store.run(lambda uow: handler(uow, event("YC-R4")))

    def insert_again(uow):
        uow.session.execute(notes.insert().values(case_id="YC-R4"))
    def refuse():
        raise LookupError("refused: already there")
    assert store.run(insert_again, on_conflict=lambda: "already there") == "already there"
    with pytest.raises(LookupError):
        store.run(insert_again, retries=1, on_conflict=refuse)
