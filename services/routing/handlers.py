"""Routing's use cases: fan the accepted case out to departments, fan the decisions back in."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Callable

from services.routing import clock
from services.routing.assignment import assign
from services.routing.domain import Outcome, Plan, PlanItem
from shared.catalog import Catalog
from shared.config import RoutingSettings
from shared.errors import SetAside, UnknownCase
from shared.events import (ApprovalCancelled, ApprovalDecided, ApprovalRequested, CaseAccepted, CaseCompleted,
                           CaseRejected, CaseWithdrawn, Event, SupplementProvided)
from shared.messaging import UnitOfWork
from shared.workdays import WorkingCalendar


@dataclass(frozen=True)
class Ports:
    """What routing's rules read besides the plan: the catalog, the calendar, its settings, today."""
    catalog: Catalog
    calendar: WorkingCalendar
    settings: RoutingSettings
    today: Callable[[], date]


def route_case(uow: UnitOfWork, event: CaseAccepted, ports: Ports) -> None:
    if uow.plans.exists(event.case_id):
        return
    p = event.payload
    matter = ports.catalog.matters.get(p.matter_code)
    plan = Plan(event.case_id, p.matter_code, {
        i.item_code: _plan_item(i, p.region_code, bool(matter and matter.citywide), ports) for i in p.items})
    context = {"form": p.form, "materials": p.materials, "delivery": p.delivery.model_dump(mode="json"),
               "contact": p.contact.model_dump(mode="json"), "holder_id": p.holder_id,
               "clock": {"started_on": p.accepted_on.isoformat(), "budget": p.promised_days, "suspensions": []}}
    _request(uow, event, plan, plan.release(), context, ports)
    uow.plans.add(plan, context)


def _plan_item(planned, region: str, citywide: bool, ports: Ports) -> PlanItem:
    entry = ports.catalog.items.get(planned.item_code)
    where = assign(planned.department, planned.item_code, entry.level if entry else "banner", region, citywide,
                   ports.settings)
    return PlanItem(planned.item_code, planned.item_name, where.department, list(planned.prerequisites),
                    planned.promised_days, list(planned.fields), level=where.level, unit=where.unit,
                    routing=where.as_dict(), joint_session=entry.joint_session if entry else None,
                    license_type=entry.license_type if entry else None)


def record_decision(uow: UnitOfWork, event: ApprovalDecided, ports: Ports) -> None:
    plan, context = _plan_of(uow, event)
    p = event.payload
    _in_plan(plan, event, p.item_code, p.department)
    was_suspended = p.item_code in {i.code for i in plan.suspended()}
    outcome = plan.record(p.item_code, p.decision, p.reasons, p.licenses, p.round, p.decided_by)
    if outcome is Outcome.IGNORED:
        return
    item, today = plan.items[p.item_code], ports.today()
    if outcome is Outcome.SUSPENDED:
        _suspend(item, context, today, "; ".join(p.reasons))
    elif was_suspended:
        _resume(plan, item, context, today)
    if outcome is Outcome.PROGRESSED:
        _request(uow, event, plan, plan.release(), context, ports)
    elif outcome is Outcome.COMPLETED:
        uow.emit(CaseCompleted(case_id=plan.case_id, correlation_id=event.correlation_id, payload={
            "matter_code": plan.matter_code, "items": list(plan.items), "licenses": plan.licenses(),
            "delivery": context["delivery"], "contact": context["contact"]}))
    elif outcome is Outcome.REJECTED:
        uow.emit(CaseRejected(case_id=plan.case_id, correlation_id=event.correlation_id, payload={
            "matter_code": plan.matter_code, "item_code": p.item_code, "department": p.department,
            "reasons": p.reasons, "cancelled_items": plan.cancelled(), "contact": context["contact"]}))
        _tell(uow, event, plan, "case_rejected", f"{p.item_code} rejected: {'; '.join(p.reasons)}")
    uow.plans.save(plan, context)


def provide_supplement(uow: UnitOfWork, event: SupplementProvided, ports: Ports) -> None:
    """The applicant supplied what a department asked for: resume the clocks and send the item again."""
    plan, context = _plan_of(uow, event)
    p = event.payload
    _in_plan(plan, event, p.item_code)
    item = plan.supply(p.item_code)
    if item is None:
        return
    _resume(plan, item, context, ports.today())
    context["form"] = {**context["form"], **p.form}
    supplied = {m.get("code") for m in p.materials}
    context["materials"] = [m for m in context["materials"] if m.get("code") not in supplied] + p.materials
    _request(uow, event, plan, [item], context, ports)
    uow.plans.save(plan, context)


def _plan_of(uow: UnitOfWork, event: Event) -> tuple[Plan, dict]:
    """The (locked) plan the event follows up. None is no race: routing commits a plan before it publishes
    anything a decision or a supplement could answer."""
    found = uow.plans.get_for_update(event.case_id)
    if found is None:
        raise UnknownCase(event.case_id, event.event_type)
    return found


