"""Attempt limits for guessable codes (a case's lookup code, a pickup code, a supervisor's sign-in): failures
are counted per client address and per target in a sliding window; over either limit the attempt is refused
(429, Retry-After) before the code is looked at, so a locked target refuses even the right code until its
failures age out of the window. The counts live in the service's own database, so replicas share them."""
from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from typing import Protocol

from shared.errors import TooManyAttempts
from shared.logging import get_logger
from shared.metrics import ATTEMPT_LOCKS, ATTEMPTS_REFUSED

log = get_logger(__name__)


class AttemptLog(Protocol):
    """Failed attempts, by scope and subject (a hashed client address or target), as epoch seconds."""

    def serialize(self, scope: str, subject: str) -> None: ...

    def latest(self, scope: str, subject: str, since: float, count: int) -> list[float]: ...

    def add(self, scope: str, subjects: list[str], at: float) -> None: ...

    def forget(self, before: float) -> None: ...


@dataclass(frozen=True)
class Limits:
    """`per_client` failures from one address, `per_target` failures at one target, within `window_seconds`."""
    window_seconds: float
    per_client: int
    per_target: int


@dataclass(frozen=True)
class Attempt:
    """One try at a code: `field` names it in a refusal; `label` is what a log line may say of the target
    (a case id), never a personal value."""
    scope: str
    client: str
    target: str
    field: str
    label: str = ""

    @property
    def client_subject(self) -> str:
        return _subject("client", self.client)

    @property
    def target_subject(self) -> str:
        return _subject("target", self.target)


def _subject(kind: str, value: str) -> str:
    return hashlib.sha256(f"{kind}:{value}".encode("utf-8", "surrogateescape")).hexdigest()


def check(attempts: AttemptLog, limits: Limits, attempt: Attempt, now: float) -> None:
    """Refuse (TooManyAttempts) while the target is locked or the client has failed too often."""
    attempts.serialize(attempt.scope, attempt.target_subject)
    for subject, limit, locked in ((attempt.target_subject, limits.per_target, True),
                                   (attempt.client_subject, limits.per_client, False)):
        wait = _wait(attempts.latest(attempt.scope, subject, now - limits.window_seconds, limit), limit, limits, now)
        if wait:
            ATTEMPTS_REFUSED.labels(attempt.scope, "target_locked" if locked else "client_limit").inc()
            raise TooManyAttempts(attempt.field, wait, locked)


def _wait(times: list[float], limit: int, limits: Limits, now: float) -> int:
    """Seconds until the oldest of the last `limit` failures leaves the window (0: under the limit)."""
    if len(times) < limit:
        return 0
    return max(1, math.ceil(min(times) + limits.window_seconds - now))


def failed(attempts: AttemptLog, limits: Limits, attempt: Attempt, now: float) -> bool:
    """Count a failure against the client and the target; True when it locked the target (logged, counted)."""
    attempts.add(attempt.scope, [attempt.client_subject, attempt.target_subject], now)
    attempts.forget(now - limits.window_seconds)
    since = now - limits.window_seconds
    if len(attempts.latest(attempt.scope, attempt.target_subject, since, limits.per_target)) < limits.per_target:
        return False
    ATTEMPT_LOCKS.labels(attempt.scope).inc()
    log.warning("attempts locked", scope=attempt.scope, target=attempt.label or "-", failures=limits.per_target,
                window_seconds=limits.window_seconds)
    return True
