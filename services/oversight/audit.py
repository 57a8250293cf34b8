"""The audit trail in oversight: entries appended to one hash chain, queried by case, person and period,
verified end to end (`yici audit verify`), its length and head published on /metrics."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Callable, Iterator

from sqlalchemy import func, select, text

from services.oversight.tables import audit_chain
from shared.audit import GENESIS, Verified, chained, entry_of, verify
from shared.events import AuditRecorded
from shared.messaging import Store, UnitOfWork
from shared.rows import Rows

CHAIN_LOCK = 0x59494349  # "YICI": PostgreSQL advisory lock held while a transaction appends
PAGE_MAX = 500


class SqlAuditRepository:
    def __init__(self, rows: Rows):
        self.rows = rows

    def lock_head(self) -> None:
        """One appender at a time (replicas of oversight); SQLite serialises writers by itself."""
        if self.rows.dialect == "postgresql":
            self.rows.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": CHAIN_LOCK})

    def head(self) -> tuple[int, str]:
        row = self.rows.execute(select(audit_chain.c.seq, audit_chain.c.hash)
                                   .order_by(audit_chain.c.seq.desc()).limit(1)).first()
        return (row.seq, row.hash) if row else (0, GENESIS)

    def add(self, rows: list[dict]) -> None:
        self.rows.execute(audit_chain.insert(), rows)

    def count(self) -> int:
        return int(self.rows.execute(select(func.count()).select_from(audit_chain)).scalar_one())

    def latest(self, limit: int) -> list:
        return list(self.rows.execute(select(audit_chain).order_by(audit_chain.c.seq.desc()).limit(limit)))

    def page(self, query: "AuditQuery") -> list:
        statement = select(audit_chain).where(audit_chain.c.seq > query.after)
        for column, value in ((audit_chain.c.case_id, query.case_id), (audit_chain.c.actor_name, query.actor),
                              (audit_chain.c.subject, query.subject)):
            if value is not None:
                statement = statement.where(column == value)
        if query.start is not None:
            statement = statement.where(audit_chain.c.occurred_at >= query.start.isoformat())
        if query.end is not None:
            statement = statement.where(audit_chain.c.occurred_at < query.end.isoformat())
        return list(self.rows.execute(statement.order_by(audit_chain.c.seq).limit(query.limit)))


@dataclass(frozen=True)
class AuditQuery:
    case_id: str | None = None
    actor: str | None = None
    subject: str | None = None  # a pseudonym
    start: datetime | None = None
    end: datetime | None = None
    after: int = 0
    limit: int = 100


def append(uow: UnitOfWork, events: list[AuditRecorded]) -> None:
    """Append the entries after the chain's head, in the order given, each linked to the one before."""
    if not events:
        return
    uow.audit.lock_head()
    seq, head = uow.audit.head()
    uow.audit.add(chained([entry_of(e, seq + n) for n, e in enumerate(events, start=1)], head))


def entries(store: Store, query: AuditQuery) -> dict:
    """One page of entries, oldest first; `next_after` continues it."""
    with store.unit_of_work() as uow:
        rows = uow.audit.page(query)
    listed = [_entry(r) for r in rows]
    return {"entries": listed, "next_after": listed[-1]["seq"] if len(listed) == query.limit else None}


def _entry(r) -> dict:
    return {"seq": r.seq, "occurred_at": r.occurred_at, "case_id": r.case_id or None, "service": r.service,
            "action": r.action, "actor": {"kind": r.actor_kind, "name": r.actor_name, "role": r.actor_role,
                                          "department": r.actor_department, "client": r.actor_client},
            "subject": r.subject, "purpose": r.purpose, "client_address": r.client_address,
            "outcome": r.outcome, "hash": r.hash}


def verify_chain(store: Store, batch: int = 5000,
                 on_entry: Callable[[int, str], object] | None = None) -> Verified:
    """The whole chain recomputed, read in batches of `batch` entries; `on_entry(seq, hash)` sees each."""
    rows = _all_rows(store, batch)
    if on_entry is not None:
        rows = _watched(rows, on_entry)
    return verify(rows)


def _watched(rows: Iterator[dict], on_entry: Callable[[int, str], object]) -> Iterator[dict]:
    for row in rows:
        on_entry(row["seq"], row["hash"])
        yield row


def _all_rows(store: Store, batch: int) -> Iterator[dict]:
    after = -1
    with store.session_factory() as session:
        while True:
            rows = list(session.execute(select(audit_chain).where(audit_chain.c.seq > after)
                                        .order_by(audit_chain.c.seq).limit(batch)).mappings())
            yield from (dict(r) for r in rows)
            if len(rows) < batch:
                return
            after = rows[-1]["seq"]


def head(store: Store) -> tuple[int, str]:
    """The chain's length (its last sequence number) and the hash of its last entry."""
    with store.unit_of_work() as uow:
        return uow.audit.head()
