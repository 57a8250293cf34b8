"""The attempt log's table and its SQL adapter (see shared.attempts): one table per service, in its database."""
from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import Column, Float, Index, Integer, MetaData, String, Table, bindparam, delete, select, text

from shared.db import prebuilt
from shared.rows import Rows


def attempts_table(metadata: MetaData, service: str) -> Table:
    return Table(
        f"{service}_attempts", metadata,
        Column("id", Integer, primary_key=True, autoincrement=True),
        Column("scope", String(40), nullable=False),
        Column("subject", String(64), nullable=False),
        Column("at", Float, nullable=False),
        Index(f"ix_{service}_attempts_subject", "scope", "subject", "at"),
    )


class SqlAttemptLog:
    def __init__(self, rows: Rows, table: Table):
        self.rows, self.table = rows, table

    def serialize(self, scope: str, subject: str) -> None:
        """On PostgreSQL, attempts at one target wait for each other (so parallel guesses cannot all pass the
        check before one is counted); SQLite writes one transaction at a time anyway."""
        if self.rows.dialect == "postgresql":
            self.rows.execute(text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))"),
                                 {"key": f"{self.table.name}:{scope}:{subject}"})

    def latest(self, scope: str, subject: str, since: float, count: int) -> list[float]:
        t = self.table
        query = prebuilt((t.name, "latest"), lambda: select(t.c.at).where(
            t.c.scope == bindparam("scope"), t.c.subject == bindparam("subject"), t.c.at > bindparam("since"))
            .order_by(t.c.at.desc()).limit(bindparam("count")))
        return [row[0] for row in self.rows.execute(query, {"scope": scope, "subject": subject, "since": since,
                                                               "count": count})]

    def add(self, scope: str, subjects: list[str], at: float) -> None:
        self.rows.execute(self.table.insert(), [{"scope": scope, "subject": s, "at": at} for s in subjects])

    def forget(self, before: float) -> None:
        self.rows.execute(delete(self.table).where(self.table.c.at < before))


def attempt_log(table: Table) -> Callable[[Rows], SqlAttemptLog]:
    """The repository factory a service's Store takes (`uow.attempts`)."""
    return lambda rows: SqlAttemptLog(rows, table)
