"""Intake's tables: the cases it took in, and its read model of their items and delivery."""
from __future__ import annotations

from sqlalchemy import (JSON, Boolean, Column, Date, DateTime, Integer, MetaData, String, Table, select,
                        update)
from sqlalchemy.orm import Session

from shared.messaging import messaging_tables, utcnow

metadata = MetaData()
TABLES = messaging_tables(metadata, "intake")

cases = Table(
    "intake_cases", metadata,
    Column("case_id", String(64), primary_key=True),
    Column("idempotency_key", String(200), unique=True, nullable=True),
    Column("request_hash", String(64), nullable=False),
    Column("lookup_code", String(12), nullable=False),
    Column("matter_code", String(100), nullable=False, index=True),
    Column("catalog_version", String(40), nullable=False),
    Column("status", String(32), nullable=False),
    Column("channel", String(20), nullable=False),
    Column("region_code", String(12), nullable=False),
    Column("client", String(100), nullable=False),
    Column("applicant", JSON, nullable=False),
    Column("situations", JSON, nullable=False),
    Column("form", JSON, nullable=False),
    Column("materials", JSON, nullable=False),
    Column("delivery", JSON, nullable=False),
    Column("commitment", Boolean, nullable=False),
    Column("warnings", JSON, nullable=False),
    Column("accepted_on", Date, nullable=True),
    Column("promised_days", Integer, nullable=False),
    Column("due_date", Date, nullable=True),
    Column("due_provisional", Boolean, nullable=False, default=False),
    Column("outcome", JSON, nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)
case_items = Table(
    "intake_case_items", metadata,
    Column("case_id", String(64), primary_key=True),
    Column("item_code", String(100), primary_key=True),
    Column("position", Integer, nullable=False),
    Column("name", String(200), nullable=False),
    Column("department", String(100), nullable=False),
    Column("status", String(32), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)


class SqlCaseRepository:
    def __init__(self, session: Session):
        self.session = session

    def by_idempotency_key(self, key: str):
        return self.session.execute(select(cases).where(cases.c.idempotency_key == key)).first()

    def get(self, case_id: str, for_update: bool = False):
        query = select(cases).where(cases.c.case_id == case_id)
        return self.session.execute(query.with_for_update() if for_update else query).first()

    def add(self, row: dict, items: list[dict]) -> None:
        now = utcnow()
        self.session.execute(cases.insert().values(**row, created_at=now, updated_at=now))
        self.session.execute(case_items.insert(), [dict(i, updated_at=now) for i in items])

    def update(self, case_id: str, **values) -> None:
        self.session.execute(update(cases).where(cases.c.case_id == case_id).values(**values, updated_at=utcnow()))

    def items(self, case_id: str) -> list:
        return list(self.session.execute(select(case_items).where(case_items.c.case_id == case_id)
                                         .order_by(case_items.c.position)))

    def set_item_status(self, case_id: str, item_code: str, status: str) -> None:
        self.session.execute(update(case_items).where(case_items.c.case_id == case_id,
                                                      case_items.c.item_code == item_code)
                             .values(status=status, updated_at=utcnow()))


REPOSITORIES = {"cases": SqlCaseRepository}
