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


def consume(store: Store, ctx: Delivery, ports: Ports, events: Event | list[Event]) -> None:
    """Handle the events once each, in one transaction, then at once do what they made due: book what a mail
    completion put up for booking, send the notifications they queued (the tick retries anything that fails)."""
    events = handlers.in_case_order(events if isinstance(events, list) else [events])
    queued: list = []

    def handle(uow, fresh: list[Event]) -> None:
        handlers.handle_batch(uow, ctx, fresh)
        queued.extend(uow.deliveries.take_queued())

    if store.process_new(handlers.CONSUMER, events, handle):
        for case_id in dict.fromkeys(e.case_id for e in events if _may_book(e)):
            mail.book_pending(store, ctx, ports.courier, case_id)
        notify.send(store, ports.notifier, ctx.now(), queued)


def _may_book(event: Event) -> bool:
    """Only a completed case that chose mail can have put a shipment to book (the tick covers any other)."""
    return event.event_type == "case_completed" and event.payload.delivery.method == "mail"


def work(store: Store, ctx: Delivery, ports: Ports) -> dict[str, int]:
    return {"booked": mail.book_pending(store, ctx, ports.courier),
            "arrived_or_returned": mail.track_pending(store, ctx, ports.courier),
            "notified": notify.send_pending(store, ports.notifier, ctx.now())}
