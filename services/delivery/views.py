"""Read side of delivery."""
from __future__ import annotations

from shared.api import not_found
from shared.messaging import Store


def delivery_view(store: Store, case_id: str) -> dict:
    with store.unit_of_work() as uow:
        row = uow.deliveries.get(case_id)
    if row is None:
        raise not_found("case_id", case_id)
    return {"case_id": row.case_id, "delivery_id": row.delivery_id, "kind": row.kind, "method": row.method,
            "status": row.status, "pickup_code": row.pickup_code, "tracking_number": row.tracking_number}
