"""HTTP edge of routing: the plan of a case, as departments and supervisors read it."""
from __future__ import annotations

from services.routing import views
from shared.messaging import Store


def plan(store: Store, case_id: str) -> dict:
    return views.plan_view(store, case_id)
