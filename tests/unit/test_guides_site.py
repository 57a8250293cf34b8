"""The guide data, the site map shared by serving and export, the HTTP responses and `yici guides build`."""
from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urljoin

import jsonschema
import pytest

from edge_support import as_http
from services.intake.guides import build_site, guide_response, matter_detail, matter_form, site_pages
from services.intake.guides.site import find_page
from shared.api import ApiError
from shared.catalog import default_catalog
from shared.catalog.forms import merged_form
from shared.catalog.limits import limits
from shared.catalog.materials import material_list
from yici.cli import main as yici

CATALOG = default_catalog()
BASE = "https://zwfw.example.cn"


def test_the_detail_is_the_catalog_derivations_for_every_situation():
    everything = CATALOG.matter("open-restaurant").situation_codes
    detail = matter_detail(CATALOG, "open-restaurant")
    assert detail["situations_applied"] == everything
    assert [m["code"] for m in detail["materials"]] == [m.code for m in material_list(CATALOG, "open-restaurant",
                                                                                      everything)]
    assert detail["limits"]["critical_path"] == limits(CATALOG, "open-restaurant", everything).critical_path
    assert detail["departments"][0] == {**detail["lead_department"], "lead": True}


def test_each_material_says_in_which_situations_it_is_needed():
    materials = {m["code"]: m for m in matter_detail(CATALOG, "open-restaurant")["materials"]}
    assert materials["registration-application"]["situations"] == ["new-business-entity"]
    assert materials["legal-representative-id-card"]["situations"] == []
    assert materials["legal-representative-id-card"]["from_registry"] is True


def test_chosen_situations_narrow_items_and_materials():
    whole, tobacco = matter_detail(CATALOG, "open-restaurant"), matter_detail(CATALOG, "open-restaurant",
                                                                              ["sells-tobacco"])
    assert len(tobacco["items"]) < len(whole["items"]) and len(tobacco["materials"]) < len(whole["materials"])


def test_an_unknown_matter_is_a_404_problem():
    with pytest.raises(ApiError) as raised, as_http():
        matter_detail(CATALOG, "moon-landing")
    assert raised.value.status == 404 and raised.value.problems[0]["field"] == "matter_code"


@pytest.mark.parametrize("derive", [matter_detail, matter_form])
def test_unknown_situations_are_one_422_problem_each_in_chinese_and_english(derive):
    with pytest.raises(ApiError) as raised, as_http():
        derive(CATALOG, "newborn", ["twins", "mother-employee-insured", "twins", "abroad"])
    assert raised.value.status == 422
    assert [(p["field"], p["code"]) for p in raised.value.problems] == [("situation", "unknown_situation")] * 2
    assert "新生儿出生一件事" in raised.value.problems[0]["message_zh"]
    assert "abroad" in raised.value.problems[1]["message_en"]


def test_the_form_is_the_merged_form_and_a_valid_json_schema():
    form = matter_form(CATALOG, "open-restaurant", ["outdoor-signboard"])
    assert form == merged_form(CATALOG, "open-restaurant", ["outdoor-signboard"])
    jsonschema.Draft202012Validator.check_schema(form)


def test_the_site_has_a_handbook_and_four_files_per_matter_in_each_edition():
    paths = [page.path for page in site_pages(CATALOG, BASE)]
    assert paths[0] == "index.html" and len(paths) == 2 * (1 + 4 * len(CATALOG.matters))
    for prefix in ("", "mn/"):
        assert f"{prefix}index.html" in paths
        for code in CATALOG.matters:
            assert {f"{prefix}{code}/index.html", f"{prefix}{code}/form/index.html",
                    f"{prefix}{code}/notice/index.html", f"{prefix}{code}/qr.svg"} <= set(paths)


@pytest.mark.parametrize("path, expected", [("", "index.html"), ("index.html", "index.html"),
                                            ("newborn/", "newborn/index.html"), ("newborn/qr.svg", "newborn/qr.svg"),
                                            ("newborn/form/index.html", "newborn/form/index.html"),
                                            ("newborn/nothing", None), ("moon/", None), ("../etc/passwd", None)])
def test_find_page_maps_served_paths_to_site_files(path, expected):
    found = find_page(CATALOG, BASE, path)
    assert (found.path if found else None) == expected


def test_served_pages_are_the_exported_bytes(tmp_path):
    build_site(CATALOG, tmp_path, BASE)
    for page in site_pages(CATALOG, BASE):
        served = guide_response(CATALOG, BASE, page.path.removesuffix("index.html"))
        assert served.status_code == 200 and served.content_type == page.media_type
        assert served.get_data() == (tmp_path / "guides" / page.path).read_bytes(), page.path


def test_every_relative_link_of_the_export_resolves_to_an_exported_file(tmp_path):
    build_site(CATALOG, tmp_path, BASE)
    root = tmp_path / "guides"
    broken = []
    for html_file in root.rglob("*.html"):
        for link in re.findall(r'(?:href|src)="([^"#]+)"', html_file.read_text(encoding="utf-8")):
            target = Path(urljoin(html_file.as_uri(), link).removeprefix("file://"))
            if not target.is_file():
                broken.append((html_file.relative_to(root).as_posix(), link))
    assert broken == []


@pytest.mark.parametrize("path, location", [("newborn", "newborn/"), ("newborn/form", "form/"),
                                            ("newborn/notice", "notice/")])
def test_a_page_directory_without_its_slash_redirects_relatively(path, location):
    response = guide_response(CATALOG, BASE, path)
    assert response.status_code == 308 and response.headers["Location"] == location


def test_an_unknown_page_is_a_404_html_page():
    response = guide_response(CATALOG, BASE, "newborn/nothing")
    assert response.status_code == 404 and "text/html" in response.content_type and "未找到" in response.get_data(True)


def test_yici_guides_build_writes_the_site_with_qr_codes_to_the_given_base_url(tmp_path, capsys):
    assert yici(["guides", "build", str(tmp_path), "--base-url", BASE]) == 0
    assert (tmp_path / "guides" / "index.html").is_file()
    assert f"<title>{BASE}/guides/newborn</title>" in (tmp_path / "guides/newborn/qr.svg").read_text()
    assert "wrote" in capsys.readouterr().out


def test_yici_guides_build_defaults_to_the_configured_public_base_url(tmp_path, monkeypatch):
    monkeypatch.setenv("YICI_PUBLIC_BASE_URL", "https://from-config.example")
    assert yici(["guides", "build", str(tmp_path)]) == 0
    assert "https://from-config.example/guides/newborn" in (tmp_path / "guides/newborn/qr.svg").read_text()
