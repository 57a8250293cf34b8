"""Transactional outbox and inbox, and the unit of work that commits them with a handler's changes."""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from types import TracebackType
from typing import Any, Callable, Iterable

from sqlalchemy import Column, DateTime, Index, MetaData, String, Table, Text, bindparam, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from shared.db import insert_new, prebuilt
from shared.events import Event
from shared.rows import Rows


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


@dataclass(frozen=True)
class MessagingTables:
    outbox: Table
    inbox: Table


def messaging_tables(metadata: MetaData, service: str) -> MessagingTables:
    """Declare `<service>_outbox` and `<service>_inbox` in the service's own metadata."""
    outbox = Table(
        f"{service}_outbox", metadata,
        Column("event_id", String(36), primary_key=True),
        Column("event_type", String(64), nullable=False),
        Column("routing_key", String(200), nullable=False),
        Column("body", Text, nullable=False),
        Column("created_at", DateTime(timezone=True), nullable=False),
        Column("sent_at", DateTime(timezone=True), nullable=True),
        Index(f"ix_{service}_outbox_unsent", "sent_at", "created_at"),
    )
    inbox = Table(
        f"{service}_inbox", metadata,
        Column("consumer", String(100), primary_key=True),
        Column("event_id", String(36), primary_key=True),
        Column("processed_at", DateTime(timezone=True), nullable=False),
    )
    return MessagingTables(outbox, inbox)


@dataclass(frozen=True)
class OutgoingMessage:
    event_id: str
    routing_key: str
    body: str


class UnitOfWork:
    """One transaction: the handler's changes, the events it emits, and the inbox mark.

    Its repositories are built on its `rows` (shared.rows.Rows), the one buffer that reads a batch's rows once
    and holds their writes until `flush`."""

    def __init__(self, session: Session, tables: MessagingTables,
                 repositories: dict[str, Callable[[Rows], Any]], store: "Store | None" = None):
        self.session = session
        self.rows = Rows(session)
        self._tables = tables
        self._repositories = repositories
        self._store = store
        self.marked: list[str] = []  # ids this transaction marks sent (given back if it does not commit)
        self.emitted: list[OutgoingMessage] = []
        self._outbox_rows: list[dict[str, Any]] = []
        self.committed = False

    def __getattr__(self, name: str) -> Any:
        factory = self.__dict__.get("_repositories", {}).get(name)
        if factory is None:
            raise AttributeError(name)
        repository = factory(self.rows)
        setattr(self, name, repository)
        return repository

    def emit(self, event: Event) -> None:
        """Queue the event for the outbox; its row is written with the others just before commit."""
        message = OutgoingMessage(str(event.event_id), event.routing_key, json.dumps(event.to_wire()))
        self._outbox_rows.append({"event_id": message.event_id, "event_type": event.event_type,
                                  "routing_key": message.routing_key, "body": message.body,
                                  "created_at": utcnow(), "sent_at": None})
        self.emitted.append(message)

    def first_time(self, consumer: str, event_id: str) -> bool:
        """Mark the event processed for `consumer`; False when it already was (a duplicate)."""
        return bool(self.first_times(consumer, [event_id]))

    def first_times(self, consumer: str, event_ids: list[str]) -> set[str]:
        """Mark several events processed in one statement; returns the ids that were not marked before."""
        inbox = self._tables.inbox
        now = utcnow()
        rows = [{"consumer": consumer, "event_id": i, "processed_at": now} for i in dict.fromkeys(event_ids)]
        if not rows:
            return set()
        return set(self.session.scalars(insert_new(self.session, inbox, "event_id"), rows))

    def flush(self) -> None:
        """Write the rows held (see shared.rows), then the queued outbox rows in one statement."""
        self.rows.flush()
        rows, self._outbox_rows = self._outbox_rows, []
        if rows:
            outbox = self._tables.outbox
            self.session.execute(prebuilt(("outbox", outbox), outbox.insert), rows)

    def commit(self) -> None:
        """Flush, mark what earlier transactions published as sent (see `Store.unmarked`), and commit."""
        self.flush()
        if self._store is not None:
            self.marked = self._store.take_unmarked()
            self._store.mark(self.session, self.marked)
        self.session.commit()
        self.committed = True


