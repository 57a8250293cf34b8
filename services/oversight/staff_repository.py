"""Staff accounts and the sessions oversight signed, in oversight's database (through the unit of work's rows)."""
from __future__ import annotations

from typing import Any

from sqlalchemy import select, update

from services.oversight.tables import staff_accounts, staff_sessions
from shared.rows import Rows


class SqlStaffAccounts:
    def __init__(self, rows: Rows):
        self.rows = rows

    def get(self, account_id: str) -> dict[str, Any] | None:
        found = self.rows.execute(select(staff_accounts).where(staff_accounts.c.account_id == account_id)).first()
        return dict(found._mapping) if found is not None else None

    def add(self, row: dict[str, Any]) -> None:
        self.rows.execute(staff_accounts.insert().values(**row))

    def change(self, account_id: str, **values: Any) -> None:
        self.rows.execute(update(staff_accounts).where(staff_accounts.c.account_id == account_id).values(**values))

    def all(self) -> list[dict[str, Any]]:
        query = select(staff_accounts.c.account_id, staff_accounts.c.display_name, staff_accounts.c.role,
                       staff_accounts.c.department, staff_accounts.c.unit, staff_accounts.c.disabled_at,
                       staff_accounts.c.created_at).order_by(staff_accounts.c.account_id)
        return [dict(row._mapping) for row in self.rows.execute(query)]


class SqlStaffSessions:
    def __init__(self, rows: Rows):
        self.rows = rows

    def add(self, session_id: str, account_id: str, issued_at: float, expires_at: float) -> None:
        self.rows.execute(staff_sessions.delete().where(staff_sessions.c.expires_at <= issued_at))
        self.rows.execute(staff_sessions.insert().values(session_id=session_id, account_id=account_id,
                                                         issued_at=issued_at, expires_at=expires_at))

    def end(self, session_id: str, now: float) -> float | None:
        """Mark the session ended; its expiry (None: unknown or already ended)."""
        found = self.rows.execute(select(staff_sessions.c.expires_at).where(
            staff_sessions.c.session_id == session_id, staff_sessions.c.ended_at.is_(None))).scalar()
        if found is not None:
            self.rows.execute(update(staff_sessions).where(staff_sessions.c.session_id == session_id)
                              .values(ended_at=now))
        return found

    def ended(self, now: float) -> list[tuple[str, float]]:
        """The ended sessions that have not expired yet (to refuse after a restart)."""
        query = select(staff_sessions.c.session_id, staff_sessions.c.expires_at).where(
            staff_sessions.c.ended_at.is_not(None), staff_sessions.c.expires_at > now)
        return [(row.session_id, row.expires_at) for row in self.rows.execute(query)]

    def disabled(self) -> list[tuple[str, float]]:
        """Each account's latest refusal time: disabled, or password reset (sessions issued before refused)."""
        query = select(staff_accounts.c.account_id, staff_accounts.c.disabled_at,
                       staff_accounts.c.sessions_valid_after)
        return [(row.account_id, max(row.disabled_at or 0.0, row.sessions_valid_after))
                for row in self.rows.execute(query)]


REPOSITORIES = {"staff_accounts": SqlStaffAccounts, "staff_sessions": SqlStaffSessions}
