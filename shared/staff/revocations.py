"""Ended staff sessions and disabled accounts, as this process knows them.

oversight publishes `staff_session_ended` and `staff_account_disabled`; every service consumes them and records
them here (and oversight records its own at once), so a validly signed cookie of an ended session or a disabled
account is refused everywhere. Entries are dropped once the sessions they could refuse have expired."""
from __future__ import annotations

import threading
import time


class Revocations:
    """Session ids ended (until their expiry) and accounts disabled (sessions issued before `at` refused)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._sessions: dict[str, float] = {}
        self._accounts: dict[str, float] = {}

    def end_session(self, session_id: str, expires_at: float) -> None:
        with self._lock:
            self._sessions[session_id] = max(expires_at, self._sessions.get(session_id, 0.0))

    def disable_account(self, account_id: str, at: float) -> None:
        """Sessions of `account_id` issued at or before `at` are refused (a later re-enabled sign-in is not)."""
        with self._lock:
            self._accounts[account_id] = max(at, self._accounts.get(account_id, 0.0))

    def refused(self, session_id: str, account_id: str, issued_at: float) -> bool:
        with self._lock:
            return session_id in self._sessions or issued_at <= self._accounts.get(account_id, -1.0)

    def forget(self, now: float, max_session_seconds: float) -> None:
        with self._lock:
            self._sessions = {k: v for k, v in self._sessions.items() if v > now}
            self._accounts = {k: v for k, v in self._accounts.items() if v + max_session_seconds > now}

    def clear(self) -> None:
        with self._lock:
            self._sessions.clear()
            self._accounts.clear()


REVOKED = Revocations()
MAX_SESSION_SECONDS = 24 * 3600  # staff.session_hours is at most 24


def record(event_type: str, payload: dict[str, float | str]) -> None:
    """Record a staff event of oversight's (`staff_session_ended`, `staff_account_disabled`) in this process."""
    REVOKED.forget(time.time(), MAX_SESSION_SECONDS)  # rare events: the registry keeps only what can matter
    if event_type == "staff_session_ended":
        REVOKED.end_session(str(payload["session_id"]), float(payload["expires_at"]))
    elif event_type == "staff_account_disabled":
        REVOKED.disable_account(str(payload["account_id"]), float(payload["disabled_at"]))
