"""Pre-review rules: every deficiency at once; deferrable materials under commitment; registry licenses count."""
from __future__ import annotations

from services.intake.review import Evidence, check_form, review
from shared.catalog import default_catalog
from shared.catalog.forms import merged_form
from shared.catalog.materials import material_list
from yici_testkit import case_body

CATALOG = default_catalog()


def _materials(matter: str, skip: set[str] = frozenset()) -> tuple[list[dict], Evidence]:
    entries = [e for e in material_list(CATALOG, matter) if e.source != "shared" and e.code not in skip]
    shared = {e.code: "demo-exchange" for e in material_list(CATALOG, matter) if e.source == "shared"}
    return ([{"code": e.code, "file_ref": "F1", "sha256": "a" * 64} for e in entries],
            Evidence({"F1": "a" * 64}, fetched=shared))


def test_a_complete_application_passes():
    body = case_body("open-restaurant")
    materials, evidence = _materials("open-restaurant")
    result = review(CATALOG, "open-restaurant", [], body["form"], materials, False, evidence)
    assert result.passed and result.deferred == []


def test_every_missing_field_and_material_is_listed_at_once():
    materials, evidence = _materials("open-restaurant", skip={"food-business-application", "premises-layout-plan"})
    result = review(CATALOG, "open-restaurant", [], {}, materials, False, evidence)
    targets = {d.target for d in result.deficiencies}
    required = set(merged_form(CATALOG, "open-restaurant")["required"])
    assert {f"form.{f}" for f in required} <= targets
    assert {"materials.food-business-application", "materials.premises-layout-plan"} <= targets
    assert all(d.message_zh and d.message_en for d in result.deficiencies)


def test_a_missing_deferrable_material_is_deferred_with_the_commitment_and_a_deficiency_without():
    body = case_body("open-restaurant")
    materials, evidence = _materials("open-restaurant", skip={"food-safety-rules"})
    with_commitment = review(CATALOG, "open-restaurant", [], body["form"], materials, True, evidence)
    assert with_commitment.passed and [d.code for d in with_commitment.deferred] == ["food-safety-rules"]
    assert with_commitment.deferred[0].supply_days > 0
    without = review(CATALOG, "open-restaurant", [], body["form"], materials, False, evidence)
    assert [d.code for d in without.deficiencies] == ["material.missing_deferrable"]


def test_a_license_held_in_the_registry_counts_as_supplied_without_upload():
    body = case_body("open-restaurant")
    materials, evidence = _materials("open-restaurant", skip={"business-license"})
    held = Evidence(evidence.files, {"business-license"}, fetched=evidence.fetched)
    assert review(CATALOG, "open-restaurant", [], body["form"], materials, False, held).passed
    missing = review(CATALOG, "open-restaurant", [], body["form"], materials, False, evidence)
    assert [d.target for d in missing.deficiencies] == ["materials.business-license"]


def test_a_wrong_checksum_or_unknown_file_is_a_deficiency():
    body = case_body("bankruptcy-check")
    materials, _ = _materials("bankruptcy-check")
    materials[0] = {**materials[0], "sha256": "b" * 64}
    materials[1] = {**materials[1], "file_ref": "F-unknown"}
    result = review(CATALOG, "bankruptcy-check", [], body["form"], materials, False, Evidence({"F1": "a" * 64}))
    assert sorted(d.code for d in result.deficiencies) == ["material.checksum", "material.file_not_found"]


def test_shared_data_materials_need_nothing_from_the_applicant_when_the_exchange_supplies_them():
    shared = [e for e in material_list(CATALOG, "open-restaurant") if e.source == "shared"]
    assert shared
    materials, evidence = _materials("open-restaurant")
    result = review(CATALOG, "open-restaurant", [], case_body("open-restaurant")["form"], materials, False, evidence)
    assert not any(d.target == f"materials.{shared[0].code}" for d in result.deficiencies)


def test_wrong_types_and_patterns_in_the_form_are_named():
    schema = merged_form(CATALOG, "bankruptcy-check")
    form = {**case_body("bankruptcy-check")["form"], "applicant_phone": "12345", "extra": 1}
    targets = {d.target for d in check_form(schema, form)}
    assert "form.applicant_phone" in targets and "form" in targets


def test_an_unknown_material_is_named():
    materials, evidence = _materials("bankruptcy-check")
    materials.append({"code": "not-asked", "file_ref": "F1"})
    result = review(CATALOG, "bankruptcy-check", [], case_body("bankruptcy-check")["form"], materials, False, evidence)
    assert [d.target for d in result.deficiencies] == ["materials.not-asked"]
