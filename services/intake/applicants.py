"""Who the applicant at home is: a mobile number proved by a one-time SMS code, or the regional platform's
single sign-on (蒙速办 / 政务服务网) through an adapter; the applicant's session; whose cases are whose.

The port (`RegionalSignOn`) is what a regional single sign-on adapter implements; the phone-code sign-in is the
default (`intake.applicants.sign_in`). Either ends in a `VerifiedApplicant` (a mobile number the platform or the
code proved), and from then on the applicant is that number: cases submitted online are bound to its keyed hash,
and an applicant sees only the cases bound to their own number.

Codes are six digits, kept only as an HMAC (key: `intake.applicants.secret`, else one generated in data_dir), valid
`code_ttl_seconds` (5 min), void after `code_attempts` wrong tries; one number gets a new code at most every
`resend_seconds` and at most `codes_per_hour` an hour. Neither the number nor the code is ever logged.
"""
from __future__ import annotations

import hashlib
import hmac
import importlib
import secrets
import time
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Mapping, Protocol

from shared import attempts
from shared.attempts import Attempt, Limits
from shared.audit import kept_secret
from shared.config import ApplicantSettings, Settings
from shared.errors import Invalid, TooManyAttempts, problem
from shared.identifiers import check_mobile
from shared.logging import get_logger
from shared.messaging import UnitOfWork

log = get_logger(__name__)
KEY_FILE = "applicant-secret.key"
SESSION_COOKIE = "yici_applicant"
PRE_COOKIE = "yici_apply_pre"  # before sign-in: the anti-forgery token is bound to this random cookie
CODE_SCOPE = "applicant_code"


@dataclass(frozen=True)
class VerifiedApplicant:
    """A mobile number proved by a one-time code or by the regional platform; `source` says which."""
    phone: str
    source: str


class RegionalSignOn(Protocol):
    """The regional platform's single sign-on (蒙速办 / 政务服务网), as an adapter implements it.

    `authorize_url(state, return_to)`: where to send the applicant's browser to sign in; the platform comes back
    to `return_to` (/apply/sso/callback) with its own parameters and `state`.
    `complete(params, state)`: check what came back (the platform's code or ticket, exchanged server to server)
    and return the applicant's verified mobile number, or None when the sign-in failed or was refused."""
    name: str

    def authorize_url(self, state: str, return_to: str) -> str: ...

    def complete(self, params: Mapping[str, str], state: str) -> VerifiedApplicant | None: ...


def regional_sign_on(settings: Settings) -> RegionalSignOn:
    """The adapter `intake.applicants.regional_sso_adapter` (module:factory) names, built from the settings."""
    target = settings.intake.applicants.regional_sso_adapter or ""
    module, _, factory = target.partition(":")
    return getattr(importlib.import_module(module), factory)(settings)


@dataclass(frozen=True)
class Applicant:
    """The signed-in applicant: their session, their number (shown masked) and its keyed hash."""
    session_id: str
    phone: str
    phone_key: str
    expires_at: float

    @property
    def masked(self) -> str:
        return mask(self.phone)

    @property
    def actor(self) -> str:
        """How records name the applicant: the masked number and a short keyed hash that tells numbers apart
        (files uploaded by one applicant can be used only by the same applicant)."""
        return f"applicant:{self.masked} {self.phone_key[:8]}"


def mask(phone: str) -> str:
    return f"{phone[:3]}****{phone[-4:]}" if len(phone) >= 7 else "****"


def secret(settings: Settings) -> bytes:
    configured = settings.intake.applicants.secret
    return configured.encode("utf-8") if configured else _kept(Path(settings.data_dir).resolve())


@lru_cache(maxsize=8)
def _kept(data_dir: Path) -> bytes:
    return kept_secret(data_dir / KEY_FILE)


def _mac(key: bytes, *parts: str) -> str:
    return hmac.new(key, "\x1f".join(parts).encode("utf-8", "surrogateescape"), hashlib.sha256).hexdigest()


def phone_key(key: bytes, phone: str) -> str:
    return _mac(key, "phone", phone)


def checked_phone(raw: str) -> str:
    """The mobile number as typed, checked like an applicant's phone in an application (422 on `phone`)."""
    found = check_mobile(raw) if raw.strip() else None
    if found is None or found.normalized is None:
        message = found.errors[0].message_zh if found and found.errors else "请填写手机号码"
        raise Invalid([problem("phone", "invalid_phone", message, "a mainland mobile number is needed")])
    return found.normalized


class SendingTooOften(TooManyAttempts):
    """Another code asked for too soon (resend throttle) or too many in an hour: 429, with the wait."""

    def __init__(self, retry_after: int):
        super().__init__("phone", retry_after, False)
        self.problems = [problem("phone", "code_throttled", f"验证码发送过于频繁，请于{retry_after}秒后再试",
                                 f"a code was sent to this number recently; retry after {retry_after} s")]


@dataclass(frozen=True)
class CodeSent:
    challenge_id: str
    code: str  # to hand to the SMS port only


