"""Notifications: queued in the same transaction as the change they announce, sent after it commits.

The notification id is fixed by what it announces (case, template, reference), so a repeated event
queues nothing new, and the gateway sees the same id on every retry of a send.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from services.delivery.domain import retry_after
from services.delivery.ports import Notifier, SmsMessage
from services.delivery.templates import render
from shared.errors import TransientError
from shared.logging import get_logger
from shared.messaging import Store, UnitOfWork

log = get_logger(__name__)
MAX_ATTEMPTS = 8


def queue(uow, now: datetime, signature: str, case_id: str, template: str, phone: str | None, ref: str = "",
          language: str = "zh", **values) -> None:
    """Queue one message, in the applicant's language; without a phone number it is kept as `no_recipient` (the
    notice still exists)."""
    notification_id = ":".join(part for part in (case_id, template, ref) if part)
    uow.deliveries.notify({"notification_id": notification_id, "case_id": case_id, "template": template,
                           "phone": phone, "text": render(template, signature, language, case_id=case_id, **values),
                           "status": "pending" if phone else "no_recipient"}, now)


def send_pending(store: Store, notifier: Notifier, now: datetime, case_id: str | None = None) -> int:
    with store.unit_of_work() as uow:
        pending = uow.deliveries.pending_notifications(now, case_id=case_id)
    return send(store, notifier, now, pending)


def send(store: Store, notifier: Notifier, now: datetime, rows) -> int:
    """Send queued notifications; those the gateway took are marked sent together, in one transaction."""
    sent = []
    for row in rows:
        try:
            sent.append((row, notifier.send(SmsMessage(row.notification_id, row.phone, row.text))))
        except (TransientError, ConnectionError, TimeoutError) as exc:
            _failed(store, row, now, type(exc).__name__)
    if sent:
        store.run(_mark_sent, sent, now)
        for row, _ in sent:
            log.info("notification sent", case_id=row.case_id, template=row.template)
    return len(sent)


def _mark_sent(uow: UnitOfWork, sent: list, now: datetime) -> None:
    uow.deliveries.mark_notifications([(row.notification_id, {
        "status": "sent", "gateway_id": gateway_id, "sent_at": now, "phone": _masked(row.phone)})
        for row, gateway_id in sent])


def _failed(store: Store, row, now: datetime, error: str) -> None:
    attempts = row.attempts + 1
    values = {"attempts": attempts, "next_attempt_at": now + timedelta(seconds=retry_after(attempts))}
    if attempts >= MAX_ATTEMPTS:
        values["status"] = "failed"
    store.run(lambda uow: uow.deliveries.mark_notification(row.notification_id, **values))
    log.warning("notification not sent", case_id=row.case_id, template=row.template, error=error,
                attempts=attempts)


def _masked(phone: str | None) -> str | None:
    """Once sent, only the number's ends are kept."""
    return f"{phone[:3]}****{phone[-4:]}" if phone and len(phone) >= 7 else phone
