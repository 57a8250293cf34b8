"""Free mail (免费寄递): book once through the courier, follow the parcel until delivered or returned.

The booking's idempotency key was recorded with the delivery, before any call. Booking runs outside
the event's transaction: a crash after the courier booked but before the result was recorded, or a
courier timeout, leaves the delivery in `booking`, and the next attempt books again under the same
key, which the courier answers with the shipment it already has.
"""
from __future__ import annotations

from datetime import timedelta

from services.delivery import domain
from services.delivery.handlers import Delivery, start_pickup
from services.delivery.ports import Courier, CourierRefused, ShipmentRequest
from shared.errors import TransientError
from shared.events import DeliveryCompleted, DeliveryDispatched
from shared.logging import get_logger
from shared.messaging import Store

log = get_logger(__name__)


def book_pending(store: Store, ctx: Delivery, courier: Courier, case_id: str | None = None) -> int:
    with store.unit_of_work() as uow:
        due = [case_id] if case_id else uow.deliveries.case_ids(domain.BOOKING, due_before=ctx.now())
    return sum(book(store, ctx, courier, c) for c in due)


def book(store: Store, ctx: Delivery, courier: Courier, case_id: str) -> bool:
    """One booking attempt; True when this attempt recorded the shipment."""
    request = _attempt(store, ctx, case_id)
    if request is None:
        return False
    try:
        shipment = courier.book(request)
    except CourierRefused as exc:
        return _to_pickup(store, ctx, case_id, domain.BOOKING, "courier_refused", str(exc))
    except (TransientError, ConnectionError, TimeoutError) as exc:
        _retry_later(store, ctx, case_id, type(exc).__name__)
        return False
    with store.unit_of_work() as uow:
        row = uow.deliveries.get(case_id)
        details = {**row.details, "courier": shipment.courier, "last_error": None}
        if not uow.deliveries.change(case_id, domain.BOOKING, status=domain.IN_TRANSIT, details=details,
                                     tracking_number=shipment.tracking_number):
            return False  # another worker recorded the same shipment first
        uow.emit(DeliveryDispatched(case_id=case_id, payload={
            "delivery_id": row.delivery_id, "method": "mail", "tracking_number": shipment.tracking_number,
            "courier": shipment.courier}))
        ctx.notice(uow, case_id, "mail_dispatched", details.get("phone"), matter_name=details["matter_name"],
                   courier=shipment.courier, tracking_number=shipment.tracking_number)
        uow.commit()
    log.info("shipment booked", case_id=case_id, attempts=details.get("attempts"))
    return True


def _attempt(store: Store, ctx: Delivery, case_id: str) -> ShipmentRequest | None:
    """Count the attempt (committed before the call) and build the request under the recorded key."""
    with store.unit_of_work() as uow:
        row = uow.deliveries.get(case_id, for_update=True)
        # Due, checked under the lock: a tick's list was read before it, and the booking right after an event's
        # commit may have counted an attempt meanwhile (that attempt is in flight until its next_attempt_at).
        if row is None or row.status != domain.BOOKING or not domain.is_due(row.details, ctx.now()):
            return None
        d = dict(row.details)
        d["attempts"] = d.get("attempts", 0) + 1
        d["next_attempt_at"] = (ctx.now() + timedelta(seconds=domain.retry_after(d["attempts"]))).isoformat()
        uow.deliveries.change(case_id, domain.BOOKING, details=d)
        uow.commit()
    return ShipmentRequest(d["idempotency_key"], case_id, d.get("recipient") or "", d.get("phone"), d["address"],
                           contents=f"{d['matter_name']}办理结果")


def _retry_later(store: Store, ctx: Delivery, case_id: str, error: str) -> None:
    with store.unit_of_work() as uow:
        row = uow.deliveries.get(case_id)
        uow.deliveries.change(case_id, domain.BOOKING, details={**row.details, "last_error": error})
        uow.commit()
    log.warning("courier booking failed, will retry under the same key", case_id=case_id, error=error)


def track_pending(store: Store, ctx: Delivery, courier: Courier) -> int:
    with store.unit_of_work() as uow:
        moving = uow.deliveries.case_ids(domain.IN_TRANSIT)
    return sum(track(store, ctx, courier, case_id) for case_id in moving)


def track(store: Store, ctx: Delivery, courier: Courier, case_id: str) -> bool:
    """Fold the courier's tracking into the delivery; True when the parcel arrived or came back."""
    with store.unit_of_work() as uow:
        row = uow.deliveries.get(case_id)
    if row is None or row.status != domain.IN_TRANSIT:
        return False
    tracking = domain.merge_tracking(row.details.get("tracking", []), courier.track(row.tracking_number))
    outcome = domain.tracking_outcome(tracking)
    if outcome == "returned":
        return _to_pickup(store, ctx, case_id, domain.IN_TRANSIT, "returned_to_pickup", "", tracking)
    with store.unit_of_work() as uow:
        details = {**row.details, "tracking": tracking}
        status = domain.DELIVERED if outcome == "delivered" else domain.IN_TRANSIT
        if not uow.deliveries.change(case_id, domain.IN_TRANSIT, status=status, details=details):
            return False
        if outcome == "delivered":
            uow.emit(DeliveryCompleted(case_id=case_id, payload={"delivery_id": row.delivery_id, "method": "mail"}))
            ctx.notice(uow, case_id, "mail_delivered", details.get("phone"), matter_name=details["matter_name"])
        uow.commit()
    return outcome == "delivered"


def _to_pickup(store: Store, ctx: Delivery, case_id: str, expected: str, reason: str, note: str,
               tracking: list | None = None) -> bool:
    """A parcel that came back (or that no courier takes) waits at the hall instead."""
    with store.unit_of_work() as uow:
        row = uow.deliveries.get(case_id, for_update=True)
        if row is None or row.status != expected:
            return False
        details = {**row.details, "tracking": tracking or row.details.get("tracking", []),
                   "rerouted": reason, "rerouted_note": note}
        uow.deliveries.change(case_id, expected, details=details)
        template = "returned_to_pickup"
        start_pickup(uow, ctx, case_id, template, None, reason)
        uow.commit()
    log.info("delivery turned into pickup", case_id=case_id, reason=reason)
    return True


