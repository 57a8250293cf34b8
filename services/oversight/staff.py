"""Staff accounts (people) and their sign-in: oversight holds the accounts, signs the sessions, and tells every
service when one ends (staff_session_ended) or an account is disabled or reset (staff_account_disabled).

Passwords are hashed with argon2id (argon2-cffi's defaults: 64 MiB, 3 passes, 4 lanes; memory-hard). Wrong
passwords are counted per address and per account (shared/attempts.py): past the limits the sign-in is refused
(429) before the password is looked at, so a locked account refuses even the right one for a while."""
from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from shared import attempts
from shared.attempts import Attempt
from shared.config import Settings
from shared.errors import Conflict, Invalid, NotFound, problem
from shared.events import (
    StaffAccountDisabled,
    StaffAccountDisabledPayload,
    StaffSessionEnded,
    StaffSessionEndedPayload,
)
from shared.messaging import UnitOfWork
from shared.staff import ROLES, Principal
from shared.staff.revocations import REVOKED

PASSWORD_MIN = 10
ACCOUNT_ID = re.compile(r"^[A-Za-z0-9_.-]{2,64}$")


@lru_cache(maxsize=1)
def hasher() -> PasswordHasher:
    return PasswordHasher()  # argon2id (Type.ID) with RFC 9106's second recommended parameters


@lru_cache(maxsize=1)
def _decoy() -> str:
    """A hash verified for unknown accounts, so a sign-in takes as long whether the account exists or not."""
    return hasher().hash(secrets.token_urlsafe(16))


@dataclass(frozen=True)
class NewAccount:
    account_id: str
    display_name: str
    role: str
    department: str | None = None
    unit: str | None = None


def _checked(account: NewAccount) -> None:
    wrong = []
    if not ACCOUNT_ID.match(account.account_id):
        wrong.append(problem("account_id", "invalid", "账号只能由2-64位字母、数字、._-组成",
                             "account id: 2-64 letters, digits, . _ -"))
    if not account.display_name.strip() or len(account.display_name) > 100:
        wrong.append(problem("display_name", "invalid", "请填写姓名（不超过100字）", "a display name of 1-100 characters"))
    if account.role not in ROLES:
        wrong.append(problem("role", "invalid", "角色无效", f"role must be one of {', '.join(ROLES)}"))
    if account.role == "department_approver" and not account.department:
        wrong.append(problem("department", "missing", "部门审批人员须绑定部门", "a department approver needs a department"))
    if wrong:
        raise Invalid(wrong)


def check_password(password: str) -> None:
    if len(password) < PASSWORD_MIN or len(password) > 200:
        raise Invalid([problem("password", "too_short", f"密码至少{PASSWORD_MIN}位",
                               f"a password of at least {PASSWORD_MIN} characters")])


def add_account(uow: UnitOfWork, account: NewAccount, password: str, now: float) -> None:
    _checked(account)
    check_password(password)
    if uow.staff_accounts.get(account.account_id) is not None:
        raise Conflict("account_id", "exists", "该账号已存在", "this account exists")
    uow.staff_accounts.add({**account.__dict__, "display_name": account.display_name.strip(),
                            "password_hash": hasher().hash(password), "disabled_at": None,
                            "sessions_valid_after": now, "created_at": now})


def _existing(uow: UnitOfWork, account_id: str) -> dict:
    found = uow.staff_accounts.get(account_id)
    if found is None:
        raise NotFound("account_id", account_id, message_zh="未找到该账号", message_en="no such account")
    return found


def _end_all(uow: UnitOfWork, account_id: str, now: float) -> None:
    """Every session of the account ends now, here and (by the event) in every service."""
    uow.emit(StaffAccountDisabled(case_id="", payload=StaffAccountDisabledPayload(account_id=account_id,
                                                                                 disabled_at=now)))
    REVOKED.disable_account(account_id, now)


def disable_account(uow: UnitOfWork, account_id: str, now: float) -> None:
    _existing(uow, account_id)
    uow.staff_accounts.change(account_id, disabled_at=now)
    _end_all(uow, account_id, now)


def reset_password(uow: UnitOfWork, account_id: str, password: str | None, now: float) -> str:
    """A new password (the one given, or a generated one-time password, returned); the account's sessions end
    and it is enabled again."""
    _existing(uow, account_id)
    chosen = password or secrets.token_urlsafe(12)
    check_password(chosen)
    uow.staff_accounts.change(account_id, password_hash=hasher().hash(chosen), disabled_at=None,
                              sessions_valid_after=now)
    _end_all(uow, account_id, now)
    return chosen


def list_accounts(uow: UnitOfWork) -> list[dict]:
    return uow.staff_accounts.all()


def sign_in(uow: UnitOfWork, account_id: str, password: str, address: str, settings: Settings,
            now: float) -> Principal | None:
    """The new session's person, or None for a wrong account or password (counted); TooManyAttempts past the
    limits of the address or the account."""
    attempt = Attempt("staff_signin", address, account_id.lower(), "account_id")
    limits = settings.attempts.limits()
    attempts.check(uow.attempts, limits, attempt, now)
    found = uow.staff_accounts.get(account_id)
    if not _password_matches(found, password) or found is None or found["disabled_at"] is not None:
        attempts.failed(uow.attempts, limits, attempt, now)
        return None
    principal = Principal(found["account_id"], found["display_name"], found["role"], found["department"],
                          found["unit"], secrets.token_urlsafe(24), now, now + settings.staff.session_hours * 3600)
    uow.staff_sessions.add(principal.session_id, principal.account_id, principal.issued_at, principal.expires_at)
    return principal


def _password_matches(found: dict | None, password: str) -> bool:
    try:
        return hasher().verify(found["password_hash"] if found else _decoy(), password) and found is not None
    except (VerificationError, InvalidHashError):
        return False


def sign_out(uow: UnitOfWork, principal: Principal, now: float) -> None:
    """The session ends: marked in the database, refused here at once and, by the event, in every service."""
    expires_at = uow.staff_sessions.end(principal.session_id, now) or principal.expires_at
    uow.emit(StaffSessionEnded(case_id="", payload=StaffSessionEndedPayload(
        session_id=principal.session_id, account_id=principal.account_id, expires_at=expires_at)))
    REVOKED.end_session(principal.session_id, expires_at)


def reload_revocations(uow: UnitOfWork, now: float) -> None:
    """At start: ended sessions and disabled or reset accounts, from the database into this process's registry."""
    for session_id, expires_at in uow.staff_sessions.ended(now):
        REVOKED.end_session(session_id, expires_at)
    for account_id, at in uow.staff_sessions.disabled():
        REVOKED.disable_account(account_id, at)
