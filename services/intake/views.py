"""Read side of intake: the case as the applicant and the window see it, and the catalog."""
from __future__ import annotations

from shared.catalog import Catalog
from shared.errors import NotFound
from shared.messaging import Store, UnitOfWork


def case_view(store: Store, case_id: str) -> dict:
    with store.unit_of_work() as uow:
        return view_of(uow, case_id)


def case_view_and_holder(store: Store, case_id: str) -> tuple[dict, str | None]:
    """The view, and whose case it is (the holder's ID number, for the audit trail only)."""
    with store.unit_of_work() as uow:
        view = view_of(uow, case_id)
        return view, uow.cases.get(case_id).holder_id


def view_of(uow: UnitOfWork, case_id: str) -> dict:
    """The case as the applicant and the window see it, read with the unit of work's transaction."""
    case = uow.cases.get(case_id)
    if case is None:
        raise NotFound("case_id", case_id)
    items = uow.cases.items(case_id)
    outcome = case.outcome or {}
    return {"case_id": case.case_id, "status": case.status, "matter_code": case.matter_code,
            "catalog_version": case.catalog_version, "channel": case.channel,
            "region_code": case.region_code, "lookup_code": case.lookup_code,
            "submitted_on": case.submitted_on, "accepted_on": case.accepted_on, "accepted_by": case.accepted_by,
            "promised_days": case.promised_days, "notice": case.notice, "notices_issued": len(case.notices),
            "deferred_materials": case.deferred,
            "deadline": {"date": case.due_date, "provisional": case.due_provisional},
            "items": [{"item_code": i.item_code, "name": i.name, "department": i.department,
                       "status": i.status} for i in items],
            "licenses": outcome.get("licenses", []), "rejection": outcome.get("rejection"),
            "supplement_requests": open_supplements(outcome, items),
            "delivery": {"choice": case.delivery, **({"progress": outcome["delivery"]}
                                                     if "delivery" in outcome else {})},
            "warnings": case.warnings, "material_sources": case.material_sources or {},
            "lookup": case.lookup, "taking_point": case.taking_point, "language": getattr(case, "language", None) or "zh",
            "commitment": {"signed": bool(case.commitment), "witnessed_by": case.commitment_witness},
            "joint_appointments": list(outcome.get("joint_appointments", {}).values()),
            "rating": outcome.get("rating"), "rectification": outcome.get("rectification")}


def waiting_list(store: Store) -> dict:
    with store.unit_of_work() as uow:
        rows = uow.cases.waiting_for_review()
    return {"cases": [{"case_id": r.case_id, "status": r.status, "matter_code": r.matter_code,
                       "channel": r.channel, "submitted_on": r.submitted_on,
                       "notice": r.notice, "waiting_for_library": bool(r.lookup_pending),
                       "lookup": r.lookup} for r in rows]}


def matter_list(catalog: Catalog) -> dict:
    return {"catalog_version": catalog.version, "matters": [
        {"code": m.code, "name": m.name, "lead_department": m.lead_department,
         "lead_department_name": catalog.departments[m.lead_department].name,
         "promised_days": m.promised_days, "items": [
             {"code": c, "name": catalog.items[c].name, "department": catalog.items[c].department}
             for c in m.items],
         "channels": m.channels, "delivery_methods": m.delivery_methods}
        for m in catalog.matters.values()]}


def open_supplements(outcome: dict, items) -> list[dict]:
    """The departments' supplement requests still waiting for the applicant (their item is still suspended)."""
    waiting = {i.item_code for i in items if i.status == "supplement_requested"}
    return [s for code, s in (outcome.get("supplements") or {}).items() if code in waiting]


def window_queue(store: Store) -> list[dict]:
    """The cases taken at the window, newest first: status, deadlines, a correction notice's due date, deferred
    materials still to come (no personal data: the list is shown on a hall screen)."""
    with store.unit_of_work() as uow:
        rows = uow.cases.taken_at_window()
    return [{"case_id": r.case_id, "status": r.status, "matter_code": r.matter_code, "submitted_on": r.submitted_on,
             "accepted_on": r.accepted_on, "due_date": r.due_date, "accepted_by": r.accepted_by,
             "notice_due": (r.notice or {}).get("due_date") if r.status == "correction_requested" else None,
             "deferred_open": [d for d in r.deferred or [] if not d.get("supplied")],
             "waiting_for_library": bool(r.lookup_pending), "client": r.client} for r in rows]
