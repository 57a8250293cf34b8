"""Read side of delivery: the delivery of a case, and what the applicant was told."""
from __future__ import annotations

from shared.errors import NotFound
from shared.messaging import Store

PUBLIC_DETAILS = ("hall", "opening_hours", "courier", "tracking", "link_expires_at", "matter_name", "rerouted",
                  "handed_over_at", "handed_over_by", "contents", "document_number")


def delivery_view(store: Store, case_id: str, reveal_code: bool = True) -> dict:
    """The delivery; the pickup code only for the applicant's front end (a clerk is shown it by the applicant)."""
    with store.unit_of_work() as uow:
        row = uow.deliveries.get(case_id)
    if row is None:
        raise NotFound("case_id", case_id)
    return {"case_id": row.case_id, "delivery_id": row.delivery_id, "kind": row.kind, "method": row.method,
            "requested_method": row.details.get("requested_method", row.method), "status": row.status,
            "pickup_code": row.pickup_code if reveal_code else None, "tracking_number": row.tracking_number,
            **{k: row.details[k] for k in PUBLIC_DETAILS if row.details.get(k) is not None}}


def notifications_view(store: Store, case_id: str) -> dict:
    with store.unit_of_work() as uow:
        rows = uow.deliveries.notifications(case_id)
    return {"case_id": case_id, "notifications": [
        {"notification_id": r.notification_id, "template": r.template, "status": r.status, "text": r.text,
         "attempts": r.attempts, "created_at": r.created_at, "sent_at": r.sent_at} for r in rows]}
