"""The deciding departments see which materials were accepted deferred (容缺) and by when they are due: routing
puts them into every approval request, and the department's task view shows them."""
from __future__ import annotations

from routing_support import RoutingHarness, accepted, of_type
from services.approval.views import task_view
from shared.events import CaseAccepted
from test_approval_decisions import Approval, request

DEFERRED = [{"code": "food-safety-rules", "name": "食品安全管理制度", "supply_days": 10, "due_date": "2026-12-15"}]


def test_every_approval_request_of_the_case_carries_its_deferred_materials(tmp_path):
    routing = RoutingHarness(tmp_path)
    plain = accepted("YC-D1", "open-restaurant", ["new-business-entity", "area-over-threshold"])
    event = CaseAccepted(case_id="YC-D1", payload={**plain.payload.model_dump(mode="json"), "deferred": DEFERRED})
    requests = of_type(routing.handle(event), "approval_requested")
    assert requests and all(r.payload.model_dump(mode="json")["deferred"] == DEFERRED for r in requests)
    released = of_type(routing.decide("YC-D1", "business-registration"), "approval_requested")
    assert released and all(r.payload.deferred[0].code == "food-safety-rules" for r in released)


def test_the_department_task_view_shows_the_deferred_materials_and_deadlines(tmp_path):
    approval = Approval(tmp_path, departments={"market-regulation": "worklist"})
    event = request()
    approval.handle(type(event)(case_id=event.case_id, payload={
        **event.payload.model_dump(mode="json"), "deferred": DEFERRED}))
    view = task_view(approval.task("YC1:business-registration"))
    assert view["deferred"] == DEFERRED
