"""A case's pre-review ends one of two ways: one correction notice listing everything, or acceptance."""
from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from services.intake import notices
from services.intake.library import Answer, Wanted, with_registry
from services.intake.review import Deficiency, Evidence, Review, library_entries, review
from shared.events import CorrectionRequested
from shared.messaging import UnitOfWork

if TYPE_CHECKING:
    from services.intake.handlers import Context


def pre_review(uow: UnitOfWork, case, context: Context, final: bool = False) -> Review:
    """The whole pre-review of the case as stored, against its uploaded files and what the e-license library
    and the shared-data exchange supply. `final`: a source still down counts as not fetched (no more waiting)."""
    result, answer = review_of(uow, case, context, final)
    uow.cases.update(case.case_id, material_sources=answer.found)
    return result


def review_of(uow: UnitOfWork, case, context: Context, final: bool = False) -> tuple[Review, Answer]:
    """The pre-review of `case` (a stored case, or an application not stored yet: anything with matter_code,
    situations, form, materials, commitment and holder_id), and what the sources answered; nothing is written.
    The window workbench shows it live while the clerk fills the form."""
    refs = [m["file_ref"] for m in case.materials if m.get("file_ref")]
    answer = lookup(uow, case, context)
    waiting = {} if final else answer.unavailable
    not_fetched = {**answer.not_found, **({code: f"unavailable: {why}" for code, why in answer.unavailable.items()}
                                          if final else {})}
    evidence = Evidence(uow.cases.file_digests(refs), set(), answer.found, not_fetched, waiting)
    result = review(context.catalog, case.matter_code, case.situations, case.form, case.materials,
                    case.commitment, evidence)
    return replace(result, unavailable=answer.unavailable), answer


def lookup(uow: UnitOfWork, case, context: Context) -> Answer:
    """Ask the own registry, then the configured library and exchange, for what the applicant need not bring."""
    given = {m["code"] for m in case.materials if m.get("file_ref")}
    wanted = [Wanted(e.code, e.license_type if e.source == "license_registry" else None)
              for e in library_entries(context.catalog, case.matter_code, case.situations) if e.code not in given]
    return with_registry(context.library(), uow.cases).fetch(case.holder_id, wanted, context.today())


def decide(uow: UnitOfWork, case, allowed: set[str] | None, context: Context, final: bool = False) -> None:
    """Pre-review the case: one notice of what is wrong (only `allowed` targets, when given), or acceptance; or,
    while a library that should supply a material is down, hold the case for the lookup (the clerk sees why)."""
    result = pre_review(uow, case, context, final)
    pending = [d for d in result.deficiencies if d.code == "material.lookup_pending"]
    if pending and not final:
        hold(uow, case, pending, result.unavailable, allowed, context)
        return
    deficiencies = [d for d in result.deficiencies if allowed is None or d.target in allowed]
    if deficiencies:
        send_notice(uow, case, deficiencies, context)
    else:
        accept(uow, case, context.today(), "pre-review", result.deferred, context)


def hold(uow: UnitOfWork, case, pending: list[Deficiency], down: dict[str, str], allowed: set[str] | None,
         context: Context) -> None:
    """The case waits (in its status: submitted, or correction_requested when a supplement is reviewed) for the
    library, at most `hold_minutes` from the first attempt; the clerk sees which source is down and why."""
    now = context.now()
    held: dict = case.lookup if (case.lookup or {}).get("pending") else {
        "pending": True, "since": now.isoformat(), "attempts": 0,
        "until": (now + timedelta(minutes=context.settings.library.hold_minutes)).isoformat()}
    uow.cases.update(case.case_id, lookup_pending=True, lookup={
        **held, "attempts": held["attempts"] + 1, "last_attempt": now.isoformat(),
        "materials": [d.target.removeprefix("materials.") for d in pending],
        "sources_down": sorted(set(down.values())), "allowed": sorted(allowed) if allowed is not None else None,
        "reason_zh": "电子证照库（数据共享平台）暂时无法访问，待调取后自动审查",
        "reason_en": "the e-license library or shared-data exchange is down: reviewed once it answers"})


def retry_held(uow: UnitOfWork, case, context: Context) -> None:
    """Look a held case up again; past its deadline, what is still not fetched goes into the one notice."""
    final = context.now() >= datetime.fromisoformat(case.lookup["until"])
    allowed = case.lookup.get("allowed")
    decide(uow, case, set(allowed) if allowed is not None else None, context, final=final)


def send_notice(uow: UnitOfWork, case, deficiencies: list[Deficiency], context: Context) -> None:
    """The one correction notice: every deficiency, the deadline, the ways to supply."""
    due = context.calendar.due(context.today(), context.settings.correction_days)
    notice = notices.correction_notice(case, deficiencies, due, context.catalog)
    uow.cases.update(case.case_id, status="correction_requested", notice=notice,
                     notices=[*case.notices, notice], lookup=_released(case), lookup_pending=False)
    uow.emit(CorrectionRequested(case_id=case.case_id, payload={
        "notice_id": notice["notice_id"], "deficiencies": [d.as_dict() for d in deficiencies],
        "due_date": notice["due_date"], "matter_code": case.matter_code,
        "contact": {"name": case.applicant["name"], "phone": case.applicant.get("phone"),
                        "language": getattr(case, "language", None) or "zh"}}))


def accept(uow: UnitOfWork, case, accepted_on: date, by: str, deferred, context: Context) -> None:
    """Accept the case (from `accepted_on`), record deferred materials' deadlines and start the approval."""
    matter = context.catalog.matter(case.matter_code)
    due = context.calendar.due(accepted_on, matter.promised_days)
    deferred_rows = [{"code": d.code, "name": d.name, "supplied": False, "supply_days": d.supply_days,
                      "due_date": context.calendar.due(accepted_on, d.supply_days).date.isoformat()}
                     for d in deferred]
    uow.cases.update(case.case_id, status="accepted", accepted_on=accepted_on, accepted_by=by, notice=None,
                     lookup=_released(case), lookup_pending=False, deferred=deferred_rows, due_date=due.date,
                     due_provisional=due.provisional)
    uow.emit(notices.case_accepted(case, context.catalog, accepted_on, due.date, deferred_rows))


def _released(case) -> dict | None:
    """The lookup record once the case no longer waits: kept (not pending) so the clerk sees it waited."""
    return {**case.lookup, "pending": False} if case.lookup else None
