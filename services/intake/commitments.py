"""Commitments followed (承诺制): deferred materials supplied (also after completion), and a correction notice
not answered in time closing the application as not accepted (不予受理, 逾期未补正).

Oversight watches each supply deadline (services/oversight/commitments.py); intake tells it what was supplied.
"""
from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from services.intake.domain import merge_materials
from services.intake.notices import committed
from shared.errors import Gone, Invalid, problem
from shared.events import CaseNotAccepted, DeferredSupplied
from shared.messaging import UnitOfWork

if TYPE_CHECKING:
    from services.intake.handlers import Context

# a deferred material may be supplied once the case is accepted, during approval and after its conclusion
SUPPLYING_STATUSES = ("accepted", "in_approval", "completed", "delivered")


def expects_deferred(case) -> bool:
    return case.status in SUPPLYING_STATUSES and any(not d["supplied"] for d in case.deferred or [])


def supply_deferred(uow: UnitOfWork, case, supplied: dict, today: date) -> None:
    """Each deferred material supplied (an uploaded file or an e-license) stops its watch; anything else is refused."""
    open_rows = {d["code"]: d for d in case.deferred if not d["supplied"]}
    materials = supplied["materials"]
    problems = [problem(f"materials.{m['code']}", "not_deferred", "该材料不是待补交的容缺材料",
                        "this material is not a deferred one still to supply") for m in materials
                if m["code"] not in open_rows] + _unusable(uow, materials)
    if problems or not materials:
        raise Invalid(problems or [problem("materials", "empty", "请提交容缺材料", "supply a deferred material")])
    uow.cases.update(case.case_id, materials=merge_materials(case.materials, materials))
    mark_supplied(uow, case, materials, today)


def mark_supplied(uow: UnitOfWork, case, materials: list[dict], today: date) -> None:
    """Deferred materials among `materials` are marked supplied, and oversight is told (its watch stops)."""
    open_rows = {d["code"]: d for d in case.deferred or [] if not d["supplied"]}
    codes = sorted({m["code"] for m in materials} & set(open_rows))
    if not codes:
        return
    uow.cases.update(case.case_id, deferred=[{**d, "supplied": True, "supplied_on": today.isoformat()}
                                             if d["code"] in codes else d for d in case.deferred])
    uow.emit(DeferredSupplied(case_id=case.case_id, payload={
        "materials": [committed(open_rows[c]) for c in codes], "supplied_on": today}))


def _unusable(uow: UnitOfWork, materials: list[dict]) -> list[dict]:
    """A material needs a file that was uploaded (with the digest given, if any) or an e-license number."""
    digests = uow.cases.file_digests([m["file_ref"] for m in materials if m.get("file_ref")])
    found = []
    for m in materials:
        if m.get("license_number"):
            continue
        if m.get("file_ref") not in digests or m.get("sha256") and m["sha256"] != digests[m["file_ref"]]:
            found.append(problem(f"materials.{m['code']}.file_ref", "file_not_found", "未找到上传的文件或校验值不符",
                                 "no uploaded file with that reference (or its sha256 differs)"))
    return found


def notice_overdue(case, today: date) -> bool:
    """The correction notice's deadline (its last day to answer) has passed."""
    due = (case.notice or {}).get("due_date")
    return case.status == "correction_requested" and due is not None and today > date.fromisoformat(due)


def refuse_late(case, today: date) -> None:
    """A supplement after the notice's deadline, or to an application closed as not accepted, is 410."""
    if case.status == "not_accepted" or notice_overdue(case, today):
        due = (case.notice or {}).get("due_date") or ""
        raise Gone("case_id", "correction_overdue",
                   f"补正期限（{due}）已过，该申请已不予受理，请重新申请",
                   f"the correction notice was due {due}: the application is closed as not accepted; apply again")


def close_unanswered(uow: UnitOfWork, context: Context) -> list[str]:
    """Applications whose correction notice was not answered in time: closed as not accepted, once each, and the
    applicant told (delivery texts `case_not_accepted`)."""
    today, closed = context.today(), []
    for (case_id,) in uow.cases.awaiting_correction():
        case = uow.cases.get(case_id, for_update=True)
        if case is None or case.lookup_pending or not notice_overdue(case, today):
            continue
        uow.cases.update(case_id, status="not_accepted")
        uow.emit(CaseNotAccepted(case_id=case_id, payload={
            "reason": "correction_overdue", "notice_id": case.notice.get("notice_id"),
            "due_date": case.notice["due_date"], "matter_code": case.matter_code,
            "contact": {"name": case.applicant["name"], "phone": case.applicant.get("phone"),
                        "language": getattr(case, "language", None) or "zh"}}))
        closed.append(case_id)
    return closed
