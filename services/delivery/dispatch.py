"""What runs after a commit and on every tick: book shipments, follow parcels, send notifications."""
from __future__ import annotations

from dataclasses import dataclass

from services.delivery import handlers, mail, notify
from services.delivery.handlers import Delivery
from services.delivery.ports import Courier, Notifier
from shared.events import Event
from shared.messaging import Store


@dataclass(frozen=True)
class Ports:
    courier: Courier
    notifier: Notifier


def consume(store: Store, ctx: Delivery, ports: Ports, event: Event) -> None:
    """Handle the event once, then at once do what it made due for its case (the tick retries the rest)."""
    if store.process(handlers.CONSUMER, event, lambda uow, e: handlers.handle(uow, ctx, e)):
        if _may_book(event):
            mail.book_pending(store, ctx, ports.courier, event.case_id)
        notify.send_pending(store, ports.notifier, ctx.now(), event.case_id)


def _may_book(event: Event) -> bool:
    """Only a completed case that chose mail can have put a shipment to book (the tick covers any other)."""
    return event.event_type == "case_completed" and event.payload.delivery.method == "mail"


def work(store: Store, ctx: Delivery, ports: Ports) -> dict[str, int]:
    return {"booked": mail.book_pending(store, ctx, ports.courier),
            "arrived_or_returned": mail.track_pending(store, ctx, ports.courier),
            "notified": notify.send_pending(store, ports.notifier, ctx.now())}
