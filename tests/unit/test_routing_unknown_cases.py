"""Routing turns no event about an unknown case, item or department into state: it is a permanent error
(the consumer dead-letters it with the reason), and the other events of its batch are handled once."""
from __future__ import annotations

import pytest

from routing_support import RoutingHarness, accepted
from services.routing import handlers
from set_aside_support import run_like_the_consumer
from shared.catalog import default_catalog
from shared.errors import PermanentError, SetAside, UnknownCase
from shared.events import ApprovalDecided, CaseWithdrawn, SupplementProvided

ITEMS = ["enterprise-registration-inquiry", "real-estate-registration-inquiry",
         "social-insurance-arrears-inquiry", "tax-arrears-inquiry"]  # bankruptcy-check's four, all sent at once


@pytest.fixture
def routing(tmp_path):
    return RoutingHarness(tmp_path)


def decided(case_id: str, item: str, department: str | None = None) -> ApprovalDecided:
    return ApprovalDecided(case_id=case_id, payload={
        "request_id": f"{case_id}:{item}", "item_code": item, "decision": "approved", "decided_by": "clerk",
        "department": department or default_catalog().items[item].department})


def statuses(routing: RoutingHarness, case_id: str) -> dict[str, str]:
    with routing.store.unit_of_work() as uow:
        plan, _ = uow.plans.get_for_update(case_id)
    return {code: item.status for code, item in plan.items.items()}


def run_batch(routing: RoutingHarness):
    return lambda events: routing.store.process_new(
        "routing", events, lambda uow, fresh: handlers.handle_batch(uow, fresh, routing.context))


def test_a_decision_about_a_case_without_a_plan_is_a_permanent_error_and_leaves_nothing(routing):
    stranger = decided("YC-NONE", ITEMS[0])
    for _ in range(2):  # not marked in the inbox either: a second delivery is refused the same way
        with pytest.raises(UnknownCase) as error:
            routing.handle(stranger)
    assert isinstance(error.value, PermanentError)
    assert str(error.value) == "unknown case: approval_decided about case YC-NONE"
    with routing.store.unit_of_work() as uow:
        assert not uow.plans.exists("YC-NONE")
    assert routing.sent == []


def test_a_decision_for_an_item_or_a_department_not_in_the_plan_changes_nothing(routing):
    routing.handle(accepted("YC-P", "bankruptcy-check"))
    sent = len(routing.sent)
    with pytest.raises(UnknownCase, match="item business-registration is not in its plan"):
        routing.handle(decided("YC-P", "business-registration"))
    with pytest.raises(UnknownCase, match="item tax-arrears-inquiry went to tax, not market-regulation"):
        routing.handle(decided("YC-P", "tax-arrears-inquiry", "market-regulation"))
    assert set(statuses(routing, "YC-P").values()) == {"requested"} and len(routing.sent) == sent


def test_a_supplement_about_an_unknown_case_or_item_is_refused_but_an_early_withdrawal_is_not(routing):
    with pytest.raises(UnknownCase, match="supplement_provided about case YC-S0"):
        routing.handle(SupplementProvided(case_id="YC-S0", payload={"item_code": ITEMS[0]}))
    routing.handle(accepted("YC-S1", "bankruptcy-check"))
    with pytest.raises(UnknownCase, match="item business-registration is not in its plan"):
        routing.handle(SupplementProvided(case_id="YC-S1", payload={"item_code": "business-registration"}))
    # intake may withdraw a case it never accepted: routing never had a plan for it, and that is no error
    assert routing.handle(CaseWithdrawn(case_id="YC-S2", payload={"reason": "申请人撤回"})) == []


def test_a_batch_fails_naming_only_its_unknown_event_and_commits_nothing(routing):
    routing.handle(accepted("YC-B1", "bankruptcy-check"))
    sent = len(routing.sent)
    stranger = decided("YC-B0", ITEMS[0])
    with pytest.raises(SetAside) as error:
        run_batch(routing)([decided("YC-B1", item) for item in ITEMS] + [stranger])
    assert list(error.value.errors) == [str(stranger.event_id)]
    assert isinstance(error.value.error_for(stranger.event_id), UnknownCase)
    assert set(statuses(routing, "YC-B1").values()) == {"requested"} and len(routing.sent) == sent


def test_the_rest_of_the_batch_is_handled_once_without_the_unknown_event(routing):
    for case_id in ("YC-B1", "YC-B2"):
        routing.handle(accepted(case_id, "bankruptcy-check"))
    good = [decided(case_id, item) for case_id in ("YC-B1", "YC-B2") for item in ITEMS]
    strangers = [decided("YC-B0", ITEMS[0]), decided("YC-B1", "business-registration")]
    sent = len(routing.sent)
    aside = run_like_the_consumer(run_batch(routing), good[:3] + strangers[:1] + good[3:] + strangers[1:])
    assert set(aside) == {str(e.event_id) for e in strangers}
    assert all(isinstance(e, UnknownCase) for e in aside.values())
    completed = [m for m in routing.sent[sent:] if m.routing_key == "case_completed"]
    assert len(completed) == 2 and set(statuses(routing, "YC-B2").values()) == {"approved"}
    assert run_like_the_consumer(run_batch(routing), good) == {} and len(routing.sent) == sent + 2, \
        "redelivered, the good ones change nothing"
