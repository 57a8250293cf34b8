"""Routing's use cases on a real (SQLite) plan store: fan-out, fan-in, situations, units, supplements, rejection."""
from __future__ import annotations

from datetime import date

import pytest

from routing_support import RoutingHarness, accepted, of_type
from shared.config import RoutingSettings

RESTAURANT = ["new-business-entity", "area-over-threshold"]


@pytest.fixture
def routing(tmp_path):
    return RoutingHarness(tmp_path)


def requested(emitted) -> dict:
    return {e.payload.item_code: e for e in of_type(emitted, "approval_requested")}


def test_situations_select_the_items_and_those_without_prerequisites_go_out_at_once(routing):
    out = routing.handle(accepted("YC1", "open-restaurant", RESTAURANT, holder_id="91150626MA0N000088"))
    first = requested(out)
    assert set(first) == {"business-registration", "eia-registration-filing"}
    reg = first["business-registration"].payload
    assert reg.license_type == "business-license" and reg.holder_id == "91150626MA0N000088"
    assert reg.due_date == date(2026, 12, 1) and reg.case_due_date > reg.due_date, "instant item, 5-day case"
    assert reg.routing_reason and reg.level == "banner" and reg.unit is None


def test_licenses_go_to_their_real_holder_as_the_catalog_says(routing):
    """Issue 18: the child's birth certificate and social-security card are the child's, not the parent's; the
    licence of a company a founder applies for is the company's, not the founder's."""
    father = "152727198803152016"
    out = routing.handle(accepted("YC3", "newborn", holder_id=father, holder_kind="person",
                                  form={"newborn_name": "王小宝", "applicant_name": "王建国"}))
    birth = requested(out)["birth-medical-certificate"].payload
    assert (birth.holder_id, birth.holder_name) == ("YC3/newborn", "王小宝")
    household = requested(routing.decide("YC3", "birth-medical-certificate"))["birth-household-registration"]
    assert household.payload.holder_id == father  # the family's 户口簿 stays the applicant's
    founder = routing.handle(accepted("YC4", "company-opening", holder_id=father, holder_kind="person",
                                      form={"enterprise_name": "乌审旗宝音新能源有限公司"}))
    registration = requested(founder)["business-registration"].payload
    assert (registration.holder_id, registration.holder_name) == ("YC4/new-company", "乌审旗宝音新能源有限公司")
    company = routing.handle(accepted("YC5", "company-opening", holder_id="91150626MA0N1A2B3F",
                                      holder_kind="company"))
    assert requested(company)["business-registration"].payload.holder_id == "91150626MA0N1A2B3F"


def test_an_item_goes_out_when_its_last_prerequisite_is_approved_with_one_joint_task(routing):
    routing.handle(accepted("YC2", "open-restaurant", RESTAURANT))
    assert set(requested(routing.decide("YC2", "business-registration"))) == {"business-license-check"}
    out = routing.decide("YC2", "business-license-check")
    wave = requested(out)
    assert set(wave) == {"food-business-license", "fire-safety-check-before-opening"}
    joints = {e.payload.joint_task.task_id for e in wave.values()}
    assert joints == {"YC2:restaurant-site-inspection"}
    task = wave["food-business-license"].payload.joint_task
    assert task.departments == ["fire-rescue", "market-regulation"] and task.scheduled_on == date(2026, 12, 2)
    assert wave["food-business-license"].payload.due_date == date(2026, 12, 8), "5 working days from 1 Dec"


def test_all_approved_completes_once_and_a_repeated_decision_changes_nothing(routing):
    routing.handle(accepted("YC3", "bankruptcy-check"))
    items = ["enterprise-registration-inquiry", "real-estate-registration-inquiry",
             "social-insurance-arrears-inquiry", "tax-arrears-inquiry"]
    outs = [routing.decide("YC3", i) for i in items]
    assert [len(of_type(o, "case_completed")) for o in outs] == [0, 0, 0, 1]
    assert routing.decide("YC3", items[-1]) == []


def test_rejection_rejects_the_case_cancels_waiting_items_and_tells_those_in_progress(routing):
    routing.handle(accepted("YC4", "open-restaurant", RESTAURANT))
    out = routing.decide("YC4", "business-registration", "rejected", ["名称与已登记企业重复"],
                         department="market-regulation")
    rejected = of_type(out, "case_rejected")
    assert len(rejected) == 1 and rejected[0].payload.reasons == ["名称与已登记企业重复"]
    assert "business-license-check" in rejected[0].payload.cancelled_items
    told = of_type(out, "approval_cancelled")
    assert [t.payload.item_code for t in told] == ["eia-registration-filing"]
    assert told[0].payload.reason == "case_rejected"
    assert dict(out)["approval_cancelled.ecology-environment"]
    assert routing.decide("YC4", "eia-registration-filing") == [], "a reply for a cancelled item changes nothing"


