"""What routing tells the applicant's side about a case's plan: a department's supplement request, and a
rejection with everything its written decision needs (the approved items and their licenses, the decision)."""
from __future__ import annotations

from datetime import date

from services.routing.domain import APPROVED, Plan, PlanItem
from shared.events import ApprovalDecided, CaseRejected, SupplementRequested
from shared.workdays import WorkingCalendar


def supplement_requested(plan: Plan, item: PlanItem, case: dict, cause: ApprovalDecided, today: date,
                         days: int, calendar: WorkingCalendar) -> SupplementRequested:
    """The item waits for the applicant: the reasons, and the date to supply by (working days from today)."""
    return SupplementRequested(case_id=plan.case_id, correlation_id=cause.correlation_id, payload={
        "item_code": item.code, "item_name": item.name, "department": item.department, "round": item.round,
        "reasons": list(cause.payload.reasons), "due_date": calendar.add_workdays(today, days).date,
        "matter_code": plan.matter_code, "contact": case["contact"], "lookup_code": case.get("lookup_code")})


def case_rejected(plan: Plan, case: dict, cause: ApprovalDecided, today: date) -> CaseRejected:
    p = cause.payload
    return CaseRejected(case_id=plan.case_id, correlation_id=cause.correlation_id, payload={
        "matter_code": plan.matter_code, "item_code": p.item_code, "department": p.department,
        "reasons": p.reasons, "cancelled_items": plan.cancelled(), "contact": case["contact"],
        "item_name": plan.items[p.item_code].name, "legal_basis": p.legal_basis, "decided_on": today,
        "approved_items": approved_items(plan), "decision_document": p.decision_document,
        "delivery": case["delivery"], "lookup_code": case.get("lookup_code")})


def approved_items(plan: Plan) -> list[dict]:
    """The items approved before the case ended, with the licenses they issued (which stay valid)."""
    return [{"item_code": i.code, "item_name": i.name, "department": i.department, "licenses": list(i.licenses)}
            for i in plan.items.values() if i.status == APPROVED]
