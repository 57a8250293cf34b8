"""Free mail (免费寄递): book once through the courier, follow the parcel until delivered or returned.

The booking's idempotency key was recorded with the delivery, before any call. Booking runs outside
the event's transaction: a crash after the courier booked but before the result was recorded, or a
courier timeout, leaves the delivery in `booking`, and the next attempt books again under the same
key, which the courier answers with the shipment it already has.
"""
from __future__ import annotations

from datetime import timedelta

from services.delivery import domain
from services.delivery.handlers import Context
from services.delivery.methods import start_pickup, template
from services.delivery.ports import CourierRefused, Shipment, ShipmentRequest
from shared.errors import TransientError
from shared.events import DeliveryCompleted, DeliveryDispatched
from shared.logging import get_logger
from shared.messaging import Store, UnitOfWork

log = get_logger(__name__)


def book_pending(store: Store, context: Context, case_id: str | None = None) -> int:
    with store.unit_of_work() as uow:
        due = [case_id] if case_id else uow.deliveries.case_ids(domain.BOOKING, due_before=context.now())
    return sum(book(store, c, context) for c in due)


def book(store: Store, case_id: str, context: Context) -> bool:
    """One booking attempt; True when this attempt recorded the shipment."""
    request = store.run(_attempt, case_id, context)
    if request is None:
        return False
    try:
        shipment = context.courier.book(request)
    except CourierRefused as exc:
        return _to_pickup(store, case_id, domain.BOOKING, "courier_refused", str(exc), None, context)
    except (TransientError, ConnectionError, TimeoutError) as exc:
        store.run(_booking_failed, case_id, type(exc).__name__)
        log.warning("courier booking failed, will retry under the same key", case_id=case_id,
                    error=type(exc).__name__)
        return False
    recorded = store.run(_record_shipment, case_id, shipment, context)
    if recorded is None:
        return False  # another worker recorded the same shipment first
    log.info("shipment booked", case_id=case_id, attempts=recorded.get("attempts"))
    return True


def _attempt(uow: UnitOfWork, case_id: str, context: Context) -> ShipmentRequest | None:
    """Count the attempt (committed before the call) and build the request under the recorded key."""
    row = uow.deliveries.get(case_id, for_update=True)
    # Due, checked under the lock: a tick's list was read before it, and the booking right after an event's
    # commit may have counted an attempt meanwhile (that attempt is in flight until its next_attempt_at).
    if row is None or row.status != domain.BOOKING or not domain.is_due(row.details, context.now()):
        return None
    d = dict(row.details)
    d["attempts"] = d.get("attempts", 0) + 1
    d["next_attempt_at"] = (context.now() + timedelta(seconds=domain.retry_after(d["attempts"]))).isoformat()
    uow.deliveries.change(case_id, domain.BOOKING, details=d)
    return ShipmentRequest(d["idempotency_key"], case_id, d.get("recipient") or "", d.get("phone"), d["address"],
                           contents=d.get("contents") or f"{d['matter_name']}办理结果")


def _booking_failed(uow: UnitOfWork, case_id: str, error: str) -> None:
    row = uow.deliveries.get(case_id)
    uow.deliveries.change(case_id, domain.BOOKING, details={**row.details, "last_error": error})


def _record_shipment(uow: UnitOfWork, case_id: str, shipment: Shipment, context: Context) -> dict | None:
    """The shipment recorded, announced and told (the delivery's details), or None when another worker
    recorded it first."""
    row = uow.deliveries.get(case_id)
    details = {**row.details, "courier": shipment.courier, "last_error": None}
    if not uow.deliveries.change(case_id, domain.BOOKING, status=domain.IN_TRANSIT, details=details,
                                 tracking_number=shipment.tracking_number):
        return None
    uow.emit(DeliveryDispatched(case_id=case_id, payload={
        "delivery_id": row.delivery_id, "method": "mail", "tracking_number": shipment.tracking_number,
        "courier": shipment.courier}))
    context.notice(uow, case_id, template(details, "mail_dispatched"), details.get("phone"),
                   language=details.get("language", "zh"), matter_name=details["matter_name"],
                   courier=shipment.courier, tracking_number=shipment.tracking_number,
                   track_url=details.get("track_url"))
    return details


def track_pending(store: Store, context: Context) -> int:
    with store.unit_of_work() as uow:
        moving = uow.deliveries.case_ids(domain.IN_TRANSIT)
    return sum(track(store, case_id, context) for case_id in moving)


def track(store: Store, case_id: str, context: Context) -> bool:
    """Fold the courier's tracking into the delivery; True when the parcel arrived or came back."""
    with store.unit_of_work() as uow:
        row = uow.deliveries.get(case_id)
    if row is None or row.status != domain.IN_TRANSIT:
        return False
    tracking = domain.merge_tracking(row.details.get("tracking", []), context.courier.track(row.tracking_number))
    outcome = domain.tracking_outcome(tracking)
    if outcome == "returned":
        return _to_pickup(store, case_id, domain.IN_TRANSIT, "returned_to_pickup", "", tracking, context)
    return store.run(_follow_parcel, row, tracking, outcome, context)


def _follow_parcel(uow: UnitOfWork, row, tracking: list[dict], outcome: str | None, context: Context) -> bool:
    """The tracking recorded; a delivered parcel completes the delivery. True when it did."""
    details = {**row.details, "tracking": tracking}
    status = domain.DELIVERED if outcome == "delivered" else domain.IN_TRANSIT
    if not uow.deliveries.change(row.case_id, domain.IN_TRANSIT, status=status, details=details):
        return False
    if outcome == "delivered":
        uow.emit(DeliveryCompleted(case_id=row.case_id, payload={"delivery_id": row.delivery_id, "method": "mail"}))
        context.notice(uow, row.case_id, template(details, "mail_delivered"), details.get("phone"),
                       language=details.get("language", "zh"), matter_name=details["matter_name"])
    return outcome == "delivered"


def _to_pickup(store: Store, case_id: str, expected: str, reason: str, note: str, tracking: list | None,
              context: Context) -> bool:
    """A parcel that came back (or that no courier takes) waits at the hall instead."""
    moved = store.run(_reroute, case_id, expected, reason, note, tracking, context)
    if moved:
        log.info("delivery turned into pickup", case_id=case_id, reason=reason)
    return moved


def _reroute(uow: UnitOfWork, case_id: str, expected: str, reason: str, note: str, tracking: list | None,
             context: Context) -> bool:
    row = uow.deliveries.get(case_id, for_update=True)
    if row is None or row.status != expected:
        return False
    details = {**row.details, "tracking": tracking or row.details.get("tracking", []),
               "rerouted": reason, "rerouted_note": note}
    uow.deliveries.change(case_id, expected, details=details)
    start_pickup(uow, case_id, "returned_to_pickup", reason, context)
    return True