def request_code(uow: UnitOfWork, phone: str, key: bytes, limits: ApplicantSettings, now: float,
                 address: str = "", per_address: Limits | None = None) -> CodeSent:
    """A new code for `phone` (refused while one was sent less than `resend_seconds` ago, or over the hourly
    limit: 429 with the wait); the code itself is kept only as an HMAC over the challenge and the code. Codes
    asked from one client address count against `per_address` (attempts.per_client in attempts.window_seconds),
    so one address cannot have texts sent to number after number."""
    owner = phone_key(key, phone)
    if per_address is not None:
        counted = Limits(per_address.window_seconds, per_address.per_client, 1_000_000)
        sending = Attempt(CODE_SCOPE, address, owner, "phone")
        try:
            attempts.check(uow.attempts, counted, sending, now)
        except TooManyAttempts as refused:
            raise SendingTooOften(refused.retry_after) from None
        attempts.failed(uow.attempts, counted, sending, now)
    recent = uow.applicants.challenges_since(owner, now - 3600)
    if recent and now - recent[0].created_at < limits.resend_seconds:
        raise SendingTooOften(int(recent[0].created_at + limits.resend_seconds - now) + 1)
    if len(recent) >= limits.codes_per_hour:
        raise SendingTooOften(int(min(c.created_at for c in recent) + 3600 - now) + 1)
    uow.applicants.forget_challenges(now - 86400)
    challenge_id, code = secrets.token_urlsafe(18), f"{secrets.randbelow(10 ** 6):06d}"
    uow.applicants.add_challenge(challenge_id=challenge_id, phone_key=owner, phone=phone, code_hash=_mac(key, challenge_id, code),
                                 created_at=now, expires_at=now + limits.code_ttl_seconds, failures=0, used=False)
    return CodeSent(challenge_id, code)


def challenge_phone(uow: UnitOfWork, challenge_id: str) -> str | None:
    """The number a challenge's code was sent to (for the verify page, masked, and for a resend)."""
    found = uow.applicants.challenge(challenge_id) if challenge_id else None
    return str(found.phone) if found is not None else None


@dataclass(frozen=True)
class CodeResult:
    """`applicant` when the code was right; else `error`: wrong, expired, used or too_many (the failure counted)."""
    applicant: Applicant | None = None
    error: str = ""
    left: int = 0


def verify_code(uow: UnitOfWork, challenge_id: str, code: str, key: bytes, limits: ApplicantSettings,
                now: float) -> CodeResult:
    """Check a code; a wrong one is counted (committed: the caller returns, never raises, on failure)."""
    found = uow.applicants.challenge(challenge_id) if challenge_id else None
    if found is None:
        return CodeResult(error="unknown")
    if found.used:
        return CodeResult(error="used")
    if found.failures >= limits.code_attempts:
        return CodeResult(error="too_many")
    if found.expires_at <= now:
        return CodeResult(error="expired")
    if not hmac.compare_digest(found.code_hash, _mac(key, challenge_id, "".join(code.split()))):
        failures = found.failures + 1
        uow.applicants.update_challenge(challenge_id, failures=failures)
        if failures >= limits.code_attempts:
            log.warning("applicant code void after too many attempts", attempts=failures)
            return CodeResult(error="too_many")
        return CodeResult(error="wrong", left=limits.code_attempts - failures)
    uow.applicants.update_challenge(challenge_id, used=True)
    return CodeResult(applicant=start_session(uow, VerifiedApplicant(found.phone, "phone_code"), key, limits, now))


def start_session(uow: UnitOfWork, verified: VerifiedApplicant, key: bytes, limits: ApplicantSettings,
                  now: float) -> Applicant:
    uow.applicants.forget_sessions(now - 86400)
    session_id = secrets.token_urlsafe(24)
    owner = phone_key(key, verified.phone)
    expires = now + limits.session_hours * 3600
    uow.applicants.add_session(session_id=session_id, phone_key=owner, phone=verified.phone, source=verified.source,
                               created_at=now, expires_at=expires, ended=False)
    return Applicant(session_id, verified.phone, owner, expires)


def cookie_value(applicant: Applicant, key: bytes) -> str:
    """The cookie: the session id and its expiry, signed (HMAC) so a forged or altered one is refused unread."""
    body = f"{applicant.session_id}.{int(applicant.expires_at)}"
    return f"{body}.{_mac(key, 'session', body)[:43]}"


def session_of(uow: UnitOfWork, cookie: str, key: bytes, now: float | None = None) -> Applicant | None:
    """The applicant of a cookie that is authentic, unexpired and not signed out; else None."""
    parts = cookie.split(".") if cookie and len(cookie) < 200 else []
    if len(parts) != 3:
        return None
    body = f"{parts[0]}.{parts[1]}"
    if not hmac.compare_digest(parts[2], _mac(key, "session", body)[:43]):
        return None
    moment = time.time() if now is None else now
    row = uow.applicants.applicant_session(parts[0])
    if row is None or row.ended or row.expires_at <= moment:
        return None
    return Applicant(row.session_id, row.phone, row.phone_key, row.expires_at)


def sign_out(uow: UnitOfWork, applicant: Applicant) -> None:
    uow.applicants.end_session(applicant.session_id)


def csrf_token(key: bytes, binding: str) -> str:
    """The anti-forgery token of a page: bound to the session (or, before sign-in, to the random pre-cookie)."""
    return _mac(key, "csrf", binding)[:40]


def owns(uow: UnitOfWork, applicant: Applicant, case_id: str) -> bool:
    owner = uow.applicants.owner(case_id)
    return owner is not None and hmac.compare_digest(owner, applicant.phone_key)


def sign_in_text(signature: str, code: str, minutes: int) -> str:
    """The SMS: the code and how long it works, nothing about the applicant."""
    return f"{signature}您的“一网通办”登录验证码为 {code}，{minutes}分钟内有效。工作人员不会向您索要验证码，请勿告知他人。"
