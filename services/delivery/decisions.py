"""A rejection is the case's one result: its written decision (不予行政许可决定书, sealed by the deciding department)
goes out by the method the applicant chose, once (the one row per case), and the applicant is told where to read
and print it (intake's /track/{case_id}/decision with the lookup code)."""
from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from services.delivery import domain, methods, telling
from services.delivery.templates import HOW
from shared.events import CaseRejected
from shared.messaging import UnitOfWork

if TYPE_CHECKING:
    from services.delivery.handlers import Context


def deliver_rejection(uow: UnitOfWork, event: CaseRejected, context: "Context") -> None:
    """The rejection is the case's one result: its written decision goes out by the method the applicant chose
    (once: the one row per case), and the applicant is told where to read and print it."""
    if uow.deliveries.exists(event.case_id):
        return
    p = event.payload
    name = context.matter_name(p.matter_code)
    details: dict[str, Any] = {"matter_code": p.matter_code, "matter_name": name, "reasons": p.reasons,
                               "item_code": p.item_code, "department": p.department, "phone": p.contact.phone,
                               "language": p.contact.language}
    if p.delivery is None or p.decision_document is None:
        return _notice_only(uow, event, details, context)
    number = p.decision_document.get("content", {}).get("number", "")
    details.update(decision_document=p.decision_document, legal_basis=p.legal_basis, document_number=number,
                   approved_items=[i.model_dump(mode="json") for i in p.approved_items],
                   contents=f"不予行政许可决定书（{number}）", hall=context.hall(p.delivery.hall),
                   templates=DECISION_TEMPLATES)
    decision_url = telling.track_url(context.status_base_url, event.case_id, p.lookup_code, "/decision")
    context.notice(uow, event.case_id, "rejection_notice", p.contact.phone, language=p.contact.language,
                   matter_name=name,
                   document_number=number, how=HOW[_method(p.delivery)], decision_url=decision_url)
    methods.dispatch(uow, context, event.case_id, event.correlation_id, "rejection_decision", details,
                     p.delivery, p.contact.name)


def _notice_only(uow: UnitOfWork, event: CaseRejected, details: dict[str, Any], context: "Context") -> None:
    """A rejection from before written decisions (no decision, no delivery choice): a notice, as it was then."""
    p = event.payload
    uow.deliveries.add(case_id=event.case_id, delivery_id=str(uuid.uuid4()), kind="rejection_notice",
                       method="online", status=domain.NOTIFIED, pickup_code=None, tracking_number=None,
                       details=details)
    context.notice(uow, event.case_id, "rejection_notice_only", p.contact.phone, language=p.contact.language,
                   matter_name=details["matter_name"],
                   reasons="；".join(p.reasons) or "详见不予许可决定书")


DECISION_TEMPLATES = {"pickup_ready": "decision_pickup_ready", "online_ready": "decision_online_ready",
                      "mail_dispatched": "decision_mail_dispatched", "mail_delivered": "decision_mail_delivered"}


def _method(choice) -> str:
    return "mail" if choice.method == "mail" and choice.address else choice.method
