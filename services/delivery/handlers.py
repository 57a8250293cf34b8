"""Delivery's use cases: exactly one delivery per concluded case (the result, or a rejection's written decision,
by the method the applicant chose), notices for acceptance, supplements and corrections."""
from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Callable

from services.delivery import domain, notify, telling
from services.delivery.domain import LinkSigner
from services.delivery.ports import Courier, Notifier, Ports
from services.delivery.templates import HOW, summary
from shared.attempts import Limits
from shared.catalog import Catalog, UnknownMatter, default_catalog
from shared.config import AttemptSettings, DeliverySettings, Settings
from shared.events import (
    CaseAccepted,
    CaseCompleted,
    CaseRejected,
    CorrectionRequested,
    DeliveryDispatched,
    Event,
    SupplementRequested,
)
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
    public_base_url: str = ""  # where intake's status page is (default: download_base_url)

    @classmethod
    def build(cls, settings: Settings, store: Store, ports: Ports) -> "Context":
        delivery = settings.delivery
        signer = LinkSigner(delivery.link_secret or stored_secret(store))
        return cls(default_catalog(), delivery, settings.calendar(), today_in_shanghai, utcnow, signer,
                   delivery.download_base_url or settings.public_base_url, ports.courier, ports.notifier,
                   settings.attempts.limits(), settings.public_base_url)

    @property
    def status_base_url(self) -> str:
        return self.public_base_url or self.download_base_url

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

    case_completed carries all a delivery needs, so there is no record here to find a case unknown against
    (only routing emits it, once the case's plan completed)."""
    if uow.deliveries.exists(event.case_id):
        return
    p = event.payload
    details = {"matter_code": p.matter_code, "matter_name": context.matter_name(p.matter_code), "items": p.items,
               "licenses": p.licenses, "hall": context.hall(p.delivery.hall),
               "opening_hours": context.settings.opening_hours, "requested_method": p.delivery.method,
               "phone": p.contact.phone}
    _dispatch(uow, context, event.case_id, event.correlation_id, "result", details, p.delivery, p.contact.name)


def _dispatch(uow: UnitOfWork, context: Context, case_id: str, correlation_id: str | None, kind: str,
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


def _start_online(uow: UnitOfWork, context: Context, case_id: str, correlation_id: str | None, delivery_id: str,
                  kind: str, details: dict) -> None:
    expires_at = context.now() + timedelta(days=context.settings.link_ttl_days)
    details["link_expires_at"] = expires_at.isoformat()
    uow.deliveries.add(case_id=case_id, delivery_id=delivery_id, kind=kind, method="online",
                       status=domain.AVAILABLE, pickup_code=None, tracking_number=None, details=details)
    uow.emit(DeliveryDispatched(case_id=case_id, correlation_id=correlation_id, payload={
        "delivery_id": delivery_id, "method": "online", "expires_at": expires_at}))
    context.notice(uow, case_id, template(details, "online_ready"), details["phone"],
                   matter_name=details["matter_name"], download_url=context.download_url(case_id, delivery_id,
                                                                                         expires_at),
                   expires_on=expires_at.date().isoformat())


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
                   pickup_code=code, hall=details["hall"])


def deliver_rejection(uow: UnitOfWork, event: CaseRejected, context: Context) -> None:
    """The rejection is the case's one result: its written decision goes out by the method the applicant chose
    (once: the one row per case), and the applicant is told where to read and print it."""
    if uow.deliveries.exists(event.case_id):
        return
    p = event.payload
    name = context.matter_name(p.matter_code)
    details = {"matter_code": p.matter_code, "matter_name": name, "reasons": p.reasons, "item_code": p.item_code,
               "department": p.department, "phone": p.contact.phone}
    if p.delivery is None or p.decision_document is None:  # a rejection from before written decisions
        uow.deliveries.add(case_id=event.case_id, delivery_id=str(uuid.uuid4()), kind="rejection_notice",
                           method="online", status=domain.NOTIFIED, pickup_code=None, tracking_number=None,
                           details=details)
        return context.notice(uow, event.case_id, "rejection_notice_only", p.contact.phone, matter_name=name,
                              reasons="；".join(p.reasons) or "详见不予许可决定书")
    number = p.decision_document.get("content", {}).get("number", "")
    details.update(decision_document=p.decision_document, legal_basis=p.legal_basis, document_number=number,
                   approved_items=[i.model_dump(mode="json") for i in p.approved_items],
                   contents=f"不予行政许可决定书（{number}）", hall=context.hall(p.delivery.hall),
                   templates=DECISION_TEMPLATES)
    decision_url = telling.track_url(context.status_base_url, event.case_id, p.lookup_code).replace(
        f"/track/{event.case_id}", f"/track/{event.case_id}/decision", 1)
    context.notice(uow, event.case_id, "rejection_notice", p.contact.phone, matter_name=name,
                   document_number=number, how=HOW[_method(p.delivery)], decision_url=decision_url)
    _dispatch(uow, context, event.case_id, event.correlation_id, "rejection_decision", details, p.delivery,
              p.contact.name)


DECISION_TEMPLATES = {"pickup_ready": "decision_pickup_ready", "online_ready": "decision_online_ready",
                      "mail_dispatched": "decision_mail_dispatched", "mail_delivered": "decision_mail_delivered"}


def _method(choice) -> str:
    return "mail" if choice.method == "mail" and choice.address else choice.method


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
            CorrectionRequested: deliver_correction_notice, CaseAccepted: telling.tell_acceptance,
            SupplementRequested: telling.tell_supplement}


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
