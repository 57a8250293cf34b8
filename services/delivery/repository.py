"""Delivery's tables: exactly one delivery per case (the case id is the key)."""
from __future__ import annotations

from sqlalchemy import JSON, Column, DateTime, MetaData, String, Table, select, update
from sqlalchemy.orm import Session

from shared.messaging import messaging_tables, utcnow

metadata = MetaData()
TABLES = messaging_tables(metadata, "delivery")

deliveries = Table(
    "delivery_deliveries", metadata,
    Column("case_id", String(64), primary_key=True),
    Column("delivery_id", String(64), nullable=False, unique=True),
    Column("kind", String(20), nullable=False),
    Column("method", String(20), nullable=False),
    Column("status", String(32), nullable=False),
    Column("pickup_code", String(12), nullable=True),
    Column("tracking_number", String(64), nullable=True),
    Column("details", JSON, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)


class SqlDeliveryRepository:
    def __init__(self, session: Session):
        self.session = session

    def get(self, case_id: str):
        return self.session.execute(select(deliveries).where(deliveries.c.case_id == case_id)).first()

    def add(self, **row) -> None:
        now = utcnow()
        self.session.execute(deliveries.insert().values(**row, created_at=now, updated_at=now))

    def set_status(self, case_id: str, status: str) -> None:
        self.session.execute(update(deliveries).where(deliveries.c.case_id == case_id)
                             .values(status=status, updated_at=utcnow()))


REPOSITORIES = {"deliveries": SqlDeliveryRepository}