class Store:
    """A service's database: sessions, its outbox and inbox, its repositories."""

    def __init__(self, session_factory: sessionmaker[Session], tables: MessagingTables,
                 repositories: dict[str, Callable[[Rows], Any]] | None = None,
                 publish: Callable[[list[OutgoingMessage]], list[str]] | None = None):
        self.session_factory = session_factory
        self.tables = tables
        self.repositories = repositories or {}
        self.publish = publish
        # None: what a transaction published is marked sent at once, in a transaction of its own. A list (a
        # running service sets one): the confirmed ids wait here, and the next unit of work to commit marks them
        # in its own transaction (a busy service then spends no transaction on marks); a marker takes the rest.
        self.unmarked: list[str] | None = None

    def unit_of_work(self) -> "_UowContext":
        return _UowContext(self)

    def run(self, use_case: Callable[..., Any], *args: Any, retries: int = 0,
            on_conflict: Callable[[], Any] | None = None) -> Any:
        """`use_case(uow, *args)` in a transaction of its own, committed when it returns; returns its result.

        When a concurrent transaction inserted the same row first (an IntegrityError): `retries` runs it again
        (the next run sees that row, and the use case answers from it); then `on_conflict()`, when given, is
        the answer (it may raise a refusal instead); else the IntegrityError is raised."""
        for attempt in range(retries + 1):
            try:
                with self.unit_of_work() as uow:
                    result = use_case(uow, *args)
                    uow.commit()
                    return result
            except IntegrityError:
                if attempt < retries:
                    continue
                if on_conflict is None:
                    raise
                return on_conflict()
        raise AssertionError("unreachable")

    def process(self, consumer: str, event: Event, handler: Callable[[UnitOfWork, Event], Any]) -> bool:
        """Run `handler` once per event for `consumer`; a duplicate changes nothing and returns False."""
        with self.unit_of_work() as uow:
            if not uow.first_time(consumer, str(event.event_id)):
                return False
            handler(uow, event)
            uow.commit()
        return True

    def process_batch(self, consumer: str, events: list[Event],
                      handler: Callable[[UnitOfWork, Event], Any]) -> int:
        """Several events in one transaction, each at most once; returns how many were new."""
        with self.unit_of_work() as uow:
            fresh = self._fresh(uow, consumer, events)
            for event in fresh:
                handler(uow, event)
            uow.commit()
        return len(fresh)

    def process_new(self, consumer: str, events: list[Event],
                    handler: Callable[[UnitOfWork, list[Event]], Any]) -> int:
        """Like `process_batch`, but the handler gets all the new events at once (in order), to read and write
        for the whole batch with a few statements."""
        with self.unit_of_work() as uow:
            fresh = self._fresh(uow, consumer, events)
            if fresh:
                handler(uow, fresh)
            uow.commit()
        return len(fresh)

    @staticmethod
    def _fresh(uow: UnitOfWork, consumer: str, events: list[Event]) -> list[Event]:
        new_ids = uow.first_times(consumer, [str(e.event_id) for e in events])
        return _once_each([e for e in events if str(e.event_id) in new_ids])

    def after_commit(self, uow: UnitOfWork) -> None:
        """Publish what the transaction emitted at once; the relay's sweep catches any failure."""
        if self.publish and uow.emitted:
            sent = self.publish(uow.emitted)
            if self.unmarked is None:
                self.mark_sent(sent)
            else:
                self.unmarked.extend(sent)

    def take_unmarked(self) -> list[str]:
        """The confirmed ids waiting to be marked sent; whoever takes them marks them (or gives them back)."""
        if not self.unmarked:
            return []
        taken, self.unmarked[:] = list(self.unmarked), []
        return taken

    def give_back(self, event_ids: list[str]) -> None:
        """Ids taken but not marked (their transaction did not commit): the next one marks them."""
        if event_ids and self.unmarked is not None:
            self.unmarked.extend(event_ids)

    def relay(self, publish: Callable[[list[OutgoingMessage]], list[str]],
              limit: int = 500, older_than: timedelta = timedelta(0)) -> int:
        """Publish unsent rows, oldest first, and mark what the broker confirmed; returns the count.

        On PostgreSQL the rows stay locked while they are published, so replicas skip each other's.
        """
        outbox = self.tables.outbox
        query = (select(outbox.c.event_id, outbox.c.routing_key, outbox.c.body)
                 .where(outbox.c.sent_at.is_(None), outbox.c.created_at <= utcnow() - older_than)
                 .order_by(outbox.c.created_at).limit(limit))
        with self.session_factory() as session:
            if session.bind.dialect.name != "postgresql":  # type: ignore[union-attr]  # always bound to an engine
                rows = [OutgoingMessage(*row) for row in session.execute(query)]
                session.rollback()
                sent = publish(rows)
                self.mark_sent(sent)
                return len(sent)
            rows = [OutgoingMessage(*row) for row in session.execute(query.with_for_update(skip_locked=True))]
            sent = publish(rows)
            self.mark(session, sent)
            session.commit()
            return len(sent)

    def mark_sent(self, event_ids: Iterable[str]) -> None:
        event_ids = list(event_ids)
        if not event_ids:
            return
        with self.session_factory() as session:
            self.mark(session, list(event_ids))
            session.commit()

    def mark(self, session: Session, ids: list[str]) -> None:
        if ids:
            outbox = self.tables.outbox
            mark = prebuilt(("mark sent", outbox), lambda: update(outbox).where(
                outbox.c.event_id.in_(bindparam("ids", expanding=True))).values(sent_at=bindparam("now")))
            session.execute(mark, {"ids": ids, "now": utcnow()})

    def backlog(self) -> int:
        """Outbox rows the broker has not confirmed: unsent rows, less those confirmed and waiting for a mark."""
        outbox = self.tables.outbox
        with self.session_factory() as session:
            unsent: int = session.execute(select(func.count()).select_from(outbox)
                                     .where(outbox.c.sent_at.is_(None))).scalar_one()
        return max(0, unsent - len(self.unmarked or ()))


def _once_each(events: list[Event]) -> list[Event]:
    """The events in order, a redelivery inside the same batch dropped."""
    return list({str(e.event_id): e for e in events}.values())


class _UowContext:
    uow: UnitOfWork  # from __enter__ on

    def __init__(self, store: Store):
        self._store = store

    def __enter__(self) -> UnitOfWork:
        session = self._store.session_factory()
        self.uow = UnitOfWork(session, self._store.tables, self._store.repositories, self._store)
        return self.uow

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if not self.uow.committed:
            self._store.give_back(self.uow.marked)
            self.uow.session.rollback()
        self.uow.session.close()
        if self.uow.committed and exc_type is None:
            self._store.after_commit(self.uow)
