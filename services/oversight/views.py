"""Read side of oversight: the timeline of a case."""
from __future__ import annotations

from shared.api import not_found
from shared.messaging import Store


def timeline_view(store: Store, case_id: str) -> dict:
    with store.unit_of_work() as uow:
        case = uow.oversight.case(case_id)
        rows = uow.oversight.timeline(case_id)
    if case is None:
        raise not_found("case_id", case_id)
    return {"case_id": case_id, "status": case.status, "matter_code": case.matter_code,
            "events": [{"event_id": r.event_id, "event_type": r.event_type, "occurred_at": r.occurred_at,
                        "actor": r.actor} for r in rows]}
