"""Lint: the shipped catalog passes, and each rule reports its own kind of broken catalog."""
from pathlib import Path

import pytest
import yaml

from shared.catalog import Catalog, FieldOverride, default_catalog, load_catalog
from shared.catalog.lint import lint, main
from shared.catalog.lint_matters import material_list_rules, situation_choices
from shared.catalog.materials import material_list


def changed(catalog: Catalog, kind: str, code: str, **changes) -> Catalog:
    """A copy of `catalog` with one entity changed (no validation, as a hand-edited file would be)."""
    entities = dict(getattr(catalog, kind))
    entities[code] = entities[code].model_copy(update=changes)
    return catalog.model_copy(update={kind: entities})


def problems(catalog: Catalog, rule: str) -> list[str]:
    return [f"{p.subject}: {p.message}" for p in lint(catalog) if p.rule == rule]


def dump(catalog: Catalog, root: Path) -> Path:
    """Write `catalog` as YAML files that load_catalog reads back."""
    meta = {"version": catalog.version, "status": "draft", "external_licenses": catalog.external_licenses}
    (root / "catalog.yaml").write_text(yaml.safe_dump(meta))
    for kind in ("departments", "fields", "materials", "items", "matters"):
        entities = {code: e.model_dump(mode="json", exclude={"code"}) for code, e in getattr(catalog, kind).items()}
        (root / f"{kind}.yaml").write_text(yaml.safe_dump(entities, allow_unicode=True), encoding="utf-8")
    return root


@pytest.fixture
def shipped() -> Catalog:
    return default_catalog()


def test_the_shipped_catalog_has_no_problems(shipped):
    assert [str(p) for p in lint(shipped)] == []


def test_a_prerequisite_cycle_is_named(shipped):
    broken = changed(shipped, "items", "business-registration", prerequisites=["food-business-license"])
    [found] = problems(broken, "prerequisite-cycle")
    for code in ("business-registration", "business-license-check", "food-business-license"):
        assert code in found


def test_a_self_prerequisite_is_a_cycle(shipped):
    broken = changed(shipped, "items", "tax-clearance", prerequisites=["tax-clearance"])
    assert problems(broken, "prerequisite-cycle") == [
        "item tax-clearance: prerequisite cycle tax-clearance -> tax-clearance"]


def test_an_unknown_department_is_reported(shipped):
    broken = changed(shipped, "items", "tax-clearance", department="no-such-department")
    assert "item tax-clearance: department 'no-such-department' does not exist" in \
        problems(broken, "unknown-department")


@pytest.mark.parametrize("kind, attribute", [
    ("prerequisite", "prerequisites"), ("material", "materials"), ("field", "fields")])
def test_an_unknown_reference_of_an_item_is_reported(shipped, kind, attribute):
    broken = changed(shipped, "items", "tax-clearance", **{attribute: ["no-such-code"]})
    assert problems(broken, f"unknown-{kind}") == [f"item tax-clearance: {kind} 'no-such-code' does not exist"]


def test_a_code_listed_twice_is_reported(shipped):
    broken = changed(shipped, "items", "tax-clearance", fields=["uscc", "enterprise_name", "uscc"])
    assert problems(broken, "repeated-code") == ["item tax-clearance: fields lists 'uscc' more than once"]


def test_an_unknown_item_of_a_matter_is_reported(shipped):
    broken = changed(shipped, "matters", "bankruptcy-check", items=["tax-arrears-inquiry", "no-such-item"])
    assert problems(broken, "unknown-item") == ["matter bankruptcy-check: item 'no-such-item' does not exist"]


def test_a_lead_department_outside_the_items_is_reported(shipped):
    broken = changed(shipped, "matters", "open-restaurant", lead_department="tax")
    assert problems(broken, "lead-not-involved") == [
        "matter open-restaurant: lead department 'tax' decides none of the matter's items"]


def test_a_critical_path_longer_than_the_promise_is_reported(shipped):
    broken = changed(shipped, "items", "business-license-check", promised_days=2, legal_days=2)
    [found] = [p for p in problems(broken, "critical-path-exceeds-limit") if p.startswith("matter open-restaurant")]
    assert "business-license-check -> food-business-license" in found and "7 working days" in found


