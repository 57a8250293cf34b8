"""What a publisher knows of the broker: since when it cannot connect and why, and who waits for a slot."""
from __future__ import annotations

import itertools
import time
from contextlib import contextmanager
from typing import Iterator


class BrokerState:
    """What a publisher knows of the broker: since when it cannot connect and why, and who waits for a slot."""

    def __init__(self):
        self.down_since: float | None = None
        self.last_error = ""
        self._retry_after = 0.0
        self._waiting_since: dict[int, float] = {}
        self._tickets = itertools.count()

    def failed(self, error: str, cooldown: float) -> None:
        now = time.monotonic()
        self.down_since = self.down_since or now
        self.last_error, self._retry_after = error, now + cooldown

    def connected(self) -> None:
        self.down_since, self.last_error, self._retry_after = None, "", 0.0

    def cooling_down(self) -> bool:
        return time.monotonic() < self._retry_after

    @contextmanager
    def waiting(self) -> Iterator[None]:
        """While a caller waits for a connection slot."""
        ticket = next(self._tickets)
        self._waiting_since[ticket] = time.monotonic()
        try:
            yield
        finally:
            del self._waiting_since[ticket]

    def longest_wait(self) -> float:
        """How long the longest-waiting caller has waited for a connection slot (0 when none waits)."""
        oldest = min(self._waiting_since.values(), default=None)
        return 0.0 if oldest is None else time.monotonic() - oldest

    def unavailable_for(self) -> float:
        return 0.0 if self.down_since is None else time.monotonic() - self.down_since
