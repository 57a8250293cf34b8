"""What intake tells: the one correction notice, the acceptance event, the outcome the applicant sees."""
from __future__ import annotations

import uuid
from datetime import date

from shared.catalog import Catalog
from shared.events import (
    ApprovalRequested,
    CaseAccepted,
    CaseCompleted,
    CaseRejected,
    DeliveryCompleted,
    DeliveryDispatched,
    Event,
    RectificationClosed,
    SupplementRequested,
)
from shared.workdays import Due

WAYS_TO_SUPPLY = [
    {"channel": "online", "zh": "通过网上办事平台提交补正材料", "en": "online, through POST /api/v1/cases/{id}/supplements"},
    {"channel": "window", "zh": "到政务服务大厅综合窗口提交", "en": "at the comprehensive window of the service hall"},
    {"channel": "mail", "zh": "免费邮寄至政务服务大厅", "en": "by free mail to the service hall"},
]


def correction_notice(case, deficiencies, due: Due, catalog: Catalog | None = None) -> dict:
    """One notice that lists every deficiency at once, with the deadline and the ways to supply, and the
    materials the applicant may leave for later by signing the commitment (`commitment: true` on the answer)."""
    return {"notice_id": f"N{uuid.uuid4().hex[:12]}", "number": len(case.notices) + 1,
            "deficiencies": [d.as_dict() for d in deficiencies], "due_date": due.date.isoformat(),
            "due_provisional": due.provisional, "ways_to_supply": WAYS_TO_SUPPLY,
            "commitment_offered": commitment_offered(deficiencies, catalog) if catalog else []}


DEFERRABLE_CODES = ("material.missing_deferrable", "material.not_in_library")


def commitment_offered(deficiencies, catalog: Catalog) -> list[str]:
    """Materials missing that the catalog lets the applicant supply later under the commitment (容缺)."""
    codes = [d.target.removeprefix("materials.") for d in deficiencies if d.code in DEFERRABLE_CODES]
    return [c for c in codes if c in catalog.materials and catalog.materials[c].deferrable]


def targets(notice: dict | None) -> set[str]:
    return {d["target"] for d in (notice or {}).get("deficiencies", [])}


def touched(supplied: dict) -> set[str]:
    """What a supplement itself brought: a later notice may only speak of these and the earlier notice."""
    return {f"form.{k}" for k in supplied["form"]} | {f"materials.{m['code']}" for m in supplied["materials"]}


def case_accepted(case, catalog: Catalog, accepted_on: date, due_date: date | None = None,
                  deferred: list[dict] | None = None) -> CaseAccepted:
    matter = catalog.matter(case.matter_code)
    items = catalog.items_for(matter.code, case.situations)
    codes = {i.code for i in items}
    planned = [{"item_code": i.code, "item_name": i.name, "department": i.department,
                "prerequisites": [p for p in i.prerequisites if p in codes],
                "promised_days": i.promised_days, "fields": list(i.fields)} for i in items]
    applicant = case.applicant
    return CaseAccepted(case_id=case.case_id, payload={
        "matter_code": matter.code, "matter_name": matter.name, "catalog_version": case.catalog_version,
        "channel": case.channel, "region_code": case.region_code, "situations": case.situations,
        "items": planned, "promised_days": matter.promised_days, "form": case.form,
        "materials": case.materials, "delivery": case.delivery,
        "contact": {"name": applicant["name"], "phone": applicant.get("phone"),
                    "language": getattr(case, "language", None) or "zh"}, "accepted_on": accepted_on,
        "holder_id": case.holder_id,
        "holder_kind": case.holder_kind, "taking_point": case.taking_point, "due_date": due_date,
        "lookup_code": case.lookup_code, "deferred": [committed(d) for d in deferred or []]})


def committed(row: dict) -> dict:
    """A deferred material as events carry it (the case's row less its `supplied` mark)."""
    return {"code": row["code"], "name": row.get("name", ""), "supply_days": row.get("supply_days", 0),
            "due_date": row["due_date"]}


def outcome(current: dict, event: Event) -> dict:
    """The outcome the applicant sees (rejection, licenses, delivery progress), carried on by the event."""
    current = dict(current)
    if isinstance(event, ApprovalRequested) and event.payload.joint_task is not None:
        joint = event.payload.joint_task
        current["joint_appointments"] = {**current.get("joint_appointments", {}), joint.task_id: {
            "kind": joint.kind, "date": joint.scheduled_on.isoformat(), "time": joint.time, "place": joint.place,
            "departments": joint.departments}}
    elif isinstance(event, CaseRejected):
        current["rejection"] = rejection(event)
    elif isinstance(event, SupplementRequested):
        current["supplements"] = {**current.get("supplements", {}), event.payload.item_code: supplement(event)}
    elif isinstance(event, CaseCompleted):
        current["licenses"] = event.payload.licenses
    elif isinstance(event, (DeliveryDispatched, DeliveryCompleted)):
        current["delivery"] = {**current.get("delivery", {}), **event.payload.model_dump(mode="json"),
                               "status": event.event_type.removeprefix("delivery_")}
    elif isinstance(event, RectificationClosed):
        p = event.payload
        current["rectification"] = {"department": p.department_name or p.department, "note": p.note,
                                    "closed_on": p.closed_on.isoformat()}
    return current


def supplement(event: SupplementRequested) -> dict:
    """A department's supplement request as the applicant sees it: what, why, by when, and how to supply."""
    p = event.payload
    return {"item_code": p.item_code, "item_name": p.item_name, "department": p.department, "round": p.round,
            "reasons": p.reasons, "due_date": p.due_date.isoformat(), "ways_to_supply": WAYS_TO_SUPPLY}


def rejection(event: CaseRejected) -> dict:
    """The rejection with its written decision (不予许可决定书), as the applicant sees and prints it."""
    p = event.payload
    return {"item_code": p.item_code, "item_name": p.item_name, "department": p.department, "reasons": p.reasons,
            "legal_basis": p.legal_basis, "decided_on": p.decided_on.isoformat() if p.decided_on else None,
            "approved_items": [i.model_dump(mode="json") for i in p.approved_items],
            "decision_document": p.decision_document}