def test_a_promise_longer_than_the_longest_item_is_reported(shipped):
    broken = changed(shipped, "matters", "bankruptcy-check", promised_days=4)
    [found] = problems(broken, "limit-exceeds-longest-item")
    assert found.startswith("matter bankruptcy-check: promises 4 working days, more than its longest item (3)")


def test_a_merged_material_list_longer_than_the_items_lists_is_reported(shipped):
    def each_item_twice(catalog, matter_code, situations):
        [entry] = material_list(catalog, "bankruptcy-check", [])[:1]
        return [entry for item in catalog.items_for(matter_code, situations) for _ in item.materials * 2]
    found = [p for p in material_list_rules(shipped, derive=each_item_twice)
             if p.subject == "matter bankruptcy-check"]
    assert [p.rule for p in found] == ["material-list-too-long"]


def test_an_item_declaring_a_shared_field_with_another_type_is_reported(shipped):
    overrides = {"enterprise_name": FieldOverride(type="integer")}
    broken = changed(shipped, "items", "tax-clearance", field_overrides=overrides)
    assert problems(broken, "conflicting-field-type") == [
        "field enterprise_name: item tax-clearance declares it integer, the catalog string"]


def test_a_field_defined_with_another_type_in_another_file_is_reported(tmp_path, shipped):
    root = dump(shipped, tmp_path)
    (root / "fields").mkdir()
    (root / "fields" / "more.yaml").write_text(yaml.safe_dump({"uscc": {"label": "代码", "type": "integer"}}))
    assert problems(load_catalog(root), "conflicting-field-type") == [
        "field uscc: defined differently in fields.yaml, fields/more.yaml"]


def test_a_material_defined_differently_twice_is_reported(tmp_path, shipped):
    root = dump(shipped, tmp_path)
    (root / "materials").mkdir()
    again = {"bank-card": {"name": "银行卡", "spec": {"form": "copy", "copies": 2}}}
    (root / "materials" / "more.yaml").write_text(yaml.safe_dump(again, allow_unicode=True), encoding="utf-8")
    assert problems(load_catalog(root), "duplicate-definition") == [
        "materials bank-card: defined differently in materials.yaml, materials/more.yaml"]


def test_a_deferrable_material_without_supply_days_is_reported(shipped):
    broken = changed(shipped, "materials", "food-safety-rules", supply_days=None)
    assert problems(broken, "deferrable-without-supply-days") == [
        "material food-safety-rules: deferrable material has no supply_days (the deadline to supply it)"]


def test_a_registry_material_no_item_issues_is_reported(shipped):
    broken = changed(shipped, "materials", "business-license", license_type="no-such-license")
    assert [p.split(":")[0] for p in problems(broken, "unknown-license-type")] == ["material business-license"]


def test_an_e_license_asked_of_the_applicant_is_reported(shipped):
    broken = changed(shipped, "materials", "business-license", source="applicant")
    assert [p.split(":")[0] for p in problems(broken, "license-not-from-registry")] == ["material business-license"]


def test_a_matter_with_no_item_without_situations_is_reported(shipped):
    broken = changed(shipped, "items", "power-connection", situations=["needs-water"])
    assert problems(broken, "empty-matter") == [
        "matter utility-connection: no item applies when no situation is chosen"]


def test_an_item_situation_the_matter_lacks_is_reported(shipped):
    broken = changed(shipped, "items", "eia-registration-filing", situations=["large-scale"])
    found = problems(broken, "unknown-situation")
    assert "matter open-restaurant: item eia-registration-filing applies under situation 'large-scale'," \
           " which the matter lacks" in found
    assert any(p.startswith("matter construction-permit:") for p in found)


def test_lint_reports_every_problem_at_once(shipped):
    broken = changed(shipped, "items", "tax-clearance", department="nowhere", materials=["nothing"])
    broken = changed(broken, "matters", "bankruptcy-check", promised_days=9)
    assert {"unknown-department", "unknown-material", "limit-exceeds-longest-item"} <= {p.rule for p in lint(broken)}


