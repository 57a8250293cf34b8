"""Delivery's tables: exactly one delivery per case (the case id is the key), its notifications, its secret."""
from __future__ import annotations

from datetime import datetime
from types import SimpleNamespace
from typing import Any

from sqlalchemy import JSON, Column, DateTime, Integer, MetaData, String, Table, Text, bindparam, func, select

from services.delivery.domain import is_due
from shared.attempt_log import attempt_log, attempts_table
from shared.db import prebuilt, update_by, update_params
from shared.messaging import messaging_tables, utcnow
from shared.rows import Rows

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
notifications = Table(
    "delivery_notifications", metadata,
    Column("notification_id", String(200), primary_key=True),
    Column("case_id", String(64), nullable=False, index=True),
    Column("template", String(40), nullable=False),
    Column("phone", String(20), nullable=True),
    Column("text", Text, nullable=False),
    Column("status", String(16), nullable=False, index=True),
    Column("attempts", Integer, nullable=False),
    Column("next_attempt_at", DateTime(timezone=True), nullable=False),
    Column("gateway_id", String(200), nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("sent_at", DateTime(timezone=True), nullable=True),
)
secrets_table = Table(
    "delivery_secrets", metadata,
    Column("name", String(40), primary_key=True),
    Column("value", String(200), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)


class SqlDeliveryRepository:
    def __init__(self, rows: Rows):
        self.rows = rows
        self._queued: list[SimpleNamespace] = []

    def take_queued(self) -> list[SimpleNamespace]:
        """The notifications queued (new, with a recipient) since the last call, to send after commit."""
        queued, self._queued = self._queued, []
        return queued

    def get(self, case_id: str, for_update: bool = False):
        return self.rows.get(deliveries, {"case_id": case_id}, lock=for_update)

    def look_up(self, case_ids: list[str]) -> None:
        """Whether these cases have a delivery, with one statement, for the `exists` calls after."""
        self.rows.load(deliveries, "case_id", case_ids, columns=("case_id",))

    def exists(self, case_id: str) -> bool:
        return self.rows.exists(deliveries, "case_id", case_id)

    def add(self, **row) -> None:
        now = utcnow()
        self.rows.insert(deliveries, {**row, "created_at": now, "updated_at": now})

    def change(self, case_id: str, expected_status: str, **values) -> bool:
        """Update the delivery only if it still has `expected_status`; False when someone else moved it."""
        return _update(self.rows, deliveries, {"case_id": case_id, "status": expected_status},
                       {**values, "updated_at": utcnow()}) == 1

    def case_ids(self, status: str, limit: int = 100, due_before: datetime | None = None) -> list[str]:
        query = select(deliveries.c.case_id, deliveries.c.details).where(deliveries.c.status == status)
        rows = self.rows.execute(query.order_by(deliveries.c.updated_at).limit(limit))
        return [r.case_id for r in rows if due_before is None or is_due(r.details, due_before)]

    def awaiting_with_code(self, code: str) -> list:
        """The deliveries awaiting pickup under this pickup code (one, but for a rare collision)."""
        return list(self.rows.execute(select(deliveries).where(deliveries.c.status == "awaiting_pickup",
                                                               deliveries.c.pickup_code == code).limit(5)))

    def counts(self) -> list:
        return list(self.rows.execute(select(deliveries.c.method, deliveries.c.status, func.count())
                                         .group_by(deliveries.c.method, deliveries.c.status)))

    # notifications
    def notify(self, row: dict, now: datetime) -> bool:
        """Queue a notification once per id (a repeated event queues nothing)."""
        row = {**row, "attempts": 0, "next_attempt_at": now, "created_at": now}
        if not self.rows.insert_new(notifications, [row], "notification_id"):
            return False
        if row["status"] == "pending":
            self._queued.append(SimpleNamespace(**row))
        return True

    def pending_notifications(self, now: datetime, limit: int = 100, case_id: str | None = None) -> list:
        def build():
            query = select(notifications).where(notifications.c.status == "pending",
                                                notifications.c.next_attempt_at <= bindparam("now"))
            if case_id is not None:
                query = query.where(notifications.c.case_id == bindparam("case_id"))
            return query.order_by(notifications.c.created_at).limit(bindparam("limit"))
        query = prebuilt(("pending notifications", case_id is None), build)
        return list(self.rows.execute(query, {"now": now, "limit": limit, "case_id": case_id}))

    def notifications(self, case_id: str) -> list:
        return list(self.rows.execute(select(notifications).where(notifications.c.case_id == case_id)
                                         .order_by(notifications.c.created_at, notifications.c.notification_id)))

    def mark_notification(self, notification_id: str, **values) -> bool:
        return _update(self.rows, notifications, {"notification_id": notification_id, "status": "pending"},
                       values) == 1

    def mark_notifications(self, updates: list[tuple[str, dict]]) -> None:
        """Several pending notifications' changes, as (id, values) all with the same columns: one executemany."""
        if updates:
            statement = update_by(notifications, ("notification_id", "status"), updates[0][1])
            self.rows.execute(statement, [update_params({"notification_id": i, "status": "pending"}, values)
                                             for i, values in updates])

    def notification_counts(self) -> list:
        return list(self.rows.execute(select(notifications.c.status, func.count())
                                         .group_by(notifications.c.status)))

    # the link secret
    def secret(self, name: str, candidate: str) -> str:
        """The stored secret `name`, storing `candidate` first if there is none (replicas agree)."""
        self.rows.insert_new(secrets_table, [{"name": name, "value": candidate, "created_at": utcnow()}], "name")
        return self.rows.execute(select(secrets_table.c.value).where(secrets_table.c.name == name)).scalar_one()


def _update(rows: Rows, table: Table, keys: dict, values: dict) -> int:
    """UPDATE the rows matching `keys` now (not held: the caller needs the count); how many it changed."""
    result: Any = rows.execute(update_by(table, tuple(keys), values), update_params(keys, values))
    return int(result.rowcount)


attempts = attempts_table(metadata, "delivery")
REPOSITORIES = {"deliveries": SqlDeliveryRepository, "attempts": attempt_log(attempts)}
