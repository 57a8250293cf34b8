"""Which acknowledgements to send for one AMQP channel, so that a batch settles with one frame.

A basic.ack with `multiple` set acknowledges every unacknowledged delivery tag up to its own on that
channel. That is right only for tags already handled: a message still in a worker or waiting for its
retry must stay unacknowledged (the broker redelivers it if this process dies). The window keeps the tags
delivered and not yet settled, in delivery order (tags grow on a channel). Settled tags below the oldest
unsettled one go in one `multiple` ack; a settled tag behind an unsettled one is acknowledged alone and at
once, so a message in retry never holds back the others' acknowledgements (nor, through the prefetch
count, the deliveries behind them).
"""
from __future__ import annotations

from collections import deque
from typing import Iterable


class AckWindow:
    """The delivery tags of one channel that are delivered and not yet acknowledged or requeued."""

    def __init__(self) -> None:
        self._order: deque[int] = deque()
        self._open: set[int] = set()

    def __len__(self) -> int:
        return len(self._open)

    def delivered(self, tag: int) -> None:
        self._order.append(tag)
        self._open.add(tag)

    def forget(self, tag: int) -> None:
        """The tag was settled some other way (requeued, rejected): it no longer holds back any ack."""
        self._open.discard(tag)

    def settle(self, tags: Iterable[int]) -> list[tuple[int, bool]]:
        """The acks to send, as (delivery tag, multiple), for `tags` now handled; tags not open are ignored."""
        done = sorted(t for t in set(tags) if t in self._open)
        self._open.difference_update(done)
        head = self._head()
        covered = [t for t in done if head is None or t < head]
        acks = [(covered[-1], len(covered) > 1)] if covered else []
        return acks + [(t, False) for t in done if head is not None and t > head]

    def _head(self) -> int | None:
        while self._order and self._order[0] not in self._open:
            self._order.popleft()
        return self._order[0] if self._order else None
