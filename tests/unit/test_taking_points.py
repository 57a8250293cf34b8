"""Where a case is taken: a configured point (政银合作 bank branches, village service points, halls), 全市通办
outside the banner only for city-wide matters, routed home and flagged, and counted in the ledger by point."""
from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from routing_support import RoutingHarness, accepted, of_type
from services.intake import handlers
from services.intake.commands import SubmitCase
from services.oversight.domain import Fact
from services.oversight.ledger import ledger
from services.oversight.periods import Period
from services.oversight.timeline import fold
from shared.catalog import default_catalog
from shared.config import IntakeSettings
from shared.errors import Invalid
from shared.events import CaseAccepted
from shared.places import default_points, point_problems
from shared.workdays import WorkingCalendar
from test_intake_handlers import _outbox, store  # noqa: F401 (the fixture)
from yici_testkit import case_body

POINTS = {p.code: p for p in default_points()}
HOME = "150626"
DS_HALL = POINTS["DS-HALL"].as_record()


def codes(problems) -> list[tuple[str, str]]:
    return [(p["field"], p["code"]) for p in problems]


def test_a_matter_not_city_wide_taken_in_another_banner_is_refused_on_the_taking_point_field():
    assert codes(point_problems("DS-HALL", "window", POINTS, HOME, citywide=False)) == [
        ("taking_point", "not_citywide")]
    assert point_problems("DS-HALL", "window", POINTS, HOME, citywide=True) == []
    assert point_problems("WSQ-HALL", "window", POINTS, HOME, citywide=False) == []


def test_an_unknown_point_or_one_of_another_channel_or_city_is_refused():
    assert codes(point_problems("NOWHERE", "window", POINTS, HOME, True)) == [("taking_point", "unknown_taking_point")]
    assert codes(point_problems("WSQ-ABC-BRANCH", "window", POINTS, HOME, True)) == [
        ("taking_point", "channel_mismatch")]
    assert codes(point_problems("WSQ-HALL", "window", POINTS, "152501", True)) == [("taking_point", "outside_city")]
    assert point_problems(None, "online", POINTS, HOME, False) == []


def _context():
    return handlers.Context(default_catalog(), IntakeSettings(), WorkingCalendar.from_file(),
                            lambda: date(2026, 11, 26))


def _submit(store, body):  # noqa: F811
    """Submit with every material uploaded by this client, so a complete case is accepted at once."""
    with store.unit_of_work() as uow:
        if uow.cases.file_digests(["F1"]) == {}:
            uow.cases.add_file(file_ref="F1", sha256="a" * 64, size=1, content_type="application/pdf", client="t")
        uow.commit()
    body["materials"] = [{**m, "file_ref": "F1", "sha256": "a" * 64} for m in body["materials"]]
    return store.run(handlers.submit_case, SubmitCase.model_validate(body), "t", None, _context())


def test_the_case_records_its_bank_branch_and_its_events_carry_it(store):  # noqa: F811
    status, case_id = _submit(store, case_body("second-hand-home-transfer", channel="bank_branch",
                                               taking_point="WSQ-ABC-BRANCH"))
    assert status == 201
    with store.unit_of_work() as uow:
        recorded = uow.cases.get(case_id).taking_point
    assert recorded == {"code": "WSQ-ABC-BRANCH", "name": "中国农业银行乌审旗支行", "channel": "bank_branch",
                        "region": HOME, "banner": HOME}
    carried = {e["event_type"]: e["payload"].get("taking_point") for e in _outbox(store)}
    assert carried["case_submitted"] == recorded and carried["case_accepted"] == recorded


def test_intake_refuses_a_local_matter_at_another_banners_hall_and_takes_a_city_wide_one(store):  # noqa: F811
    with pytest.raises(Invalid) as refused:
        _submit(store, case_body("utility-connection", channel="window", taking_point="DS-HALL"))
    assert ("taking_point", "not_citywide") in codes(refused.value.problems)
    status, _ = _submit(store, case_body("bankruptcy-check", channel="window", taking_point="DS-HALL"))
    assert status == 201


def test_a_city_wide_case_taken_at_another_banners_hall_is_decided_at_home_and_flagged(tmp_path):
    routing = RoutingHarness(tmp_path)
    event = accepted("YC1", "bankruptcy-check", region="150626100")
    wire = event.to_wire()
    event = CaseAccepted.model_validate({**wire, "payload": {**wire["payload"], "taking_point": DS_HALL}})
    requests = of_type(routing.handle(event), "approval_requested")
    assert requests and all(r.payload.level == "banner" and r.payload.unit is None for r in requests)
    assert all("全市通办" in r.payload.routing_reason and "东胜区政务服务中心" in r.payload.routing_reason
               for r in requests)
    with routing.store.unit_of_work() as uow:
        plan, _ = uow.plans.get_for_update("YC1")
    assert {i.routing["rule"] for i in plan.items.values()} == {"citywide"}


def _state(case_id: str, point: dict | None):
    at = datetime(2026, 12, 1, 2, tzinfo=timezone.utc)
    payload = {"matter_code": "bankruptcy-check", "channel": "window", "region_code": HOME,
               "catalog_version": "x", "taking_point": point}
    return fold(case_id, [Fact(event_id=f"{case_id}-s", event_type="case_submitted", occurred_at=at,
                               payload=payload)])


def test_the_ledger_counts_cases_by_taking_point_named_with_its_banner():
    states = [_state("A", DS_HALL), _state("B", DS_HALL), _state("C", POINTS["WSQ-ABC-BRANCH"].as_record()),
              _state("D", None)]
    assert states[0].taking_point == DS_HALL, "the timeline keeps where the case was taken"
    report = ledger(Period.containing("monthly", date(2026, 12, 1)), "taking_point", states, [], [],
                    default_catalog(), WorkingCalendar.from_file())
    rows = {r["key"]: (r["label"], r["received"]) for r in report["rows"]}
    assert rows == {"DS-HALL": ("东胜区政务服务中心（150602）", 2),
                    "WSQ-ABC-BRANCH": ("中国农业银行乌审旗支行（150626）", 1), "unrecorded": ("未登记受理点", 1)}
    assert report["totals"]["received"] == 4
