"""Delivery's use cases: exactly one delivery per concluded case (the result, or a rejection's written decision,
by the method the applicant chose), notices for acceptance, supplements and corrections."""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Callable

from services.delivery import commitments, decisions, methods, notify, telling
from services.delivery.domain import LinkSigner
from services.delivery.ports import Courier, Notifier, Ports
from services.delivery.templates import summary
from shared.attempts import Limits
from shared.audit import pseudonym, subject_key
from shared.catalog import Catalog, UnknownMatter, default_catalog
from shared.config import AttemptSettings, DeliverySettings, Settings
from shared.events import (
    CaseAccepted,
    CaseCompleted,
    CaseNotAccepted,
    CaseRejected,
    CommitmentDueSoon,
    CorrectionRequested,
    Event,
    LicenseChanged,
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
    public_base_url: str = ""  # where intake's status page is (settings.base_url("intake"))
    subject_key: bytes = b"yici-delivery-collectors"  # keys the pseudonyms of who may collect (audit_subject_key)

    @classmethod
    def build(cls, settings: Settings, store: Store, ports: Ports) -> "Context":
        delivery = settings.delivery
        signer = LinkSigner(delivery.link_secret or stored_secret(store))
        return cls(default_catalog(), delivery, settings.calendar(), today_in_shanghai, utcnow, signer,
                   delivery.download_base_url or settings.base_url("delivery"), ports.courier, ports.notifier,
                   settings.attempts.limits(), settings.base_url("intake"),
                   subject_key(settings.audit_subject_key, Path(settings.data_dir).resolve()))

    def pseudonym(self, id_number: str) -> str:
        """Who may collect, kept without the ID number itself (the same number gives the same pseudonym)."""
        return pseudonym(id_number, self.subject_key)

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

    def notice(self, uow: UnitOfWork, case_id: str, template: str, phone: str | None, ref: str = "",
               language: str = "zh", **values):
        """Queue a text in the applicant's `language` (zh, mn: the case's, carried by the events' contact)."""
        values = {"hall": self.settings.default_hall, "opening_hours": self.settings.opening_hours, **values}
        notify.queue(uow, self.now(), self.settings.sms_signature, case_id, template, phone, ref, language, **values)


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
               "phone": p.contact.phone, "language": p.contact.language,
               "track_url": telling.track_url(context.status_base_url, event.case_id, p.lookup_code)
               if p.lookup_code else None,
               "collectors": [context.pseudonym(p.holder_id)] if p.holder_id and p.holder_kind == "person" else []}
    methods.dispatch(uow, context, event.case_id, event.correlation_id, "result", details, p.delivery, p.contact.name)


def deliver_correction_notice(uow: UnitOfWork, event: CorrectionRequested, context: Context) -> None:
    """One message per correction notice, listing every deficiency and the deadline."""
    p = event.payload
    phone = p.contact.phone if p.contact else None
    context.notice(uow, event.case_id, "correction_notice", phone, ref=p.notice_id,
                   language=p.contact.language if p.contact else "zh",
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


HANDLERS = {CaseCompleted: deliver_result, CaseRejected: decisions.deliver_rejection,
            CorrectionRequested: deliver_correction_notice, CaseAccepted: telling.tell_acceptance,
            SupplementRequested: telling.tell_supplement, LicenseChanged: telling.tell_license_change,
            CaseNotAccepted: commitments.tell_not_accepted, CommitmentDueSoon: commitments.remind_commitment}


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