def _in_plan(plan: Plan, event: Event, item_code: str, department: str | None = None) -> None:
    """The item is in the plan and, for a decision, decided by the department the plan sent it to."""
    item = plan.items.get(item_code)
    if item is None:
        raise UnknownCase(event.case_id, event.event_type, f"item {item_code} is not in its plan")
    if department is not None and department != item.department:
        raise UnknownCase(event.case_id, event.event_type,
                          f"item {item_code} went to {item.department}, not {department}")


def withdraw_case(uow: UnitOfWork, event: CaseWithdrawn, ports: Ports) -> None:
    """Close the plan; a case withdrawn before it was accepted has none (nothing to do)."""
    found = uow.plans.get_for_update(event.case_id)
    if found is not None and found[0].withdraw():
        _tell(uow, event, found[0], "case_withdrawn", event.payload.reason)
    if found is not None:
        uow.plans.save(*found)


def _suspend(item: PlanItem, context: dict, today: date, reason: str) -> None:
    item.suspensions = clock.suspend(item.suspensions, today, reason)
    context["clock"]["suspensions"] = clock.suspend(context["clock"]["suspensions"], today, "supplement")


def _resume(plan: Plan, item: PlanItem, context: dict, today: date) -> None:
    item.suspensions = clock.resume(item.suspensions, today)
    if not plan.suspended():
        context["clock"]["suspensions"] = clock.resume(context["clock"]["suspensions"], today)


def _tell(uow: UnitOfWork, cause: Event, plan: Plan, reason: str, note: str) -> None:
    for item in plan.told:
        uow.emit(ApprovalCancelled(case_id=plan.case_id, correlation_id=cause.correlation_id, payload={
            "request_id": plan.request_id(item), "item_code": item.code, "department": item.department,
            "unit": item.unit, "reason": reason, "note": note[:500]}))


def _request(uow: UnitOfWork, cause: Event, plan: Plan, ready: list[PlanItem], context: dict,
             ports: Ports) -> None:
    today = ports.today()
    plan.schedule_joint(ready, ports.calendar.add_workdays(today, 1).date)
    case_due = _case_due(context, ports, today)
    for item in ready:
        item.requested_on = item.requested_on or today
        item.due_date = clock.deadline(item.requested_on, item.promised_days, item.suspensions, ports.calendar,
                                       today)
        uow.emit(ApprovalRequested(case_id=plan.case_id, correlation_id=cause.correlation_id,
                                   payload=_request_payload(plan, item, context, case_due)))


def _request_payload(plan: Plan, item: PlanItem, context: dict, case_due: date) -> dict:
    joint = next((t for t in plan.joint_tasks.values() if t["task_id"] == item.joint_task_id), None)
    return {"request_id": plan.request_id(item), "matter_code": plan.matter_code, "item_code": item.code,
            "item_name": item.name, "department": item.department, "promised_days": item.promised_days,
            "form": {k: v for k, v in context["form"].items() if k in item.fields},
            "materials": context["materials"], "unit": item.unit, "level": item.level,
            "routing_reason": item.routing.get("reason", ""), "round": item.round, "due_date": item.due_date,
            "case_due_date": case_due, "license_type": item.license_type,
            "holder_id": context.get("holder_id"), "holder_name": context["contact"].get("name"),
            "joint_task": joint}


def _case_due(context: dict, ports: Ports, today: date) -> date:
    c = context["clock"]
    return clock.deadline(date.fromisoformat(c["started_on"]), c["budget"], c["suspensions"], ports.calendar, today)


HANDLERS = {CaseAccepted: route_case, ApprovalDecided: record_decision, CaseWithdrawn: withdraw_case,
            SupplementProvided: provide_supplement}


def handle_batch(uow: UnitOfWork, events: list[Event], ports: Ports) -> None:
    """Handle a batch in lock order, the plans its events follow up read and locked together first, and
    whether its new cases have a plan already looked up together (before any write is held)."""
    events = in_lock_order(events)
    following = sorted({e.case_id for e in events if type(e) is not CaseAccepted and type(e) in HANDLERS})
    if following:
        uow.plans.lock(following)
    new = sorted({e.case_id for e in events if type(e) is CaseAccepted})
    if new:
        uow.plans.look_up(new)
    for event in events:
        _handle_in_batch(uow, event, ports)


def _handle_in_batch(uow: UnitOfWork, event: Event, ports: Ports) -> None:
    """An event about an unknown case fails the batch's transaction naming it, so the rest go on without it."""
    try:
        handle(uow, event, ports)
    except UnknownCase as error:
        raise SetAside.of([(event, error)]) from error


def in_lock_order(events: list[Event]) -> list[Event]:
    """A batch takes case rows in case-id order (replicas cannot deadlock); one case's events keep their order."""
    return sorted(events, key=lambda e: e.case_id)


def handle(uow: UnitOfWork, event: Event, ports: Ports) -> None:
    handler = HANDLERS.get(type(event))
    if handler is not None:
        handler(uow, event, ports)
