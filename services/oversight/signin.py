"""The supervisors' sign-in: a token checked once (attempts limited), then a random session id in the cookie.

The database keeps only the id's hash, its supervisor and its expiry; logout deletes it. The cookie is HttpOnly,
SameSite=Strict, and Secure when the public base URL is https."""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import bindparam, delete, select

from services.oversight.tables import attempts as attempts_log
from services.oversight.tables import sessions
from shared import attempts
from shared.attempt_log import attempt_log
from shared.attempts import Attempt
from shared.config import Client, Settings
from shared.db import prebuilt
from shared.messaging import UnitOfWork
from shared.rows import Rows

COOKIE = "yici_oversight"


class SqlSessions:
    def __init__(self, rows: Rows):
        self.rows = rows

    def add(self, session_hash: str, supervisor: str, expires_at: float, now: float) -> None:
        self.rows.execute(delete(sessions).where(sessions.c.expires_at <= now))
        self.rows.execute(sessions.insert().values(session_hash=session_hash, supervisor=supervisor,
                                                      expires_at=expires_at))

    def supervisor(self, session_hash: str, now: float) -> str | None:
        query = prebuilt(("oversight session",), lambda: select(sessions.c.supervisor).where(
            sessions.c.session_hash == bindparam("hash"), sessions.c.expires_at > bindparam("now")))
        return self.rows.execute(query, {"hash": session_hash, "now": now}).scalar()

    def end(self, session_hash: str) -> None:
        self.rows.execute(delete(sessions).where(sessions.c.session_hash == session_hash))


REPOSITORIES = {"sessions": SqlSessions, "attempts": attempt_log(attempts_log)}


def _hash(session_id: str) -> str:
    return hashlib.sha256(session_id.encode("utf-8", "surrogateescape")).hexdigest()


@dataclass(frozen=True)
class SignIn:
    """A sign-in's outcome: the new session id, or None for a wrong token (counted, then refused)."""
    session_id: str | None


def sign_in(uow: UnitOfWork, token: str, address: str, settings: Settings, now: float) -> SignIn:
    """Check the token, within the attempt limits of the address (TooManyAttempts past them)."""
    attempt = Attempt("supervisor_login", address, address, "token")
    limits = settings.attempts.limits()
    attempts.check(uow.attempts, limits, attempt, now)
    client = settings.client_for_token(token) if token else None
    if client is None or client.role != "supervisor":
        attempts.failed(uow.attempts, limits, attempt, now)
        return SignIn(None)
    session_id = secrets.token_urlsafe(32)
    uow.sessions.add(_hash(session_id), client.name, now + settings.oversight.session_hours * 3600, now)
    return SignIn(session_id)


def signed_in(uow: UnitOfWork, session_id: str, settings: Settings, now: float) -> Client | None:
    """The supervisor of an unexpired session, while the settings still name them a supervisor."""
    name = uow.sessions.supervisor(_hash(session_id), now) if session_id else None
    return next((c for c in settings.clients if c.name == name and c.role == "supervisor"), None)


def sign_out(uow: UnitOfWork, session_id: str) -> None:
    if session_id:
        uow.sessions.end(_hash(session_id))


def secure_cookie(settings: Settings) -> bool:
    return settings.base_url().lower().startswith("https://")
