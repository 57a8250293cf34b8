"""HTTP edge of routing: the plan of a case, as departments and supervisors read it."""
from __future__ import annotations

from werkzeug.wrappers import Request

from services.routing import views
from shared.audit_edge import Auditor, department_scope, stated_purpose
from shared.config import Settings
from shared.messaging import Store


def plan(request: Request, store: Store, settings: Settings, case_id: str) -> dict:
    """A department sees a case only where it has an item, and only its own items; every read is audited."""
    found = views.plan_view(store, case_id, department_scope(request))
    Auditor("routing", settings).record(store, request, "case.plan.read", stated_purpose(request, "case_progress"),
                                        case_id=case_id)
    return found
