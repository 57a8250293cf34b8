"""Delivery's use cases: exactly one delivery per completed case, notices for rejections and corrections."""
from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Callable

from services.delivery import domain, notify
from services.delivery.domain import LinkSigner
from services.delivery.ports import Courier, Notifier, Ports
from services.delivery.templates import summary
from shared.attempts import Limits
from shared.catalog import Catalog, UnknownMatter, default_catalog
from shared.config import AttemptSettings, DeliverySettings, Settings
from shared.events import CaseCompleted, CaseRejected, CorrectionRequested, DeliveryDispatched, Event
from shared.messaging import Store, UnitOfWork, utcnow
from shared.workdays import WorkingCalendar, today_in_shanghai

CONSUMER = "delivery"


@dataclass(frozen=True)
class Context:
    """What delivery's use cases read besides the unit of work, and its ports: the courier and the SMS gateway."""
    catalog: Catalog
    settings: DeliverySettings
    calendar: WorkingCalendar
    today: Callable[[], date]
    now: Callable[[], datetime]
    signer: LinkSigner
    download_base_url: str
    courier: Courier
    notifier: Notifier
    attempt_limits: Limits = AttemptSettings().limits()

    @classmethod
    def build(cls, settings: Settings, store: Store, ports: Ports) -> "Context":
        delivery = settings.delivery
        signer = LinkSigner(delivery.link_secret or stored_secret(store))
        return cls(default_catalog(), delivery, settings.calendar(), today_in_shanghai, utcnow, signer,
                   delivery.download_base_url or settings.base_url("delivery"), ports.courier, ports.notifier,
                   settings.attempts.limits())

    def matter_name(self, code: str | None) -> str:
        try:
            return self.catalog.matter(code or "").name
        except UnknownMatter:
            return "政务服务事项"

    def hall(self, chosen: str | None) -> str:
        """The applicant's hall when the county named it, else the default one: only the system's own values
        go into a government-signed SMS (intake refuses other halls; older cases may still carry one)."""
        return chosen if chosen in self.settings.known_halls() else self.settings.default_hall

    def download_url(self, case_id: str, delivery_id: str, expires_at: datetime) -> str:
        token = self.signer.sign(case_id, delivery_id, expires_at)
        return f"{self.download_base_url.rstrip('/')}/api/v1/downloads/{token}"

    def notice(self, uow: UnitOfWork, case_id: str, template: str, phone: str | None, ref: str = "", **values):
        values = {"hall": self.settings.default_hall, "opening_hours": self.settings.opening_hours, **values}
        notify.queue(uow, self.now(), self.settings.sms_signature, case_id, template, phone, ref, **values)


_SECRETS: dict[int, str] = {}


def stored_secret(store: Store) -> str:
    """Without a configured secret: one generated once and kept in delivery's database (replicas share it)."""
    if id(store) not in _SECRETS:
        _SECRETS[id(store)] = store.run(lambda uow: uow.deliveries.secret("link_hmac", secrets.token_urlsafe(32)))
    return _SECRETS[id(store)]


def deliver_result(uow: UnitOfWork, event: CaseCompleted, context: Context) -> None:
    """Record the case's one delivery; a repeated completion finds it and does nothing.

    case_completed is the first event delivery hears of a case and carries all a delivery needs, so there is
    no record here to find a case unknown against (only routing emits it, once the case's plan completed)."""
    if uow.deliveries.exists(event.case_id):
        return
    p = event.payload
    details = {"matter_code": p.matter_code, "matter_name": context.matter_name(p.matter_code), "items": p.items,
               "licenses": p.licenses, "hall": context.hall(p.delivery.hall),
               "opening_hours": context.settings.opening_hours, "requested_method": p.delivery.method,
               "phone": p.contact.phone, "track_url": p.contact.track_url}
    delivery_id = str(uuid.uuid4())
    if p.delivery.method == "mail" and p.delivery.address:
        return _start_mail(uow, event.case_id, delivery_id, details, p)
    if p.delivery.method == "online":
        return _start_online(uow, context, event, delivery_id, details)
    code = domain.new_pickup_code()
    uow.deliveries.add(case_id=event.case_id, delivery_id=delivery_id, kind="result", method="pickup",
                       status=domain.AWAITING_PICKUP, pickup_code=code, tracking_number=None, details=details)
    _announce_pickup(uow, context, event.case_id, delivery_id, code, details, "pickup_ready", event.correlation_id)


def _start_mail(uow: UnitOfWork, case_id: str, delivery_id: str, details: dict, p) -> None:
    details.update(idempotency_key=domain.idempotency_key(delivery_id), address=p.delivery.address,
                   recipient=p.contact.name, attempts=0, tracking=[])
    uow.deliveries.add(case_id=case_id, delivery_id=delivery_id, kind="result", method="mail",
                       status=domain.BOOKING, pickup_code=None, tracking_number=None, details=details)


