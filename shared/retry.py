"""What to do with a failed handler: retry with backoff, or dead-letter with the reason."""
from __future__ import annotations

import enum

from sqlalchemy.exc import DBAPIError, DisconnectionError, InterfaceError, OperationalError

from shared.errors import PermanentError, TransientError

INFRASTRUCTURE = (OperationalError, InterfaceError, DisconnectionError, TransientError,
                  ConnectionError, TimeoutError)


class Verdict(enum.Enum):
    RETRY = "retry"
    DEAD_LETTER = "dead_letter"


def classify(exc: BaseException, attempt: int, max_attempts: int) -> Verdict:
    """Permanent errors go to the dead-letter queue at once; outages retry forever; bugs a few times."""
    if isinstance(exc, PermanentError):
        return Verdict.DEAD_LETTER
    if is_infrastructure(exc):
        return Verdict.RETRY
    return Verdict.RETRY if attempt < max_attempts else Verdict.DEAD_LETTER


def is_infrastructure(exc: BaseException) -> bool:
    """A failure of what the handler depends on (database, broker), not of the event: retry, never dead-letter."""
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return True
    return isinstance(exc, INFRASTRUCTURE)


OUTAGE_BACKOFF_CAP = 2.0  # an outage's retries: at most this long after the database or broker is back


def backoff(attempt: int, base: float = 0.05, cap: float = 10.0) -> float:
    return min(cap, base * 2.0 ** (attempt - 1))


def retry_wait(exc: BaseException, attempt: int) -> float:
    """How long to wait before trying again: short and capped for an outage, longer for a failing handler."""
    return backoff(attempt, cap=OUTAGE_BACKOFF_CAP if is_infrastructure(exc) else 10.0)
