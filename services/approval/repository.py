"""Approval's tables: one task per approval request, decided once."""
from __future__ import annotations

from sqlalchemy import JSON, Column, DateTime, MetaData, String, Table, select, update
from sqlalchemy.orm import Session

from shared.messaging import messaging_tables, utcnow

metadata = MetaData()
TABLES = messaging_tables(metadata, "approval")

tasks = Table(
    "approval_tasks", metadata,
    Column("request_id", String(200), primary_key=True),
    Column("case_id", String(64), nullable=False, index=True),
    Column("item_code", String(100), nullable=False),
    Column("department", String(100), nullable=False, index=True),
    Column("status", String(32), nullable=False),
    Column("decision", String(32), nullable=True),
    Column("reasons", JSON, nullable=False),
    Column("decided_by", String(100), nullable=True),
    Column("request", JSON, nullable=False),
    Column("received_at", DateTime(timezone=True), nullable=False),
    Column("decided_at", DateTime(timezone=True), nullable=True),
)


class SqlTaskRepository:
    def __init__(self, session: Session):
        self.session = session

    def get(self, request_id: str, for_update: bool = False):
        query = select(tasks).where(tasks.c.request_id == request_id)
        return self.session.execute(query.with_for_update() if for_update else query).first()

    def add(self, request_id: str, case_id: str, item_code: str, department: str, request: dict) -> None:
        self.session.execute(tasks.insert().values(
            request_id=request_id, case_id=case_id, item_code=item_code, department=department,
            status="pending", reasons=[], request=request, received_at=utcnow()))

    def decide(self, request_id: str, decision: str, reasons: list[str], decided_by: str) -> None:
        self.session.execute(update(tasks).where(tasks.c.request_id == request_id).values(
            status="decided", decision=decision, reasons=reasons, decided_by=decided_by,
            decided_at=utcnow()))


REPOSITORIES = {"tasks": SqlTaskRepository}
