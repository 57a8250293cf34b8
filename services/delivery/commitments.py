"""Texts about commitments followed (承诺制): the reminder of a deferred material's deadline, and the closing of an
application whose correction notice was not answered in time (不予受理). One message each, fixed by what it
announces: a repeated event queues nothing new."""
from __future__ import annotations

from typing import TYPE_CHECKING

from shared.events import CaseNotAccepted, CommitmentDueSoon
from shared.messaging import UnitOfWork

if TYPE_CHECKING:
    from services.delivery.handlers import Context


def remind_commitment(uow: UnitOfWork, event: CommitmentDueSoon, context: Context) -> None:
    """One reminder per deferred material (and deadline), naming the catalog's material names only."""
    p = event.payload
    phone = p.contact.phone if p.contact else None
    codes = "+".join(m.code for m in p.materials)
    context.notice(uow, event.case_id, "commitment_reminder", phone, ref=f"{codes}:{p.due_date.isoformat()}",
                   language=p.contact.language if p.contact else "zh",
                   matter_name=context.matter_name(p.matter_code), due_date=p.due_date.isoformat(),
                   materials="、".join(m.name or m.code for m in p.materials))


def tell_not_accepted(uow: UnitOfWork, event: CaseNotAccepted, context: Context) -> None:
    """The application is closed as not accepted: one notice, saying why and that one may apply again."""
    p = event.payload
    phone = p.contact.phone if p.contact else None
    context.notice(uow, event.case_id, "not_accepted_notice", phone, ref=p.notice_id or "",
                   language=p.contact.language if p.contact else "zh",
                   matter_name=context.matter_name(p.matter_code),
                   due_date=p.due_date.isoformat() if p.due_date else "规定期限")
