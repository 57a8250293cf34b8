"""A case's pre-review ends one of two ways: one correction notice listing everything, or acceptance."""
from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from services.intake import notices
from services.intake.review import Deficiency, Evidence, Review, review
from shared.events import CorrectionRequested
from shared.messaging import UnitOfWork

if TYPE_CHECKING:
    from services.intake.handlers import Context


def pre_review(uow: UnitOfWork, case, context: Context) -> Review:
    """The whole pre-review of the case as stored, against its uploaded files and the holder's e-licenses."""
    refs = [m["file_ref"] for m in case.materials if m.get("file_ref")]
    evidence = Evidence(uow.cases.file_digests(refs), uow.cases.license_types(case.holder_id, context.today()))
    return review(context.catalog, case.matter_code, case.situations, case.form, case.materials,
                  case.commitment, evidence)


def decide(uow: UnitOfWork, case, allowed: set[str] | None, context: Context) -> None:
    """Pre-review the case: one notice of what is wrong (only `allowed` targets, when given), or acceptance."""
    result = pre_review(uow, case, context)
    deficiencies = [d for d in result.deficiencies if allowed is None or d.target in allowed]
    if deficiencies:
        send_notice(uow, case, deficiencies, context)
    else:
        accept(uow, case, context.today(), "pre-review", result.deferred, context)


def send_notice(uow: UnitOfWork, case, deficiencies: list[Deficiency], context: Context) -> None:
    """The one correction notice: every deficiency, the deadline, the ways to supply."""
    due = context.calendar.due(context.today(), context.settings.correction_days)
    notice = notices.correction_notice(case, deficiencies, due)
    uow.cases.update(case.case_id, status="correction_requested", notice=notice,
                     notices=[*case.notices, notice])
    uow.emit(CorrectionRequested(case_id=case.case_id, payload={
        "notice_id": notice["notice_id"], "deficiencies": [d.as_dict() for d in deficiencies],
        "due_date": notice["due_date"], "matter_code": case.matter_code,
        "contact": {"name": case.applicant["name"], "phone": case.applicant.get("phone")}}))


def accept(uow: UnitOfWork, case, accepted_on: date, by: str, deferred, context: Context) -> None:
    """Accept the case (from `accepted_on`), record deferred materials' deadlines and start the approval."""
    matter = context.catalog.matter(case.matter_code)
    due = context.calendar.due(accepted_on, matter.promised_days)
    deferred_rows = [{"code": d.code, "name": d.name, "supplied": False,
                      "due_date": context.calendar.due(accepted_on, d.supply_days).date.isoformat()}
                     for d in deferred]
    uow.cases.update(case.case_id, status="accepted", accepted_on=accepted_on, accepted_by=by, notice=None,
                     deferred=deferred_rows, due_date=due.date, due_provisional=due.provisional)
    uow.emit(notices.case_accepted(case, context.catalog, accepted_on))
