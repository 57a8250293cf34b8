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
)
from shared.workdays import Due

WAYS_TO_SUPPLY = [
    {"channel": "online", "zh": "通过网上办事平台提交补正材料", "en": "online, through POST /api/v1/cases/{id}/supplements"},
    {"channel": "window", "zh": "到政务服务大厅综合窗口提交", "en": "at the comprehensive window of the service hall"},
    {"channel": "mail", "zh": "免费邮寄至政务服务大厅", "en": "by free mail to the service hall"},
]


def correction_notice(case, deficiencies, due: Due) -> dict:
    """One notice that lists every deficiency at once, with the deadline and the ways to supply."""
    return {"notice_id": f"N{uuid.uuid4().hex[:12]}", "number": len(case.notices) + 1,
            "deficiencies": [d.as_dict() for d in deficiencies], "due_date": due.date.isoformat(),
            "due_provisional": due.provisional, "ways_to_supply": WAYS_TO_SUPPLY}


def targets(notice: dict | None) -> set[str]:
    return {d["target"] for d in (notice or {}).get("deficiencies", [])}


def touched(supplied: dict) -> set[str]:
    """What a supplement itself brought: a later notice may only speak of these and the earlier notice."""
    return {f"form.{k}" for k in supplied["form"]} | {f"materials.{m['code']}" for m in supplied["materials"]}


def mark_supplied(deferred: list[dict], materials: list[dict]) -> list[dict]:
    codes = {m["code"] for m in materials}
    return [{**d, "supplied": d["supplied"] or d["code"] in codes} for d in deferred]


def case_accepted(case, catalog: Catalog, accepted_on: date, track_url: str | None = None) -> CaseAccepted:
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
        "contact": {"name": applicant["name"], "phone": applicant.get("phone"), "track_url": track_url},
        "accepted_on": accepted_on,
        "holder_id": case.holder_id,
        "holder_kind": case.holder_kind, "taking_point": case.taking_point})


def outcome(current: dict, event: Event) -> dict:
    """The outcome the applicant sees (rejection, licenses, delivery progress), carried on by the event."""
    current = dict(current)
    if isinstance(event, ApprovalRequested) and event.payload.joint_task is not None:
        joint = event.payload.joint_task
        current["joint_appointments"] = {**current.get("joint_appointments", {}), joint.task_id: {
            "kind": joint.kind, "date": joint.scheduled_on.isoformat(), "time": joint.time, "place": joint.place,
            "departments": joint.departments}}
    elif isinstance(event, CaseRejected):
        current["rejection"] = {"item_code": event.payload.item_code, "reasons": event.payload.reasons}
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