def _start_online(uow: UnitOfWork, context: Context, event: CaseCompleted, delivery_id: str, details: dict) -> None:
    expires_at = context.now() + timedelta(days=context.settings.link_ttl_days)
    details["link_expires_at"] = expires_at.isoformat()
    uow.deliveries.add(case_id=event.case_id, delivery_id=delivery_id, kind="result", method="online",
                       status=domain.AVAILABLE, pickup_code=None, tracking_number=None, details=details)
    uow.emit(DeliveryDispatched(case_id=event.case_id, correlation_id=event.correlation_id, payload={
        "delivery_id": delivery_id, "method": "online", "expires_at": expires_at}))
    context.notice(uow, event.case_id, "online_ready", details["phone"], matter_name=details["matter_name"],
                   download_url=context.download_url(event.case_id, delivery_id, expires_at),
                   expires_on=expires_at.date().isoformat(), track_url=details.get("track_url"))


def start_pickup(uow: UnitOfWork, case_id: str, template: str, reason: str, context: Context) -> None:
    """Give the (locked, recorded) delivery a pickup code at its hall, announce it and tell the applicant."""
    row = uow.deliveries.get(case_id)
    details, code = dict(row.details), domain.new_pickup_code()
    details["hall"] = context.hall(details.get("hall"))
    uow.deliveries.change(case_id, row.status, method="pickup", status=domain.AWAITING_PICKUP, pickup_code=code,
                          details=details)
    _announce_pickup(uow, context, case_id, row.delivery_id, code, details, template, None, reason)


def _announce_pickup(uow: UnitOfWork, context: Context, case_id: str, delivery_id: str, code: str, details: dict,
                     template: str, correlation_id: str | None, reason: str | None = None) -> None:
    uow.emit(DeliveryDispatched(case_id=case_id, correlation_id=correlation_id, payload={
        "delivery_id": delivery_id, "method": "pickup", "pickup_code": code, "hall": details["hall"],
        "reason": reason}))
    context.notice(uow, case_id, template, details.get("phone"), matter_name=details["matter_name"],
                   pickup_code=code, hall=details["hall"], track_url=details.get("track_url"))


def deliver_rejection(uow: UnitOfWork, event: CaseRejected, context: Context) -> None:
    """The rejection is the case's one result: a notice, kept and sent once."""
    if uow.deliveries.exists(event.case_id):
        return
    p = event.payload
    name = context.matter_name(p.matter_code)
    uow.deliveries.add(case_id=event.case_id, delivery_id=str(uuid.uuid4()), kind="rejection_notice",
                       method="online", status=domain.NOTIFIED, pickup_code=None, tracking_number=None,
                       details={"matter_code": p.matter_code, "matter_name": name, "reasons": p.reasons,
                                "item_code": p.item_code, "department": p.department})
    context.notice(uow, event.case_id, "rejection_notice", p.contact.phone, matter_name=name,
                   reasons="；".join(p.reasons) or "详见不予许可决定书")


def deliver_correction_notice(uow: UnitOfWork, event: CorrectionRequested, context: Context) -> None:
    """One message per correction notice, listing every deficiency and the deadline."""
    p = event.payload
    phone = p.contact.phone if p.contact else None
    context.notice(uow, event.case_id, "correction_notice", phone, ref=p.notice_id,
                   matter_name=context.matter_name(p.matter_code), count=len(p.deficiencies),
                   summary=summary([_deficiency_text(d, context.catalog) for d in p.deficiencies]),
                   due_date=p.due_date.isoformat() if p.due_date else "规定期限")


def _deficiency_text(deficiency, catalog: Catalog) -> str:
    """What the SMS says of one deficiency: pre-review's own words (from the catalog), but for one a clerk wrote
    only the catalog's name of what it concerns: a person's free text never goes out under the signature."""
    if deficiency.code != "clerk":
        return str(deficiency.message_zh)
    kind, _, code = deficiency.target.partition(".")
    if kind == "materials" and code in catalog.materials:
        return f"请补正材料：{catalog.materials[code].name}"
    return "请补正表单内容" if kind == "form" else "请补正材料"


HANDLERS = {CaseCompleted: deliver_result, CaseRejected: deliver_rejection,
            CorrectionRequested: deliver_correction_notice}


def handle_batch(uow: UnitOfWork, events: list[Event], context: Context) -> None:
    """Handle a batch's events in order, whether its cases have a delivery already looked up together."""
    results = sorted({e.case_id for e in events if type(e) in (CaseCompleted, CaseRejected)})
    if results:
        uow.deliveries.look_up(results)
    for event in events:
        handle(uow, event, context)


def in_case_order(events: list[Event]) -> list[Event]:
    """A batch takes rows in case-id order (replicas cannot deadlock); one case's events keep their order."""
    return sorted(events, key=lambda e: e.case_id)


def handle(uow: UnitOfWork, event: Event, context: Context) -> None:
    handler = HANDLERS.get(type(event))
    if handler is not None:
        handler(uow, event, context)
