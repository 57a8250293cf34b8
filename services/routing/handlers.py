"""Routing's use cases: fan the accepted case out to departments, fan the decisions back in."""
from __future__ import annotations

from services.routing.domain import Outcome, Plan, PlanItem
from shared.events import (ApprovalDecided, ApprovalRequested, CaseAccepted, CaseCompleted, CaseRejected,
                           CaseWithdrawn, Event)
from shared.messaging import UnitOfWork


def route_case(uow: UnitOfWork, event: CaseAccepted) -> None:
    if uow.plans.exists(event.case_id):
        return
    p = event.payload
    plan = Plan(event.case_id, p.matter_code, {
        i.item_code: PlanItem(i.item_code, i.item_name, i.department, list(i.prerequisites),
                              i.promised_days, list(i.fields)) for i in p.items})
    context = {"form": p.form, "materials": p.materials, "delivery": p.delivery.model_dump(mode="json"),
               "contact": p.contact.model_dump(mode="json")}
    _request(uow, event, plan, plan.release(), context)
    uow.plans.add(plan, context)


def record_decision(uow: UnitOfWork, event: ApprovalDecided) -> None:
    found = uow.plans.get_for_update(event.case_id)
    if found is None:
        return
    plan, context = found
    p = event.payload
    outcome = plan.record(p.item_code, p.decision, p.reasons, p.licenses)
    if outcome is Outcome.IGNORED:
        return
    if outcome is Outcome.PROGRESSED:
        _request(uow, event, plan, plan.release(), context)
    elif outcome is Outcome.COMPLETED:
        uow.emit(CaseCompleted(case_id=plan.case_id, correlation_id=event.correlation_id, payload={
            "matter_code": plan.matter_code, "items": list(plan.items), "licenses": plan.licenses(),
            "delivery": context["delivery"], "contact": context["contact"]}))
    elif outcome is Outcome.REJECTED:
        uow.emit(CaseRejected(case_id=plan.case_id, correlation_id=event.correlation_id, payload={
            "matter_code": plan.matter_code, "item_code": p.item_code, "department": p.department,
            "reasons": p.reasons, "cancelled_items": plan.cancelled(), "contact": context["contact"]}))
    uow.plans.save(plan)


def withdraw_case(uow: UnitOfWork, event: CaseWithdrawn) -> None:
    found = uow.plans.get_for_update(event.case_id)
    if found is not None:
        found[0].withdraw()
        uow.plans.save(found[0])


def _request(uow: UnitOfWork, cause: Event, plan: Plan, ready: list[PlanItem], context: dict) -> None:
    for item in ready:
        uow.emit(ApprovalRequested(case_id=plan.case_id, correlation_id=cause.correlation_id, payload={
            "request_id": f"{plan.case_id}:{item.code}", "matter_code": plan.matter_code,
            "item_code": item.code, "item_name": item.name, "department": item.department,
            "promised_days": item.promised_days,
            "form": {k: v for k, v in context["form"].items() if k in item.fields},
            "materials": context["materials"]}))


HANDLERS = {CaseAccepted: route_case, ApprovalDecided: record_decision, CaseWithdrawn: withdraw_case}


def handle(uow: UnitOfWork, event: Event) -> None:
    handler = HANDLERS.get(type(event))
    if handler is not None:
        handler(uow, event)
