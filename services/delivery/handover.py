"""The result changes hands: a clerk confirms a pickup, or the applicant downloads it with a signed link."""
from __future__ import annotations

from datetime import timedelta

from services.delivery import domain
from services.delivery.domain import LinkExpired, LinkInvalid, PickupAttempt
from services.delivery.handlers import Context
from shared import attempts
from shared.attempts import Attempt
from shared.errors import Conflict, Gone, NotFound
from shared.events import DeliveryCompleted
from shared.messaging import UnitOfWork


def confirm_pickup(uow: UnitOfWork, case_id: str, pickup_code: str, clerk: str, context: Context,
                   client_address: str = "", id_number: str | None = None,
                   id_required: bool = False) -> PickupAttempt:
    """Hand the result over once; confirming again returns the same answer. A wrong code is counted, against
    the case and the clerk's address (and refused once that is committed: see PickupAttempt); after too many,
    the case's code is locked for a while (429), the right one too.

    The collector's ID (`id_number`) is checked with the right code: a person's case goes only to that person
    (the holder recorded at completion), so the number is required then and must match; when given for another
    case (a company's), it must at least be a valid resident ID. `id_required`: always ask for it (the hall's
    hand-over screen). The slip keeps the number masked, the delivery only its pseudonym."""
    attempt = Attempt("pickup", client_address or f"clerk:{clerk}", case_id, "pickup_code", label=case_id)
    now = context.now().timestamp()
    attempts.check(uow.attempts, context.attempt_limits, attempt, now)
    row = _delivery(uow, case_id)
    if row.status == domain.PICKED_UP:
        return PickupAttempt(_handed_over(row))
    if row.status != domain.AWAITING_PICKUP:
        raise Conflict("case_id", "not_awaiting_pickup", "该办件不在待领取状态",
                       f"the delivery is {row.status}, not awaiting pickup")
    if not domain.codes_match(pickup_code, row.pickup_code):
        attempts.failed(uow.attempts, context.attempt_limits, attempt, now)
        failures = row.details.get("pickup_failures", 0) + 1
        uow.deliveries.change(case_id, row.status, details={**row.details, "pickup_failures": failures})
        return PickupAttempt(None)
    collector = domain.check_collector(id_number, row.details.get("collectors") or [], context.pseudonym,
                                       id_required)
    details = {**row.details, "handed_over_by": clerk, "handed_over_at": context.now().isoformat(), **collector}
    uow.deliveries.change(case_id, domain.AWAITING_PICKUP, status=domain.PICKED_UP, details=details)
    uow.emit(DeliveryCompleted(case_id=case_id, payload={"delivery_id": row.delivery_id, "method": "pickup"}))
    return PickupAttempt(_handed_over(uow.deliveries.get(case_id)))


def _handed_over(row) -> dict:
    return {"case_id": row.case_id, "status": row.status, "handed_over_by": row.details.get("handed_over_by"),
            "handed_over_at": row.details.get("handed_over_at"),
            "collector": row.details.get("collector")}


def find_by_code(uow: UnitOfWork, pickup_code: str, clerk: str, context: Context,
                 client_address: str = "") -> list:
    """The deliveries awaiting pickup under this code (the hall's screen finds a case by the code the applicant
    shows). None found is counted like a wrong code (against the clerk's address), and answered empty once
    that is committed; past the limits, 429."""
    attempt = Attempt("pickup", client_address or f"clerk:{clerk}", "search", "pickup_code", label="search")
    now = context.now().timestamp()
    attempts.check(uow.attempts, context.attempt_limits, attempt, now)
    found = uow.deliveries.awaiting_with_code(pickup_code.strip())
    if not found:
        attempts.failed(uow.attempts, context.attempt_limits, attempt, now)
    return found


def download(uow: UnitOfWork, token: str, context: Context) -> dict:
    """The result bundle behind a genuine, unexpired link; the first download completes the delivery."""
    case_id, delivery_id = _verified(token, context)
    row = uow.deliveries.get(case_id, for_update=True)
    if row is None or row.delivery_id != delivery_id:
        raise NotFound("link", "download link")
    if row.status == domain.AVAILABLE:
        uow.deliveries.change(case_id, domain.AVAILABLE, status=domain.DOWNLOADED,
                              details={**row.details, "downloaded_at": context.now().isoformat()})
        uow.emit(DeliveryCompleted(case_id=case_id, payload={"delivery_id": delivery_id, "method": "online"}))
    return bundle(row, context.download_base_url)


def _verified(token: str, context: Context) -> tuple[str, str]:
    """The case and delivery a link names; a link not signed here is not found, an expired one is gone."""
    try:
        return context.signer.verify(token, context.now())
    except LinkInvalid:
        raise NotFound("link", "download link") from None
    except LinkExpired as exc:
        raise Gone("link", "link_expired", "下载链接已过期，请重新获取", f"the link expired at {exc}") from None


def bundle(row, base_url: str) -> dict:
    """The result documents: the e-licenses (verifiable at approval's public endpoint) and the outcome."""
    d = row.details
    if row.kind == "rejection_decision":
        return {"case_id": row.case_id, "matter_code": d.get("matter_code"), "matter_name": d.get("matter_name"),
                "result": "不予行政许可", "decision_document": d.get("decision_document"),
                "approved_items": d.get("approved_items", [])}
    return {"case_id": row.case_id, "matter_code": d.get("matter_code"), "matter_name": d.get("matter_name"),
            "items": d.get("items", []), "result": "办结（准予许可）",
            "licenses": [{"number": n, "verify_url": f"{base_url.rstrip('/')}/api/v1/licenses/{n}/verify"}
                         for n in d.get("licenses", [])]}


def reissue_link(uow: UnitOfWork, case_id: str, context: Context) -> dict:
    """A fresh link for an online delivery (the old one keeps working until it expires)."""
    row = _delivery(uow, case_id)
    if row.method != "online":
        raise Conflict("case_id", "not_online", "该办件不是网上送达", f"the delivery is by {row.method}")
    expires_at = context.now() + timedelta(days=context.settings.link_ttl_days)
    uow.deliveries.change(case_id, row.status, details={**row.details, "link_expires_at": expires_at.isoformat()})
    return {"case_id": case_id, "download_url": context.download_url(case_id, row.delivery_id, expires_at),
            "expires_at": expires_at}


def _delivery(uow: UnitOfWork, case_id: str):
    row = uow.deliveries.get(case_id, for_update=True)
    if row is None:
        raise NotFound("case_id", case_id)
    return row
