"""Routing's use cases: fan the accepted case out to departments, fan the decisions back in."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Callable

from services.routing import clock, telling
from services.routing.assignment import Taken, assign
from services.routing.domain import Outcome, Plan, PlanItem, Slot, license_holder, site_of
from shared.catalog import Catalog, default_catalog
from shared.config import RoutingSettings, Settings
from shared.errors import SetAside, UnknownCase
from shared.events import (
    ApprovalCancelled,
    ApprovalDecided,
    ApprovalRequested,
    CaseAccepted,
    CaseCompleted,
    CaseWithdrawn,
    Event,
    SupplementProvided,
    TakingPointRef,
)
from shared.file_links import FileLinks, file_links
from shared.messaging import UnitOfWork, utcnow
from shared.workdays import WorkingCalendar, today_in_shanghai


@dataclass(frozen=True)
class Context:
    """What routing's use cases read besides the unit of work."""
    catalog: Catalog
    settings: RoutingSettings
    calendar: WorkingCalendar
    today: Callable[[], date]
    links: FileLinks | None = None  # signs each request's material links for its department

    @classmethod
    def build(cls, settings: Settings) -> "Context":
        return cls(default_catalog(), settings.routing, settings.calendar(), today_in_shanghai, file_links(settings))


def route_case(uow: UnitOfWork, event: CaseAccepted, context: Context) -> None:
    if uow.plans.exists(event.case_id):
        return
    p = event.payload
    matter = context.catalog.matters.get(p.matter_code)
    taken = p.taking_point
    plan = Plan(event.case_id, p.matter_code, {
        i.item_code: _plan_item(i, p.region_code, bool(matter and matter.citywide), context, taken)
        for i in p.items})
    # what routing keeps of the case beside its plan, saved with it
    case = {"form": p.form, "materials": p.materials, "delivery": p.delivery.model_dump(mode="json"),
            "contact": p.contact.model_dump(mode="json"), "holder_id": p.holder_id, "holder_kind": p.holder_kind,
            "lookup_code": p.lookup_code,
            "deferred": [d.model_dump(mode="json") for d in p.deferred],
            "clock": {"started_on": p.accepted_on.isoformat(), "budget": p.promised_days, "suspensions": []}}
    _request(uow, event, plan, plan.release(), case, context)
    uow.plans.add(plan, case)


def _plan_item(planned, region: str, citywide: bool, context: Context, taken: TakingPointRef | None) -> PlanItem:
    entry = context.catalog.items.get(planned.item_code)
    where = assign(planned.department, planned.item_code, entry.level if entry else "banner", region, citywide,
                   context.settings, Taken(taken.region, taken.name) if taken else None)
    return PlanItem(planned.item_code, planned.item_name, where.department, list(planned.prerequisites),
                    planned.promised_days, list(planned.fields), level=where.level, unit=where.unit,
                    routing=where.as_dict(), joint_session=entry.joint_session if entry else None,
                    license_type=entry.license_type if entry else None)


def record_decision(uow: UnitOfWork, event: ApprovalDecided, context: Context) -> None:
    plan, case = _plan_of(uow, event)
    p = event.payload
    _in_plan(plan, event, p.item_code, p.department)
    was_suspended = p.item_code in {i.code for i in plan.suspended()}
    outcome = plan.record(p.item_code, p.decision, p.reasons, p.licenses, p.round, p.decided_by)
    if outcome is Outcome.IGNORED:
        return
    item, today = plan.items[p.item_code], context.today()
    if outcome is Outcome.SUSPENDED:
        clock.suspend_item(item, case, today, "; ".join(p.reasons))
        uow.emit(telling.supplement_requested(plan, item, case, event, today,
                                              p.supplement_days or context.settings.supplement_days, context.calendar))
    elif was_suspended:
        clock.resume_item(plan, item, case, today)
    if outcome is Outcome.PROGRESSED:
        _request(uow, event, plan, plan.release(), case, context)
    elif outcome is Outcome.COMPLETED:
        uow.emit(CaseCompleted(case_id=plan.case_id, correlation_id=event.correlation_id, payload={
            "matter_code": plan.matter_code, "items": list(plan.items), "licenses": plan.licenses(),
            "delivery": case["delivery"], "contact": case["contact"], "lookup_code": case.get("lookup_code")}))
    elif outcome is Outcome.REJECTED:
        uow.emit(telling.case_rejected(plan, case, event, today))
        _tell(uow, event, plan, "case_rejected", f"{p.item_code} rejected: {'; '.join(p.reasons)}")
    uow.plans.save(plan, case)


def provide_supplement(uow: UnitOfWork, event: SupplementProvided, context: Context) -> None:
    """The applicant supplied what a department asked for: resume the clocks and send the item again."""
    plan, case = _plan_of(uow, event)
    p = event.payload
    _in_plan(plan, event, p.item_code)
    item = plan.supply(p.item_code)
    if item is None:
        return
    clock.resume_item(plan, item, case, context.today())
    case["form"] = {**case["form"], **p.form}
    supplied = {m.get("code") for m in p.materials}
    case["materials"] = [m for m in case["materials"] if m.get("code") not in supplied] + p.materials
    _request(uow, event, plan, [item], case, context)
    uow.plans.save(plan, case)


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


