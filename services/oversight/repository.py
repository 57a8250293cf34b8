"""Oversight's tables: every event of every case, and one summary row per case."""
from __future__ import annotations

from sqlalchemy import JSON, Column, DateTime, MetaData, String, Table, func, select, update
from sqlalchemy.orm import Session

from shared.messaging import messaging_tables

metadata = MetaData()
TABLES = messaging_tables(metadata, "oversight")

timeline = Table(
    "oversight_timeline", metadata,
    Column("event_id", String(36), primary_key=True),
    Column("case_id", String(64), nullable=False, index=True),
    Column("event_type", String(64), nullable=False),
    Column("occurred_at", DateTime(timezone=True), nullable=False),
    Column("actor", String(100), nullable=False),
    Column("body", JSON, nullable=False),
)
cases = Table(
    "oversight_cases", metadata,
    Column("case_id", String(64), primary_key=True),
    Column("matter_code", String(100), nullable=True, index=True),
    Column("channel", String(20), nullable=True),
    Column("status", String(32), nullable=False),
    Column("submitted_at", DateTime(timezone=True), nullable=True),
    Column("accepted_at", DateTime(timezone=True), nullable=True),
    Column("completed_at", DateTime(timezone=True), nullable=True),
)


class SqlOversightRepository:
    def __init__(self, session: Session):
        self.session = session

    def record(self, row: dict) -> None:
        self.session.execute(timeline.insert().values(**row))

    def case(self, case_id: str, for_update: bool = False):
        query = select(cases).where(cases.c.case_id == case_id)
        return self.session.execute(query.with_for_update() if for_update else query).first()

    def add_case(self, **row) -> None:
        self.session.execute(cases.insert().values(**row))

    def update_case(self, case_id: str, **values) -> None:
        self.session.execute(update(cases).where(cases.c.case_id == case_id).values(**values))

    def timeline(self, case_id: str) -> list:
        return list(self.session.execute(select(timeline).where(timeline.c.case_id == case_id)
                                         .order_by(timeline.c.occurred_at, timeline.c.event_id)))

    def counts(self) -> list:
        return list(self.session.execute(select(cases.c.matter_code, cases.c.status, func.count())
                                         .group_by(cases.c.matter_code, cases.c.status)))


REPOSITORIES = {"oversight": SqlOversightRepository}
