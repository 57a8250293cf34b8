"""Derivations from the catalog: plan edges, limits, the one form, the one material list, the reductions."""
import itertools

import jsonschema
import pytest

from shared.catalog import Catalog, Department, FormField, Item, Material, Matter, default_catalog
from shared.catalog.forms import merged_form
from shared.catalog.graph import CycleError
from shared.catalog.limits import limits, plan_edges
from shared.catalog.materials import material_list
from shared.catalog.plan import joint_sessions
from shared.catalog.reductions import reductions


def item(code, days=1, needs=(), **extra):
    return Item(code=code, name=code, department="tax", item_type="公共服务", legal_days=max(days, 1) * 2,
                promised_days=days, prerequisites=list(needs), **extra)


def catalog_of(*items, promised=5, situations=(), fields=(), materials=(), item_situations=None):
    matter = Matter(
        code="m", name="测试一件事", lead_department="tax", items=[i.code for i in items], promised_days=promised,
        situations=[{"code": s, "label": s} for s in situations], item_situations=item_situations or {},
        delivery_methods=["online"], channels=["online"], life_cycle="enterprise", audience="企业",
        visits_before=len(items), visits_after=1)
    return Catalog(
        version="t", status="draft", matters={"m": matter}, items={i.code: i for i in items},
        departments={"tax": Department(code="tax", name="税务局", level="banner", key="SW")},
        fields={f.code: f for f in fields}, materials={m.code: m for m in materials})


def text_field(code, **extra):
    return FormField(code=code, label=f"{code}标签", type="string", **extra)


def material(code, **extra):
    return Material(code=code, name=f"{code}材料", spec={"form": "copy", "copies": 1}, **extra)


def every_situation_choice(matter):
    codes = matter.situation_codes
    return [list(c) for n in range(len(codes) + 1) for c in itertools.combinations(codes, n)]


SHIPPED_CASES = [(m.code, s) for m in default_catalog().matters.values() for s in every_situation_choice(m)]


# plan edges and limits

def test_plan_edges_keep_only_prerequisites_that_apply():
    catalog = default_catalog()
    assert plan_edges(catalog, "open-restaurant")["business-license-check"] == []
    with_new = plan_edges(catalog, "open-restaurant", ["new-business-entity"])
    assert with_new["business-license-check"] == ["business-registration"]


def test_plan_edges_cover_exactly_the_applicable_items():
    catalog = default_catalog()
    edges = plan_edges(catalog, "open-restaurant", ["area-over-threshold"])
    assert list(edges) == [i.code for i in catalog.items_for("open-restaurant", ["area-over-threshold"])]


def test_items_sharing_a_joint_session_are_grouped_when_both_apply():
    catalog = default_catalog()
    assert joint_sessions(catalog, "open-restaurant") == {}
    assert joint_sessions(catalog, "open-restaurant", ["area-over-threshold"]) == {
        "restaurant-site-inspection": ["food-business-license", "fire-safety-check-before-opening"]}


def test_every_utility_shares_one_site_survey():
    sessions = joint_sessions(default_catalog(), "utility-connection", ["needs-water", "needs-gas", "road-excavation"])
    assert sessions["utility-joint-site-survey"] == [
        "water-connection", "power-connection", "gas-connection", "road-excavation-permit",
        "road-occupation-traffic-approval"]


def test_the_critical_path_is_the_heaviest_prerequisite_chain():
    catalog = catalog_of(item("a", 1), item("b", 3, ["a"]), item("c", 2, ["a"]), item("d", 1, ["b", "c"]))
    found = limits(catalog, "m")
    assert (found.critical_path_days, found.critical_path) == (5, ["a", "b", "d"])
    assert (found.longest_item_days, found.longest_item) == (3, "b")
    assert (found.summed_days, found.matter_days) == (7, 5)


def test_parallel_items_take_as_long_as_the_longest():
    found = limits(catalog_of(item("a", 2), item("b", 4), item("c", 0)), "m")
    assert (found.critical_path_days, found.critical_path, found.summed_days) == (4, ["b"], 6)


def test_a_prerequisite_cycle_has_no_critical_path():
    with pytest.raises(CycleError) as raised:
        limits(catalog_of(item("a", 1, ["b"]), item("b", 1, ["a"])), "m")
    assert raised.value.cycle[0] == raised.value.cycle[-1]


def test_a_situation_selects_an_item_and_its_edges():
    catalog = catalog_of(item("a", 1), item("b", 2, ["a"], situations=["big"]), situations=["big"])
    assert plan_edges(catalog, "m") == {"a": []}
    assert limits(catalog, "m", ["big"]).critical_path == ["a", "b"]


def test_bankruptcy_check_limits_are_parallel():
    found = limits(default_catalog(), "bankruptcy-check")
    assert found.critical_path_days == found.longest_item_days <= found.matter_days < found.summed_days


# the one form

def test_a_field_asked_by_several_items_appears_once():
    catalog = catalog_of(item("a", fields=["name", "phone"]), item("b", fields=["phone", "size"]),
                         fields=[text_field("name"), text_field("phone"), text_field("size", required=False)])
    form = merged_form(catalog, "m")
    assert list(form["properties"]) == ["name", "phone", "size"]
    assert form["properties"]["phone"]["x-items"] == ["a", "b"]
    assert form["required"] == ["name", "phone"]
    assert form["additionalProperties"] is False