def test_situation_choices_are_exhaustive_for_small_matters(shipped):
    assert len(situation_choices(shipped.matter("open-restaurant"))) == 16
    assert situation_choices(shipped.matter("bankruptcy-check")) == [[]]


def test_main_prints_a_summary_and_succeeds_on_the_shipped_catalog(capsys):
    assert main([]) == 0
    out = capsys.readouterr().out
    assert "2026.12.2" in out and "no problems" in out


def test_main_prints_one_line_per_problem_and_fails(tmp_path, shipped, capsys):
    broken = changed(shipped, "items", "tax-clearance", department="nowhere")
    assert main([str(dump(broken, tmp_path))]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert "[unknown-department] item tax-clearance: department 'nowhere' does not exist" in lines
    assert lines[-1].endswith("problem(s)")


def test_main_fails_on_a_catalog_that_does_not_load(tmp_path, capsys):
    assert main([str(tmp_path / "missing")]) == 1
    assert capsys.readouterr().out.startswith("[load]")


def test_a_matter_never_demands_what_it_issues(shipped):
    """Issue 18: company-opening asked the applicant for the 营业执照 its own business-registration issues."""
    listed = {e.code for e in material_list(shipped, "company-opening")}
    assert "business-license" not in listed  # business-registration, a prerequisite, delivers it in the plan
    assert "birth-medical-certificate" not in {e.code for e in material_list(shipped, "newborn")}
    # without that prerequisite, the bank account would ask for the licence the matter itself issues: refused
    unplanned = changed(shipped, "items", "bank-account-opening", prerequisites=[])
    found = problems(unplanned, "demands-own-output")
    assert found and "bank-account-opening" in found[0] and "business-registration" in found[0]
    # an item changing a license its holder already has may ask for it (company-change's food licence)
    assert not any("company-change" in p for p in problems(shipped, "demands-own-output"))


def test_a_platform_item_code_is_linted_for_its_format(shipped):
    # shapes only: no item of the shipped catalog carries a code, none could be sourced for 乌审旗
    good = "11150626MB1535372X" + "4000117001000"  # a synthetic body with a valid check character
    assert problems(changed(shipped, "items", "tax-clearance", platform_code=good), "platform-code-format") == []
    assert problems(changed(shipped, "items", "tax-clearance", platform_code=good + "01"),
                    "platform-code-body") == []
    assert problems(changed(shipped, "items", "tax-clearance", platform_code="000109001000"),
                    "platform-code-format") == ["item tax-clearance: 事项编码 must be an 18-character credit code "
                                                "followed by 13 digits (15 for a 业务办理项)"]
    wrong_body = "11150626MB1535372P" + "4000117001000"
    assert problems(changed(shipped, "items", "tax-clearance", platform_code=wrong_body), "platform-code-body")
    twice = changed(changed(shipped, "items", "tax-clearance", platform_code=good), "items", "tax-record-update",
                    platform_code=good)
    assert problems(twice, "platform-code-repeated")


def test_a_field_holding_an_id_number_must_be_checked_as_one(shipped):
    field = shipped.fields["employee_id_number"]
    unchecked = field.model_copy(update={"constraints": field.constraints.model_copy(update={"format": None})})
    catalog = shipped.model_copy(update={"fields": {**shipped.fields, "employee_id_number": unchecked}})
    assert [p.split(":")[0] for p in problems(catalog, "id-number-unchecked")] == ["field employee_id_number"]


def test_every_matter_names_its_commitment_breach_follow_up_and_revoke_needs_a_license(shipped):
    """承诺失信: the follow-up defaults to a credit record; revoking needs an item that issues a license."""
    assert {m.commitment_breach for m in shipped.matters.values()} == {"credit_record"}
    revoking = changed(shipped, "matters", "open-restaurant", commitment_breach="revoke")
    assert problems(revoking, "breach-revokes-nothing") == []
    licensed = [c for c in shipped.matters["bankruptcy-check"].items if shipped.items[c].license_type]
    assert licensed == []
    [found] = problems(changed(shipped, "matters", "bankruptcy-check", commitment_breach="revoke"),
                       "breach-revokes-nothing")
    assert found.startswith("matter bankruptcy-check")
