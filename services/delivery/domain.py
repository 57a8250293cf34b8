"""Rules of delivery: statuses, pickup codes, the courier's idempotency key, tracking, signed download links."""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Callable, Iterable

from services.delivery.ports import TrackingEvent
from shared.errors import Invalid, problem
from shared.identifiers import check_resident_id

AWAITING_PICKUP, PICKED_UP = "awaiting_pickup", "picked_up"
BOOKING, IN_TRANSIT, DELIVERED = "booking", "in_transit", "delivered"
AVAILABLE, DOWNLOADED = "available", "downloaded"
NOTIFIED = "notified"
COMPLETED = (PICKED_UP, DELIVERED, DOWNLOADED)
FINAL_TRACKING = ("delivered", "returned")


PICKUP_DIGITS = 8  # typed from an SMS; with the attempt limits a guess has no chance (six-digit codes still count)


def new_pickup_code() -> str:
    return f"{secrets.randbelow(10**PICKUP_DIGITS):0{PICKUP_DIGITS}d}"


def codes_match(given: str, expected: str | None) -> bool:
    return expected is not None and hmac.compare_digest(given.strip().encode(), expected.encode())


@dataclass(frozen=True)
class PickupAttempt:
    """A clerk's confirmation of a hand-over: what was handed over, or None for a wrong code, which is counted
    (the count is kept) and then refused."""
    handed_over: dict[str, Any] | None

    def answer(self) -> dict[str, Any]:
        if self.handed_over is None:
            raise Invalid([problem("pickup_code", "wrong_pickup_code", "取件码不正确", "wrong pickup code")])
        return self.handed_over


def check_collector(id_number: str | None, collectors: list[str], pseudonym: Callable[[str], str],
                    required: bool = False) -> dict[str, Any]:
    """The collector's ID checked at hand-over: a valid resident ID, and one of `collectors` (pseudonyms of who
    may collect) when the delivery names any; what the slip records of it (masked, never the number)."""
    number = (id_number or "").strip().upper()
    if not number:
        if collectors or required:
            raise Invalid([problem("id_number", "id_required", "请核验领取人身份证，填写其身份证号码",
                                   "the collector's ID number is required for this hand-over")])
        return {}
    checked = check_resident_id(number)
    if checked.errors:
        raise Invalid([problem("id_number", p.code, p.message_zh, p.message_en) for p in checked.errors])
    number = checked.normalized or number
    if collectors and pseudonym(number) not in collectors:
        raise Invalid([problem("id_number", "collector_mismatch",
                               "领取人身份证号码与申请人不一致，不能交付（本人领取须出示申请时登记的身份证）",
                               "the collector's ID number is not the applicant's: the result is not handed over")])
    return {"collector": {"id_masked": f"{number[:4]}{'*' * (len(number) - 8)}{number[-4:]}",
                          "checked": "holder" if collectors else "id_valid"}}


def idempotency_key(delivery_id: str) -> str:
    """The courier booking's key: fixed when the delivery is recorded, before any call is made."""
    return f"yici-delivery-{delivery_id}"


def retry_after(attempts: int, cap: float = 300.0) -> float:
    return min(cap, 2.0 ** attempts)


def is_due(details: dict[str, Any], before: datetime) -> bool:
    """Whether a delivery's next attempt (booking, tracking) may start: none scheduled, or its time has come."""
    at = details.get("next_attempt_at")
    return at is None or datetime.fromisoformat(at) <= before


def merge_tracking(known: list[dict[str, Any]], events: Iterable[TrackingEvent]) -> list[dict[str, Any]]:
    """Known tracking entries plus the new ones, each once, oldest first."""
    entries = {(e["code"], e["at"]): e for e in known}
    for event in events:
        at = event.at.astimezone(timezone.utc).isoformat()
        entries.setdefault((event.code, at), {"code": event.code, "at": at, "note": event.note})
    return sorted(entries.values(), key=lambda e: e["at"])


def tracking_outcome(tracking: list[dict[str, Any]]) -> str | None:
    """'delivered' or 'returned' once the courier reports either; None while on the way."""
    return next((e["code"] for e in tracking if e["code"] in FINAL_TRACKING), None)


class LinkInvalid(Exception):
    """Not a link this service signed (or tampered with)."""


class LinkExpired(Exception):
    """A genuine link past its expiry."""


class LinkSigner:
    """Download links: the case, the delivery and the expiry, signed with HMAC-SHA256."""

    def __init__(self, secret: str):
        self._key = secret.encode()

    def sign(self, case_id: str, delivery_id: str, expires_at: datetime) -> str:
        claims = {"c": case_id, "d": delivery_id, "e": int(expires_at.timestamp())}
        body = _b64(json.dumps(claims, separators=(",", ":")).encode())
        return f"{body}.{self._mac(body)}"

    def verify(self, token: str, now: datetime) -> tuple[str, str]:
        body, _, mac = token.partition(".")
        if not mac or not hmac.compare_digest(mac, self._mac(body)):
            raise LinkInvalid("bad signature")
        try:
            claims = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
        except (ValueError, UnicodeDecodeError) as exc:
            raise LinkInvalid("bad body") from exc
        if now.timestamp() >= claims["e"]:
            raise LinkExpired(datetime.fromtimestamp(claims["e"], timezone.utc).isoformat())
        return claims["c"], claims["d"]

    def _mac(self, body: str) -> str:
        return _b64(hmac.new(self._key, body.encode(), hashlib.sha256).digest())


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")
