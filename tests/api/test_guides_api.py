"""The matter data endpoints and the guide pages as the embedded suite serves them (public, no token)."""
from __future__ import annotations

import xml.etree.ElementTree as ET

import jsonschema
import pytest
import requests

from shared.catalog import default_catalog
from shared.catalog.forms import merged_form
from shared.catalog.materials import material_list
from yici_testkit import BIN, Process, base_env, free_port

PUBLIC = "https://zwfw.wushen.example"


@pytest.fixture(scope="module")
def suite(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("guides-api")
    port = free_port()
    env = base_env(tmp, YICI_PORT=str(port), YICI_PUBLIC_BASE_URL=PUBLIC)
    process = Process([str(BIN / "yici"), "run"], env, tmp / "yici.log", port).start()
    process.wait_ready()
    yield process
    process.stop()


def get(suite, path: str, **kwargs) -> requests.Response:
    return requests.get(suite.url(path), timeout=10, **kwargs)


def test_a_matter_lists_items_departments_materials_limits_fees_channels_and_reductions(suite):
    body = get(suite, "/api/v1/matters/open-restaurant").json()
    catalog = default_catalog()
    everything = catalog.matter("open-restaurant").situation_codes
    assert body["name"] == "开办餐饮店一件事" and body["lead_department"]["name"] == "乌审旗市场监督管理局"
    assert [m["code"] for m in body["materials"]] == [
        m.code for m in material_list(catalog, "open-restaurant", everything)]
    assert {"deferrable", "commitment_allowed", "from_registry", "spec"} <= set(body["materials"][0])
    assert body["limits"]["matter_days"] == 5 and body["limits"]["critical_path"]
    assert all(i["department_name"].startswith(("乌审旗", "鄂尔多斯市")) for i in body["items"])
    assert {c["code"] for c in body["channels"]} == {"online", "window"}
    assert {"time", "steps", "materials", "cost", "visits"} <= set(body["reductions"])
    assert body["fees"]["payable"] == 0


def test_situations_narrow_the_matter(suite):
    whole = get(suite, "/api/v1/matters/open-restaurant").json()
    narrow = get(suite, "/api/v1/matters/open-restaurant", params={"situation": "sells-tobacco"}).json()
    assert narrow["situations_applied"] == ["sells-tobacco"]
    assert len(narrow["items"]) < len(whole["items"])


def test_the_form_is_the_merged_json_schema_for_the_chosen_situations(suite):
    situations = ["new-business-entity", "outdoor-signboard"]
    response = get(suite, "/api/v1/matters/open-restaurant/form", params={"situation": situations})
    assert response.status_code == 200
    assert response.json() == merged_form(default_catalog(), "open-restaurant", situations)
    jsonschema.Draft202012Validator.check_schema(response.json())


@pytest.mark.parametrize("path", ["/api/v1/matters/no-such-matter", "/api/v1/matters/no-such-matter/form"])
def test_an_unknown_matter_is_404_json(suite, path):
    response = get(suite, path)
    assert response.status_code == 404 and response.headers["Content-Type"] == "application/json"
    assert response.json()["problems"][0]["field"] == "matter_code"


@pytest.mark.parametrize("path", ["/api/v1/matters/newborn", "/api/v1/matters/newborn/form"])
def test_unknown_situations_are_422_with_one_problem_each(suite, path):
    response = get(suite, path, params={"situation": ["twins", "mother-employee-insured", "abroad"]})
    assert response.status_code == 422
    problems = response.json()["problems"]
    assert [p["code"] for p in problems] == ["unknown_situation"] * 2
    assert all(p["field"] == "situation" and p["message_zh"] and p["message_en"] for p in problems)
    assert "twins" in problems[0]["message_en"] and "abroad" in problems[1]["message_zh"]


@pytest.mark.parametrize("path", ["/guides/", "/guides/newborn/", "/guides/newborn/form/", "/guides/newborn/notice/",
                                  "/guides/index.html", "/guides/newborn/index.html"])
def test_guide_pages_are_public_utf8_html(suite, path):
    response = get(suite, path)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"
    assert '<html lang="zh-CN">' in response.text and "新生儿出生一件事" in response.text


@pytest.mark.parametrize("path, location", [("/guides", "/guides/"), ("/guides/newborn", "newborn/"),
                                            ("/guides/newborn/notice", "notice/")])
def test_a_page_directory_without_its_slash_redirects(suite, path, location):
    response = get(suite, path, allow_redirects=False)
    assert response.status_code in (301, 308) and response.headers["Location"].endswith(location)
    assert get(suite, path).status_code == 200


def test_the_qr_svg_links_to_the_configured_public_url(suite):
    response = get(suite, "/guides/newborn/qr.svg")
    assert response.headers["Content-Type"] == "image/svg+xml"
    root = ET.fromstring(response.content)
    ns = "{http://www.w3.org/2000/svg}"
    assert root.tag == f"{ns}svg" and root.find(f"{ns}path") is not None
    assert root.find(f"{ns}title").text == f"{PUBLIC}/guides/newborn"


@pytest.mark.parametrize("path", ["/guides/no-such-matter/", "/guides/newborn/nothing"])
def test_an_unknown_page_is_a_404_html_page(suite, path):
    response = get(suite, path)
    assert response.status_code == 404 and "未找到" in response.text
