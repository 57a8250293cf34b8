"""Read side of routing: the plan of a case as departments and supervisors see it, with who decides and why."""
from __future__ import annotations

from sqlalchemy import select

from services.routing.repository import cases, items
from shared.errors import NotFound
from shared.messaging import Store


def plan_view(store: Store, case_id: str, department: str | None = None) -> dict:
    """The whole plan; for `department`, its own items only, and a case where it has none is as unknown as none
    (its joint tasks are left out: they name the other departments)."""
    with store.session_factory() as session:
        case = session.execute(select(cases).where(cases.c.case_id == case_id)).first()
        if case is None:
            raise NotFound("case_id", case_id)
        rows = [r for r in session.execute(select(items).where(items.c.case_id == case_id).order_by(items.c.position))
                if department in (None, r.department)]
        if not rows and department is not None:
            raise NotFound("case_id", case_id)
        clock = case.context.get("clock", {})
        return {"case_id": case_id, "matter_code": case.matter_code, "status": case.status,
                "clock": {"started_on": clock.get("started_on"), "budget_days": clock.get("budget"),
                          "suspensions": clock.get("suspensions", [])},
                "joint_tasks": list((case.joint_tasks or {}).values()) if department is None else [],
                "items": [_item(r) for r in rows]}


def _item(r) -> dict:
    return {"item_code": r.item_code, "name": r.name, "department": r.department, "level": r.level,
            "unit": r.unit, "prerequisites": r.prerequisites, "status": r.status, "round": r.round,
            "requested_on": r.requested_on, "due_date": r.due_date, "suspensions": r.suspensions,
            "joint_task_id": r.joint_task_id, "license_type": r.license_type, "licenses": r.licenses,
            "reasons": r.reasons, "decided_by": r.decided_by,
            "routing": {"department": r.department, "level": r.level, "unit": r.unit,
                        "rule": (r.routing or {}).get("rule", "catalog"), "reason": (r.routing or {}).get("reason", ""),
                        "catalog_department": (r.routing or {}).get("catalog_department", r.department),
                        "catalog_level": (r.routing or {}).get("catalog_level", r.level)}}