def test_a_supplement_suspends_item_and_case_clock_and_supplying_it_sends_round_two(routing):
    routing.handle(accepted("YC5", "bankruptcy-check", form={"enterprise_name": "旧名"}))
    item = "tax-arrears-inquiry"
    [(key, told)] = routing.decide("YC5", item, "supplement_requested", ["缺少法院指定管理人决定书"])
    assert key == "supplement_requested" and told.payload.item_code == item, "only the applicant's side is told"
    routing.today = date(2026, 12, 4)
    out = routing.supply("YC5", item, form={"enterprise_name": "新名"}, materials=[{"code": "court-ruling"}])
    again = requested(out)[item].payload
    assert again.round == 2 and again.form["enterprise_name"] == "新名"
    assert {"code": "court-ruling"} in again.materials
    assert again.due_date == date(2026, 12, 9), "suspended 1-4 Dec: 3 working days counted from the 4th, not 4 Dec"
    assert again.case_due_date == date(2026, 12, 9)
    assert routing.supply("YC5", item) == [], "a second supply of the same supplement changes nothing"
    assert routing.decide("YC5", item, "supplement_requested", ["重复"], round=1) == [], "stale: not told again"
    assert routing.decide("YC5", item, round=1) == [], "a decision for round 1 is stale"
    assert of_type(routing.decide("YC5", "tax-arrears-inquiry", round=2), "case_completed") == []


def test_withdrawal_tells_every_department_still_working(routing):
    from shared.events import CaseWithdrawn
    routing.handle(accepted("YC6", "bankruptcy-check"))
    out = routing.handle(CaseWithdrawn(case_id="YC6", payload={"reason": "申请人撤回"}))
    assert len(of_type(out, "approval_cancelled")) == 4
    assert {e.payload.reason for e in of_type(out, "approval_cancelled")} == {"case_withdrawn"}


def test_a_township_item_goes_to_the_unit_queue_of_the_case_region(tmp_path):
    settings = RoutingSettings.model_validate({"units": [
        {"department": "public-security", "level": "township", "region": "150626101"}]})
    routing = RoutingHarness(tmp_path, settings)
    routing.handle(accepted("YC7", "newborn", region="150626101203"))
    out = routing.decide("YC7", "birth-medical-certificate")
    keys = {key for key, e in out if e.event_type == "approval_requested"}
    assert "approval_requested.public-security.150626101" in keys
    reg = requested(out)["birth-household-registration"].payload
    assert (reg.level, reg.unit) == ("township", "150626101")


def test_the_plan_view_shows_who_decides_and_why(routing):
    from services.routing.views import plan_view
    routing.handle(accepted("YC8", "newborn", region="150602001"))
    view = plan_view(routing.store, "YC8")
    assert {i["routing"]["rule"] for i in view["items"]} == {"citywide"}
    assert all("150602" in i["routing"]["reason"] for i in view["items"])
    assert view["clock"]["budget_days"] == 5 and view["status"] == "open"


def test_a_supplement_request_tells_the_applicant_why_and_by_when_once(routing):
    routing.handle(accepted("YC8", "bankruptcy-check"))
    item = "tax-arrears-inquiry"
    out = routing.decide("YC8", item, "supplement_requested", ["缺少法院指定管理人决定书"])
    [told] = of_type(out, "supplement_requested")
    p = told.payload
    assert (p.item_code, p.round, p.reasons) == (item, 1, ["缺少法院指定管理人决定书"])
    assert p.due_date == date(2026, 12, 15), "ten working days from Tue 1 Dec (routing.supplement_days)"
    assert p.contact.name and p.matter_code == "bankruptcy-check"
    assert routing.decide("YC8", item, "supplement_requested", ["又一次"]) == [], "asked once per round"


def test_a_rejection_carries_the_legal_basis_the_decision_and_the_approved_items_with_their_licenses(routing):
    routing.handle(accepted("YC9", "open-restaurant", RESTAURANT))
    routing.decide("YC9", "business-registration", licenses=["SCJG-1"], department="market-regulation")
    out = routing.decide("YC9", "eia-registration-filing", "rejected", ["场所不符合要求"],
                         department="ecology-environment", legal_basis="《食品经营许可管理办法》第十一条",
                         decision_document={"content": {"number": "D-1"}, "seal": {}})
    [rejected] = of_type(out, "case_rejected")
    p = rejected.payload
    assert p.legal_basis == "《食品经营许可管理办法》第十一条" and p.decided_on == date(2026, 12, 1)
    assert [(i.item_code, i.licenses) for i in p.approved_items] == [("business-registration", ["SCJG-1"])]
    assert p.decision_document == {"content": {"number": "D-1"}, "seal": {}}
    assert p.delivery is not None and p.delivery.method == "online", "the choice it was accepted with"
