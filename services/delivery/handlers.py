"""Delivery's use cases: one delivery per completed case, one notice per rejected case."""
from __future__ import annotations

import secrets
import uuid

from shared.events import CaseCompleted, CaseRejected, DeliveryCompleted, DeliveryDispatched, Event
from shared.messaging import UnitOfWork


def deliver_result(uow: UnitOfWork, event: CaseCompleted) -> None:
    """Record the one delivery of the case; a repeated completion finds it and does nothing."""
    if uow.deliveries.get(event.case_id) is not None:
        return
    choice = event.payload.delivery
    delivery_id = str(uuid.uuid4())
    pickup_code = f"{secrets.randbelow(10**6):06d}" if choice.method == "pickup" else None
    uow.deliveries.add(case_id=event.case_id, delivery_id=delivery_id, kind="result", method=choice.method,
                       status="dispatched", pickup_code=pickup_code, tracking_number=None,
                       details={"hall": choice.hall, "licenses": event.payload.licenses})
    uow.emit(DeliveryDispatched(case_id=event.case_id, correlation_id=event.correlation_id, payload={
        "delivery_id": delivery_id, "method": choice.method, "pickup_code": pickup_code}))
    if choice.method == "online":
        uow.deliveries.set_status(event.case_id, "completed")
        uow.emit(DeliveryCompleted(case_id=event.case_id, correlation_id=event.correlation_id,
                                   payload={"delivery_id": delivery_id, "method": "online"}))


def deliver_rejection(uow: UnitOfWork, event: CaseRejected) -> None:
    if uow.deliveries.get(event.case_id) is not None:
        return
    uow.deliveries.add(case_id=event.case_id, delivery_id=str(uuid.uuid4()), kind="rejection_notice",
                       method="online", status="completed", pickup_code=None, tracking_number=None,
                       details={"reasons": event.payload.reasons})


HANDLERS = {CaseCompleted: deliver_result, CaseRejected: deliver_rejection}


def handle(uow: UnitOfWork, event: Event) -> None:
    handler = HANDLERS.get(type(event))
    if handler is not None:
        handler(uow, event)