def test_the_form_is_valid_json_schema_with_chinese_titles():
    form = merged_form(default_catalog(), "open-restaurant", ["area-over-threshold"])
    jsonschema.Draft202012Validator.check_schema(form)
    assert form["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert form["title"] == "开办餐饮店一件事申请表"
    assert form["properties"]["floor_area_sqm"]["title"] == "经营场所建筑面积（平方米）"


def test_the_form_validates_answers():
    validator = jsonschema.Draft202012Validator(merged_form(default_catalog(), "bankruptcy-check"))
    answers = {"administrator_name": "某某律师事务所", "court_case_number": "（2026）内0626破1号",
               "enterprise_name": "乌审旗某某有限公司", "uscc": "91150626MA0N000088", "applicant_name": "张三",
               "applicant_id_number": "150626200503120019", "applicant_phone": "13800000000"}
    assert not list(validator.iter_errors(answers))
    assert list(validator.iter_errors({**answers, "uscc": "bad", "extra": 1}))


def test_an_item_can_relax_or_tighten_a_shared_field():
    overrides = {"name": {"required": False, "constraints": {"max_length": 10}}}
    catalog = catalog_of(item("a", fields=["name"], field_overrides=overrides),
                         fields=[text_field("name", constraints={"max_length": 50})])
    form = merged_form(catalog, "m")
    assert form["required"] == [] and form["properties"]["name"]["maxLength"] == 10


def test_a_field_stays_required_when_any_item_requires_it():
    catalog = catalog_of(item("a", fields=["name"], field_overrides={"name": {"required": False}}),
                         item("b", fields=["name"]), fields=[text_field("name")])
    assert merged_form(catalog, "m")["required"] == ["name"]


def test_dates_enums_and_pii_map_to_schema_keywords():
    fields = [FormField(code="born", label="出生日期", type="date"),
              FormField(code="kind", label="类型", type="enum", constraints={"enum": ["甲", "乙"]}),
              FormField(code="id_no", label="身份号码", type="string", pii=True)]
    props = merged_form(catalog_of(item("a", fields=["born", "kind", "id_no"]), fields=fields), "m")["properties"]
    assert props["born"]["format"] == "date" and props["kind"]["enum"] == ["甲", "乙"]
    assert props["id_no"]["x-pii"] is True and props["born"]["x-pii"] is False


# the one material list

def test_materials_are_merged_with_the_items_that_need_them():
    catalog = catalog_of(item("a", materials=["x", "y"]), item("b", materials=["y", "z"]),
                         materials=[material("x"), material("y", deferrable=True, commitment_allowed=True,
                                                             supply_days=5), material("z")])
    entries = material_list(catalog, "m")
    assert [e.code for e in entries] == ["x", "y", "z"]
    assert entries[1].items == ["a", "b"]
    assert (entries[1].deferrable, entries[1].commitment_allowed, entries[1].supply_days) == (True, True, 5)


def test_a_registry_material_says_which_license_supplies_it():
    entry = next(e for e in material_list(default_catalog(), "open-restaurant") if e.code == "business-license")
    assert entry.from_registry and entry.license_type == "business-license" and not entry.applicant_supplies
    assert entry.model_dump(mode="json")["from_registry"] is True


def test_the_construction_permit_accepts_several_materials_under_commitment():
    entries = material_list(default_catalog(), "construction-permit")
    deferrable = [e for e in entries if e.deferrable and e.commitment_allowed]
    assert len(deferrable) >= 3 and all(e.supply_days for e in deferrable)


@pytest.mark.parametrize("matter_code, situations", SHIPPED_CASES)
def test_merging_never_adds_materials_or_fields(matter_code, situations):
    catalog = default_catalog()
    items = catalog.items_for(matter_code, situations)
    assert len(material_list(catalog, matter_code, situations)) <= sum(len(i.materials) for i in items)
    assert len(merged_form(catalog, matter_code, situations)["properties"]) <= sum(len(i.fields) for i in items)


# the five reductions

def test_reductions_of_bankruptcy_check():
    found = reductions(default_catalog(), "bankruptcy-check")
    assert (found.steps.before, found.steps.after) == (4, 1)
    assert (found.form_fields.before, found.form_fields.after) == (28, 7)
    assert (found.materials.before, found.materials.after) == (16, 3)
    assert (found.time.before, found.time.after) == (9, 3)
    assert (found.visits.before, found.visits.after) == (4, 1)
    assert [r.label for r in found.rows()] == ["减时限", "减环节", "一表申请", "减材料", "减成本", "减跑动"]


def test_waived_fees_cost_nothing_after():
    catalog = catalog_of(item("a", fee=100), item("b", fee=20.5))
    matter = catalog.matters["m"].model_copy(update={"fees_waived": True})
    catalog = catalog.model_copy(update={"matters": {"m": matter}})
    cost = reductions(catalog, "m").cost
    assert (cost.before, cost.after, cost.saved) == (120.5, 0, 120.5)
    assert reductions(catalog, "m").model_dump()["cost"]["saved"] == 120.5


def test_company_opening_is_one_day_at_zero_cost():
    found = reductions(default_catalog(), "company-opening", ["opens-housing-fund"])
    assert found.time.after == 1 and found.cost.before > 0 and found.cost.after == 0
