"""Running a batch handler as EventConsumer does when the handler sets events aside (no broker)."""
from __future__ import annotations

from typing import Callable

from shared.errors import SetAside
from shared.events import Event


def run_like_the_consumer(run: Callable[[list[Event]], object], events: list[Event]) -> dict[str, Exception]:
    """`run(events)`; the events a SetAside names are taken out and the others run together again, as the
    consumer does. Returns the errors of those set aside, by event id (the consumer parks or dead-letters them)."""
    aside: dict[str, Exception] = {}
    while events:
        try:
            run(events)
            return aside
        except SetAside as error:
            aside.update(error.errors)
            events = [e for e in events if str(e.event_id) not in error.errors]
    return aside
