"""Simulated courier and SMS gateway: what the embedded default and the tests deliver through.

They keep their own state in their own tables (`sim_*`, as an outside system would keep its own),
so a booking survives a crash of the delivery process. The courier dedupes on the idempotency key
like a real one must; an address containing 拒收 or 退回 makes the parcel come back. Faults fire a
configured number of times, counted in the database, so a restarted process does not fire them again.
"""
from __future__ import annotations

import hashlib
import os
import time
from datetime import datetime, timedelta, timezone
from typing import Callable

from sqlalchemy import Boolean, Column, DateTime, Integer, MetaData, String, Table, Text, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError, ProgrammingError

from services.delivery.ports import (
    CourierUnavailable,
    Shipment,
    ShipmentRequest,
    SmsMessage,
    TrackingCode,
    TrackingEvent,
)
from shared.config import SimulatedCourierFaults
from shared.db import dialect_insert, prebuilt

metadata = MetaData()
shipments = Table(
    "sim_courier_shipments", metadata,
    Column("idempotency_key", String(100), primary_key=True),
    Column("tracking_number", String(40), nullable=False, unique=True),
    Column("case_id", String(64), nullable=False, index=True),
    Column("returns", Boolean, nullable=False),
    Column("polls", Integer, nullable=False),
    Column("booked_at", DateTime(timezone=True), nullable=False),
)
faults = Table("sim_faults", metadata, Column("name", String(64), primary_key=True),
               Column("fired", Integer, nullable=False))
messages = Table(
    "sim_sms_messages", metadata,
    Column("message_id", String(200), primary_key=True),
    Column("phone", String(20), nullable=False),
    Column("text", Text, nullable=False),
    Column("sent_at", DateTime(timezone=True), nullable=False),
)
DELIVERED: tuple[TrackingCode, ...] = ("collected", "in_transit", "out_for_delivery", "delivered")
RETURNED: tuple[TrackingCode, ...] = ("collected", "in_transit", "returned")
NOTES = {"collected": "快递员已揽收", "in_transit": "运输中", "out_for_delivery": "派送中",
         "delivered": "已签收", "returned": "收件人拒收，已退回寄件窗口"}


def create_tables(engine: Engine, attempts: int = 5) -> None:
    """Create the simulators' tables; replicas starting together race, and the loser looks again."""
    for attempt in range(attempts):
        try:
            metadata.create_all(engine)
            return
        except (IntegrityError, ProgrammingError):
            time.sleep(0.2 * (attempt + 1))
    metadata.create_all(engine)


class SimulatedCrash(BaseException):
    """Stands for the process dying (tests replace os._exit with raising this)."""


def hard_exit() -> None:
    os._exit(70)


class SimulatedCourier:
    def __init__(self, engine: Engine, name: str = "模拟快递", faults: SimulatedCourierFaults | None = None,
                 crash: Callable[[], None] = hard_exit):
        self.engine, self.name, self.crash = engine, name, crash
        self.faults = faults or SimulatedCourierFaults()
        create_tables(engine)

    def book(self, request: ShipmentRequest) -> Shipment:
        if self._fire("timeout_before_booking"):
            raise CourierUnavailable("simulated timeout before booking")
        tracking_number = self._book_once(request)
        if self._fire("crash_after_booking"):
            self.crash()
        if self._fire("timeout_after_booking"):
            raise CourierUnavailable("simulated timeout: booked, but the answer was lost")
        return Shipment(tracking_number, self.name)

    def track(self, tracking_number: str) -> list:
        with self.engine.begin() as conn:
            conn.execute(update(shipments).where(shipments.c.tracking_number == tracking_number)
                         .values(polls=shipments.c.polls + 1))
            row = conn.execute(select(shipments).where(shipments.c.tracking_number == tracking_number)).first()
        if row is None:
            return []
        script = RETURNED if row.returns else DELIVERED
        booked = _aware(row.booked_at)
        return [TrackingEvent(code, booked + timedelta(hours=6 * (n + 1)), NOTES[code])
                for n, code in enumerate(script[:row.polls])]

    def bookings(self, case_id: str | None = None) -> list:
        query = select(shipments)
        if case_id is not None:
            query = query.where(shipments.c.case_id == case_id)
        with self.engine.connect() as conn:
            return list(conn.execute(query))

    def _book_once(self, request: ShipmentRequest) -> str:
        number = "SIM" + hashlib.sha256(request.idempotency_key.encode()).hexdigest()[:12].upper()
        row = {"idempotency_key": request.idempotency_key, "tracking_number": number, "case_id": request.case_id,
               "returns": "拒收" in request.address or "退回" in request.address, "polls": 0,
               "booked_at": datetime.now(timezone.utc)}
        try:
            with self.engine.begin() as conn:
                if conn.execute(select(shipments.c.tracking_number)
                                .where(shipments.c.idempotency_key == request.idempotency_key)).first() is None:
                    conn.execute(shipments.insert().values(**row))
        except IntegrityError:  # booked at the same moment under the same key
            pass
        return number

    def _fire(self, name: str) -> bool:
        limit = getattr(self.faults, name)
        if not limit:
            return False
        with self.engine.begin() as conn:
            if conn.execute(select(faults.c.fired).where(faults.c.name == name)).first() is None:
                conn.execute(faults.insert().values(name=name, fired=0))
            fired = conn.execute(update(faults).where(faults.c.name == name, faults.c.fired < limit)
                                 .values(fired=faults.c.fired + 1)).rowcount
        return fired == 1


class SimulatedSmsGateway:
    def __init__(self, engine: Engine):
        self.engine = engine
        create_tables(engine)

    def send(self, message: SmsMessage) -> str:
        """Keep the message once per id (a retried send is not sent twice)."""
        insert = dialect_insert(self.engine)
        statement = prebuilt(("sim sms", insert), lambda: insert(messages).on_conflict_do_nothing())
        with self.engine.begin() as conn:
            conn.execute(statement, {"message_id": message.message_id, "phone": message.phone, "text": message.text,
                                     "sent_at": datetime.now(timezone.utc)})
        return f"SIM-{message.message_id}"

    def sent(self, prefix: str = "") -> list:
        with self.engine.connect() as conn:
            return list(conn.execute(select(messages).where(messages.c.message_id.startswith(prefix))
                                     .order_by(messages.c.sent_at)))


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
