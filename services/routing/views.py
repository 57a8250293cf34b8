"""Read side of routing: the plan of a case as the department and supervisors see it."""
from __future__ import annotations

from services.routing.repository import cases, items
from shared.api import not_found
from shared.messaging import Store
from sqlalchemy import select


def plan_view(store: Store, case_id: str) -> dict:
    with store.session_factory() as session:
        case = session.execute(select(cases).where(cases.c.case_id == case_id)).first()
        if case is None:
            raise not_found("case_id", case_id)
        rows = session.execute(select(items).where(items.c.case_id == case_id).order_by(items.c.position))
        return {"case_id": case_id, "matter_code": case.matter_code, "status": case.status,
                "items": [{"item_code": r.item_code, "name": r.name, "department": r.department,
                           "prerequisites": r.prerequisites, "status": r.status,
                           "licenses": r.licenses, "reasons": r.reasons} for r in rows]}