def withdraw_case(uow: UnitOfWork, event: CaseWithdrawn, context: Context) -> None:
    """Close the plan; a case withdrawn before it was accepted has none (nothing to do)."""
    found = uow.plans.get_for_update(event.case_id)
    if found is not None and found[0].withdraw():
        _tell(uow, event, found[0], "case_withdrawn", event.payload.reason)
    if found is not None:
        uow.plans.save(*found)


def _tell(uow: UnitOfWork, cause: Event, plan: Plan, reason: str, note: str) -> None:
    for item in plan.told:
        uow.emit(ApprovalCancelled(case_id=plan.case_id, correlation_id=cause.correlation_id, payload={
            "request_id": plan.request_id(item), "item_code": item.code, "department": item.department,
            "unit": item.unit, "reason": reason, "note": note[:500]}))


def _request(uow: UnitOfWork, cause: Event, plan: Plan, ready: list[PlanItem], case: dict,
             context: Context) -> None:
    today = context.today()
    joint = context.settings.joint
    matter = context.catalog.matters.get(plan.matter_code)
    plan.schedule_joint(ready, context.calendar.add_workdays(today, joint.days_ahead).date, Slot(
        joint.time, site_of(case["form"], joint.site_fields), matter.lead_department if matter else None))
    case_due = _case_due(case, context, today)
    for item in ready:
        item.requested_on = item.requested_on or today
        item.due_date = clock.deadline(item.requested_on, item.promised_days, item.suspensions, context.calendar,
                                       today)
        uow.emit(ApprovalRequested(case_id=plan.case_id, correlation_id=cause.correlation_id,
                                   payload=_request_payload(plan, item, case, case_due, context)))


def _materials(materials: list[dict], case_id: str, department: str, context: Context) -> list[dict]:
    """The case's materials, each uploaded one with a signed link for the department (shared/file_links.py)."""
    return context.links.with_links(materials, case_id, department, utcnow()) if context.links else materials


def _request_payload(plan: Plan, item: PlanItem, case: dict, case_due: date, context: Context) -> dict:
    joint = next((t for t in plan.joint_tasks.values() if t["task_id"] == item.joint_task_id), None)
    entry = context.catalog.items.get(item.code)
    kind = case.get("holder_kind")  # None: a plan accepted before intake said
    holder_id, holder_name = license_holder(
        plan.case_id, case.get("holder_id"), entry is None or entry.license_to_applicant(
            None if kind is None else kind == "company"), entry.license_holder if entry else "applicant",
        case["form"], entry.license_holder_name_field if entry else None, case["contact"].get("name"))
    return {"request_id": plan.request_id(item), "matter_code": plan.matter_code, "item_code": item.code,
            "item_name": item.name, "department": item.department, "promised_days": item.promised_days,
            "form": {k: v for k, v in case["form"].items() if k in item.fields},
            "materials": _materials(case["materials"], plan.case_id, item.department, context), "unit": item.unit, "level": item.level,
            "routing_reason": item.routing.get("reason", ""), "round": item.round, "due_date": item.due_date,
            "case_due_date": case_due, "license_type": item.license_type,
            "holder_id": holder_id, "holder_name": holder_name,
            "joint_task": joint, "deferred": case.get("deferred", [])}


def _case_due(case: dict, context: Context, today: date) -> date:
    c = case["clock"]
    return clock.deadline(date.fromisoformat(c["started_on"]), c["budget"], c["suspensions"], context.calendar,
                          today)


HANDLERS = {CaseAccepted: route_case, ApprovalDecided: record_decision, CaseWithdrawn: withdraw_case,
            SupplementProvided: provide_supplement}


def handle_batch(uow: UnitOfWork, events: list[Event], context: Context) -> None:
    """Handle a batch in lock order, the plans its events follow up read and locked together first, and
    whether its new cases have a plan already looked up together (one statement each; the unit of work's rows
    answer the handlers' reads from them after, whatever they write meanwhile)."""
    events = in_lock_order(events)
    following = sorted({e.case_id for e in events if type(e) is not CaseAccepted and type(e) in HANDLERS})
    if following:
        uow.plans.lock(following)
    new = sorted({e.case_id for e in events if type(e) is CaseAccepted})
    if new:
        uow.plans.look_up(new)
    for event in events:
        _handle_in_batch(uow, event, context)


def _handle_in_batch(uow: UnitOfWork, event: Event, context: Context) -> None:
    """An event about an unknown case fails the batch's transaction naming it, so the rest go on without it."""
    try:
        handle(uow, event, context)
    except UnknownCase as error:
        raise SetAside.of([(event, error)]) from error


def in_lock_order(events: list[Event]) -> list[Event]:
    """A batch takes case rows in case-id order (replicas cannot deadlock); one case's events keep their order."""
    return sorted(events, key=lambda e: e.case_id)


def handle(uow: UnitOfWork, event: Event, context: Context) -> None:
    handler = HANDLERS.get(type(event))
    if handler is not None:
        handler(uow, event, context)
