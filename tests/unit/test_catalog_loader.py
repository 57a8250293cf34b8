"""Loading the catalog: the shipped data, the query API, and clear errors for broken files."""
from pathlib import Path

import pytest
import yaml

from shared.catalog import (
    Catalog,
    CatalogError,
    UnknownMatter,
    UnknownSituation,
    default_catalog,
    load_catalog,
)


def write_catalog(root: Path, status: str = "draft", **files: dict) -> Path:
    """A minimal valid catalog in `root`; `files` maps a file name (`__` for `/`, `.yaml` implied) to content."""
    (root / "catalog.yaml").write_text(yaml.safe_dump({"version": "9.9.9", "status": status}))
    base = {
        "departments.yaml": {"tax": {"name": "国家税务总局乌审旗税务局", "level": "banner", "key": "SW"}},
        "items.yaml": {"tax-check": {
            "name": "纳税信息核查", "department": "tax", "item_type": "公共服务",
            "legal_days": 5, "promised_days": 1, "fields": ["uscc"]}},
        "fields.yaml": {"uscc": {"label": "统一社会信用代码", "type": "string"}},
        "matters.yaml": {"tax-matter": {
            "name": "纳税核查一件事", "lead_department": "tax", "items": ["tax-check"], "promised_days": 1,
            "delivery_methods": ["online"], "channels": ["online"], "life_cycle": "enterprise",
            "audience": "企业", "visits_before": 1, "visits_after": 0}},
    }
    extra = {k.replace("__", "/").removesuffix(".yaml") + ".yaml": v for k, v in files.items()}
    for name, content in {**base, **extra}.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(yaml.safe_dump(content, allow_unicode=True), encoding="utf-8")
    return root


def test_the_shipped_catalog_loads_with_a_version():
    catalog = load_catalog()
    assert isinstance(catalog, Catalog)
    assert catalog.version == "2026.12.2"
    assert catalog.status in ("draft", "published")


def test_default_catalog_is_loaded_once():
    assert default_catalog() is default_catalog()


def test_an_unknown_matter_raises_a_key_error_naming_it():
    with pytest.raises(UnknownMatter) as raised:
        default_catalog().matter("no-such-matter")
    assert isinstance(raised.value, KeyError)
    assert "no-such-matter" in str(raised.value)


def test_bankruptcy_check_is_four_parallel_items_in_four_departments():
    items = default_catalog().items_for("bankruptcy-check")
    assert len(items) == 4
    assert len({item.department for item in items}) == 4
    assert all(not item.prerequisites for item in items)


def test_open_restaurant_has_a_chain_and_an_independent_item_without_situations():
    items = {item.code: item for item in default_catalog().items_for("open-restaurant")}
    chained = [i for i in items.values() if set(i.prerequisites) & set(items)]
    depended_on = {p for i in items.values() for p in i.prerequisites}
    loners = [c for c, i in items.items() if not i.prerequisites and c not in depended_on]
    assert chained and loners
    assert "fire-safety-check-before-opening" not in items


def test_the_fire_check_applies_only_over_the_area_threshold():
    codes = [i.code for i in default_catalog().items_for("open-restaurant", ["area-over-threshold"])]
    assert "fire-safety-check-before-opening" in codes


def test_a_matter_can_make_a_shared_item_conditional():
    catalog = default_catalog()
    assert "business-registration" not in [i.code for i in catalog.items_for("open-restaurant")]
    with_new = catalog.items_for("open-restaurant", ["new-business-entity"])
    assert with_new[0].code == "business-registration"


def test_an_unknown_situation_is_refused():
    with pytest.raises(UnknownSituation, match="no-such-situation"):
        default_catalog().items_for("open-restaurant", ["no-such-situation"])


def test_a_minimal_catalog_loads_from_any_directory(tmp_path):
    catalog = load_catalog(write_catalog(tmp_path))
    assert catalog.version == "9.9.9"
    assert [i.code for i in catalog.items_for("tax-matter")] == ["tax-check"]


def test_a_missing_directory_is_a_catalog_error(tmp_path):
    with pytest.raises(CatalogError, match="not found"):
        load_catalog(tmp_path / "nowhere")


def test_a_shape_error_names_the_file_the_entry_and_the_field(tmp_path):
    bad = {"x": {"name": "坏部门", "level": "province", "key": "X"}}
    write_catalog(tmp_path, departments__bad=bad)
    with pytest.raises(CatalogError, match=r"departments/bad\.yaml: departments 'x': level"):
        load_catalog(tmp_path)


def test_an_unknown_key_is_refused_so_typos_surface(tmp_path):
    write_catalog(tmp_path, **{"fields.yaml": {"uscc": {"label": "代码", "type": "string", "requird": True}}})
    with pytest.raises(CatalogError, match=r"fields\.yaml: fields 'uscc': requird"):
        load_catalog(tmp_path)


def test_duplicate_keys_in_one_file_are_refused(tmp_path):
    write_catalog(tmp_path)
    (tmp_path / "fields.yaml").write_text("uscc: {label: a, type: string}\nuscc: {label: b, type: string}\n")
    with pytest.raises(CatalogError, match="duplicate key"):
        load_catalog(tmp_path)


def test_invalid_yaml_names_the_file(tmp_path):
    write_catalog(tmp_path)
    (tmp_path / "items.yaml").write_text("tax-check: [unclosed\n")
    with pytest.raises(CatalogError, match=r"items\.yaml: cannot read YAML"):
        load_catalog(tmp_path)


def test_a_code_defined_in_two_files_is_kept_once_and_recorded(tmp_path):
    write_catalog(tmp_path, fields__extra={"uscc": {"label": "代码", "type": "integer"}})
    catalog = load_catalog(tmp_path)
    assert catalog.fields["uscc"].type == "string"
    [redefinition] = catalog.redefinitions
    assert (redefinition.kind, redefinition.code, redefinition.same) == ("fields", "uscc", False)
    assert redefinition.files == ["fields.yaml", "fields/extra.yaml"]


def test_a_draft_is_refused_when_a_published_catalog_is_required(tmp_path):
    write_catalog(tmp_path, status="draft")
    with pytest.raises(CatalogError, match="draft, not published"):
        load_catalog(tmp_path, require_published=True)
    assert load_catalog(tmp_path).status == "draft"


def test_a_typo_in_the_version_header_is_refused(tmp_path):
    write_catalog(tmp_path)
    (tmp_path / "catalog.yaml").write_text('version: "1.0"\nstauts: published\n')
    with pytest.raises(CatalogError, match=r"catalog\.yaml: stauts"):
        load_catalog(tmp_path)
