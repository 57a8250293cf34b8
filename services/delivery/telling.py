"""What the applicant is told while the case runs: its acceptance, and a department's supplement request.

Each text comes from the templates with the system's own values only (the catalog's names, dates, the status
page's link); its id is fixed by what it announces (the case's acceptance; the item and round suspended), so a
repeated event queues nothing new and a retried send reaches the gateway under the same id."""
from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import quote

from services.delivery.templates import LICENSE_CHANGES
from shared.events import CaseAccepted, LicenseChanged, SupplementRequested
from shared.i18n import translate_in
from shared.messaging import UnitOfWork

if TYPE_CHECKING:
    from services.delivery.handlers import Context


def track_url(base_url: str, case_id: str, lookup_code: str | None, page: str = "") -> str:
    """The applicant's status page (intake's /track/{case_id}?code=), or a page under it (`/decision`)."""
    url = f"{base_url.rstrip('/')}/track/{quote(case_id)}{page}"
    return f"{url}?code={quote(lookup_code)}" if lookup_code else url


def tell_acceptance(uow: UnitOfWork, event: CaseAccepted, context: "Context") -> None:
    """Once per case: accepted, the promised deadline, where to follow it."""
    p = event.payload
    due = p.due_date or context.calendar.due(p.accepted_on, p.promised_days).date
    context.notice(uow, event.case_id, "acceptance_notice", p.contact.phone, language=p.contact.language,
                   matter_name=context.matter_name(p.matter_code), due_date=due.isoformat(),
                   track_url=track_url(context.status_base_url, event.case_id, p.lookup_code))


def tell_supplement(uow: UnitOfWork, event: SupplementRequested, context: "Context") -> None:
    """Once per item and round: a department asks for a supplement, by when, and where the request is read
    (the department's own words are shown on the status page, never put under the government's signature)."""
    p = event.payload
    item = context.catalog.items.get(p.item_code)
    context.notice(uow, event.case_id, "supplement_request", p.contact.phone, ref=f"{p.item_code}:{p.round}",
                   language=p.contact.language,
                   matter_name=context.matter_name(p.matter_code), item_name=item.name if item else "审批事项",
                   due_date=p.due_date.isoformat(),
                   track_url=track_url(context.status_base_url, event.case_id, p.lookup_code))


def tell_license_change(uow: UnitOfWork, event: LicenseChanged, context: "Context") -> None:
    """Once per change: the applicant of the case that earned the license learns it was revoked (with the
    remedies), corrected or replaced (with the new number). The phone is the one the case's result went to; a
    license of a case this service never delivered has nobody to tell here."""
    delivery = uow.deliveries.get(event.case_id)
    details = (delivery.details or {}) if delivery is not None else {}
    if not details.get("phone"):
        return
    p = event.payload
    material = context.catalog.materials.get(p.license_type)
    language = details.get("language", "zh")
    what = translate_in(language, LICENSE_CHANGES[p.action]).format(changed_on=p.changed_on.isoformat(),
                                                                     replaced_by=p.replaced_by or "")
    context.notice(uow, event.case_id, "license_changed", details["phone"], ref=f"{p.number}:{p.action}",
                   language=language,
                   matter_name=context.matter_name(details.get("matter_code", "")),
                   license_name=material.name if material else "电子证照", number=p.number, what=what)
