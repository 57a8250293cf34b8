"""Levels and delegation (交互授权): who decides an item, at which level and unit, and why."""
from __future__ import annotations

from services.routing.assignment import assign
from shared.config import RoutingSettings

TOWNSHIP, VILLAGE = "150626101", "150626101203"
SETTINGS = RoutingSettings.model_validate({
    "units": [{"department": "public-security", "level": "township", "region": TOWNSHIP, "name": "乌审召派出所"},
              {"department": "civil-affairs", "level": "village", "region": VILLAGE, "name": "便民服务站"},
              {"department": "human-resources-social-security", "level": "township", "region": TOWNSHIP},
              {"department": "health", "level": "city", "region": "150600", "name": "市卫健委"}],
    "delegations": [
        {"kind": "authorise", "items": ["benefit-suspension"], "to_level": "village", "basis": "旗民政局授权"},
        {"kind": "entrust_upper", "items": ["death-household-cancellation"], "regions": ["150626102"],
         "to_level": "banner", "basis": "镇派出所委托旗公安局"},
        {"kind": "entrust_peer", "department": "medical-security", "to_department": "human-resources-social-security",
         "basis": "医保与人社平级委托"},
        {"kind": "authorise", "items": ["social-security-card-cancellation"], "to_level": "township"},
        {"kind": "entrust_upper", "items": ["childcare-subsidy"], "to_level": "city"},
    ]})


def route(item: str, department: str, level: str = "banner", region: str = TOWNSHIP, citywide: bool = False):
    return assign(department, item, level, region, citywide, SETTINGS)


def test_the_catalog_level_and_the_case_region_select_the_township_unit():
    a = route("death-household-cancellation", "public-security", "township", VILLAGE)
    assert (a.department, a.level, a.unit, a.rule) == ("public-security", "township", TOWNSHIP, "catalog")


def test_a_banner_item_stays_with_the_banner_department():
    a = route("tax-clearance", "tax")
    assert (a.department, a.level, a.unit, a.rule) == ("tax", "banner", None, "catalog")


def test_a_region_naming_no_township_falls_back_to_the_banner_department_and_says_why():
    a = route("death-household-cancellation", "public-security", "township", "150626")
    assert (a.level, a.unit, a.rule) == ("banner", None, "no_unit")
    assert "150626" in a.reason and "banner" in a.reason


def test_upper_authorises_lower_moves_the_item_down_to_the_village_unit():
    a = route("benefit-suspension", "civil-affairs", "banner", VILLAGE)
    assert (a.level, a.unit, a.rule) == ("village", VILLAGE, "authorise")
    assert "旗民政局授权" in a.reason and a.catalog_level == "banner"


def test_lower_entrusts_upper_only_in_the_regions_the_rule_names():
    moved = route("death-household-cancellation", "public-security", "township", "150626102001")
    kept = route("death-household-cancellation", "public-security", "township", TOWNSHIP)
    assert (moved.level, moved.unit, moved.rule) == ("banner", None, "entrust_upper")
    assert (kept.level, kept.rule) == ("township", "catalog")


def test_lower_entrusts_the_city_level_unit():
    a = route("childcare-subsidy", "health")
    assert (a.level, a.unit, a.rule) == ("city", "150600", "entrust_upper")


def test_peers_entrust_each_other_the_department_changes_at_the_same_level():
    a = route("medical-account-inheritance", "medical-security")
    assert (a.department, a.level, a.rule, a.catalog_department) == (
        "human-resources-social-security", "banner", "entrust_peer", "medical-security")


def test_authorising_down_to_a_unit_that_does_not_exist_there_falls_back_to_the_banner():
    a = route("social-security-card-cancellation", "human-resources-social-security", region="150626999")
    assert (a.level, a.unit, a.rule) == ("banner", None, "no_unit")
    b = route("social-security-card-cancellation", "human-resources-social-security")
    assert (b.level, b.unit, b.rule) == ("township", TOWNSHIP, "authorise")


def test_a_city_wide_matter_taken_in_another_county_goes_to_the_competent_banner_department():
    a = route("tax-clearance", "tax", region="150602003", citywide=True)
    assert (a.department, a.level, a.unit, a.rule) == ("tax", "banner", None, "citywide")
    assert "150602" in a.reason


def test_a_case_from_outside_the_city_or_a_local_matter_is_still_decided_here_and_flagged():
    assert route("tax-clearance", "tax", region="110101", citywide=True).rule == "out_of_area"
    assert route("tax-clearance", "tax", region="150602", citywide=False).rule == "out_of_area"


def test_a_township_level_item_taken_elsewhere_in_the_city_is_decided_at_banner_level():
    a = route("death-household-cancellation", "public-security", "township", "150602003", citywide=True)
    assert (a.level, a.unit, a.rule) == ("banner", None, "citywide")
