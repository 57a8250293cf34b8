"""The ways a result (or a rejection's written decision) goes out: pickup with a code, free mail (booked after
the commit, see mail.py), or a signed download link; each announced and texted with its own template."""
from __future__ import annotations

import uuid
from datetime import timedelta
from typing import TYPE_CHECKING

from services.delivery import domain
from shared.events import DeliveryDispatched
from shared.messaging import UnitOfWork

if TYPE_CHECKING:
    from services.delivery.handlers import Context


def dispatch(uow: UnitOfWork, context: "Context", case_id: str, correlation_id: str | None, kind: str,
              details: dict, choice, recipient: str) -> None:
    """Record the case's one delivery by the chosen method: mail (booked after commit), online, or pickup."""
    delivery_id = str(uuid.uuid4())
    if choice.method == "mail" and choice.address:
        return _start_mail(uow, case_id, delivery_id, kind, details, choice.address, recipient)
    if choice.method == "online":
        return _start_online(uow, context, case_id, correlation_id, delivery_id, kind, details)
    code = domain.new_pickup_code()
    uow.deliveries.add(case_id=case_id, delivery_id=delivery_id, kind=kind, method="pickup",
                       status=domain.AWAITING_PICKUP, pickup_code=code, tracking_number=None, details=details)
    _announce_pickup(uow, context, case_id, delivery_id, code, details, template(details, "pickup_ready"),
                     correlation_id)


def template(details: dict, name: str) -> str:
    """The SMS template for this delivery's step: a written decision has its own wording."""
    return details.get("templates", {}).get(name, name)


def _start_mail(uow: UnitOfWork, case_id: str, delivery_id: str, kind: str, details: dict, address: str,
                recipient: str) -> None:
    details.update(idempotency_key=domain.idempotency_key(delivery_id), address=address,
                   recipient=recipient, attempts=0, tracking=[])
    uow.deliveries.add(case_id=case_id, delivery_id=delivery_id, kind=kind, method="mail",
                       status=domain.BOOKING, pickup_code=None, tracking_number=None, details=details)


def _start_online(uow: UnitOfWork, context: "Context", case_id: str, correlation_id: str | None, delivery_id: str,
                  kind: str, details: dict) -> None:
    expires_at = context.now() + timedelta(days=context.settings.link_ttl_days)
    details["link_expires_at"] = expires_at.isoformat()
    uow.deliveries.add(case_id=case_id, delivery_id=delivery_id, kind=kind, method="online",
                       status=domain.AVAILABLE, pickup_code=None, tracking_number=None, details=details)
    uow.emit(DeliveryDispatched(case_id=case_id, correlation_id=correlation_id, payload={
        "delivery_id": delivery_id, "method": "online", "expires_at": expires_at}))
    context.notice(uow, case_id, template(details, "online_ready"), details["phone"],
                   language=details.get("language", "zh"), matter_name=details["matter_name"], download_url=context.download_url(case_id, delivery_id,
                                                                                         expires_at),
                   expires_on=expires_at.date().isoformat(), track_url=details.get("track_url"))


def start_pickup(uow: UnitOfWork, case_id: str, template: str, reason: str, context: "Context") -> None:
    """Give the (locked, recorded) delivery a pickup code at its hall, announce it and tell the applicant."""
    row = uow.deliveries.get(case_id)
    details, code = dict(row.details), domain.new_pickup_code()
    details["hall"] = context.hall(details.get("hall"))
    uow.deliveries.change(case_id, row.status, method="pickup", status=domain.AWAITING_PICKUP, pickup_code=code,
                          details=details)
    _announce_pickup(uow, context, case_id, row.delivery_id, code, details, template, None, reason)


def _announce_pickup(uow: UnitOfWork, context: "Context", case_id: str, delivery_id: str, code: str, details: dict,
                     template: str, correlation_id: str | None, reason: str | None = None) -> None:
    uow.emit(DeliveryDispatched(case_id=case_id, correlation_id=correlation_id, payload={
        "delivery_id": delivery_id, "method": "pickup", "pickup_code": code, "hall": details["hall"],
        "reason": reason}))
    context.notice(uow, case_id, template, details.get("phone"),
                   language=details.get("language", "zh"), matter_name=details["matter_name"],
                   pickup_code=code, hall=details["hall"], track_url=details.get("track_url"))
