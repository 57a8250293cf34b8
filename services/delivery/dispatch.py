"""Delivery's entries for events and ticks: the events handled in one transaction, then what they made due
(book shipments, send notifications); every tick books, follows parcels and retries notifications."""
from __future__ import annotations

from services.delivery import handlers, mail, notify
from services.delivery.handlers import Context
from shared.events import CaseCompleted, CaseRejected, Event
from shared.messaging import Store, UnitOfWork


def consume(store: Store, events: Event | list[Event], context: Context) -> None:
    """Handle the events once each, in one transaction, then at once do what they made due: book what a mail
    completion put up for booking, send the notifications they queued (the tick retries anything that fails)."""
    events = handlers.in_case_order(events if isinstance(events, list) else [events])
    queued: list = []

    def handle(uow: UnitOfWork, fresh: list[Event]) -> None:
        handlers.handle_batch(uow, fresh, context)
        queued.extend(uow.deliveries.take_queued())

    if store.process_new(handlers.CONSUMER, events, handle):
        for case_id in dict.fromkeys(e.case_id for e in events if _may_book(e)):
            mail.book_pending(store, context, case_id)
        notify.send(store, context.notifier, context.now(), queued)


def _may_book(event: Event) -> bool:
    """Only a concluded case that chose mail can have put a shipment to book (the tick covers any other)."""
    choice = event.payload.delivery if isinstance(event, (CaseCompleted, CaseRejected)) else None
    return choice is not None and choice.method == "mail"


def work(store: Store, context: Context) -> dict[str, int]:
    return {"booked": mail.book_pending(store, context),
            "arrived_or_returned": mail.track_pending(store, context),
            "notified": notify.send_pending(store, context.notifier, context.now())}
