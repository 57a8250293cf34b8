"""The guide renderers: every page names its matter, lists every material, states the limits, escapes the catalog."""
from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

import pytest
import segno

from services.intake.guides.data import matter_detail, matter_form
from services.intake.guides.guide_page import render_guide
from services.intake.guides.handbook import render_handbook
from services.intake.guides.labels import days_text
from services.intake.guides.qr import guide_url, qr_inline, qr_svg
from services.intake.guides.sheets import render_form, render_notice
from shared.catalog import Catalog, Department, FormField, Item, Material, Matter, default_catalog

BASE = "https://zwfw.example.cn"
CATALOG = default_catalog()
EVIL = "<script>alert('x')</script>&"


def pages(catalog: Catalog, code: str) -> dict[str, str]:
    detail = matter_detail(catalog, code)
    qr = qr_inline(BASE, code, "二维码")
    return {"guide": render_guide(detail, qr), "notice": render_notice(detail, qr),
            "form": render_form(detail, matter_form(catalog, code, detail["situations_applied"]))}


@pytest.mark.parametrize("code", sorted(CATALOG.matters))
def test_every_page_names_the_matter_and_guide_and_notice_list_every_material_and_the_limit(code):
    detail = matter_detail(CATALOG, code)
    rendered = pages(CATALOG, code)
    for text in rendered.values():
        assert html.escape(detail["name"]) in text
    for kind in ("guide", "notice"):
        for material in detail["materials"]:
            assert html.escape(material["name"]) in rendered[kind], (kind, material["name"])
        assert days_text(detail["limits"]["matter_days"]) in rendered[kind]


@pytest.mark.parametrize("code", sorted(CATALOG.matters))
def test_the_guide_shows_items_departments_situations_channels_and_reductions(code):
    detail = matter_detail(CATALOG, code)
    guide = pages(CATALOG, code)["guide"]
    expected = [i["name"] for i in detail["items"]] + [d["name"] for d in detail["departments"]] + \
        [s["label"] for s in detail["situations"]] + [c["label"] for c in detail["channels"]] + \
        [d["label"] for d in detail["delivery_methods"]] + ["减时限", "减环节", "减材料", "减成本", "减跑动"]
    missing = [text for text in expected if html.escape(text) not in guide]
    assert missing == []
    assert days_text(detail["limits"]["critical_path_days"]) in guide


@pytest.mark.parametrize("code", sorted(CATALOG.matters))
def test_the_blank_form_asks_every_merged_field_once(code):
    form = matter_form(CATALOG, code, CATALOG.matter(code).situation_codes)
    text = pages(CATALOG, code)["form"]
    for field in form["properties"].values():
        assert text.count(f"<td>{html.escape(field['title'])}") == 1, field["title"]


def test_deferrable_materials_carry_the_rongque_mark_and_the_supply_deadline():
    guide = pages(CATALOG, "construction-permit")["guide"]
    deferred = [m for m in matter_detail(CATALOG, "construction-permit")["materials"] if m["deferrable"]]
    assert deferred and guide.count('<span class="mark">容缺') == len(deferred)
    assert f"受理后 {deferred[0]['supply_days']} 个工作日内补交" in guide


def test_the_handbook_links_every_matter_relatively():
    text = render_handbook(CATALOG)
    for code, matter in CATALOG.matters.items():
        assert html.escape(matter.name) in text
        for link in (f"{code}/index.html", f"{code}/form/index.html", f"{code}/notice/index.html"):
            assert f'href="{link}"' in text


@pytest.mark.parametrize("kind", ["guide", "notice", "form", "handbook"])
def test_pages_are_zh_cn_utf8_a4_with_the_cjk_font_stack_and_balanced_tags(kind):
    text = render_handbook(CATALOG) if kind == "handbook" else pages(CATALOG, "newborn")[kind]
    assert text.startswith("<!DOCTYPE html>") and '<html lang="zh-CN">' in text and '<meta charset="utf-8">' in text
    assert re.search(r"@page\s*{\s*size:\s*A4", text)
    assert '"Noto Sans CJK SC"' in text and '"WenQuanYi Zen Hei"' in text
    assert Balance.check(text) == []


def evil_catalog() -> Catalog:
    department = Department(code="tax", name=f"税务局{EVIL}", level="banner", key="SW")
    material = Material(code="m", name=f"材料{EVIL}", spec={"form": "copy"}, acceptance_conditions=EVIL,
                        deferrable=True, supply_days=3)
    field = FormField(code="f", label=f"字段{EVIL}", type="enum", constraints={"enum": [EVIL, "乙"]})
    item = Item(code="i", name=f"事项{EVIL}", department="tax", item_type="公共服务", legal_days=2,
                promised_days=1, materials=["m"], fields=["f"], situations=["s"])
    matter = Matter(code="x", name=f"一件事{EVIL}", lead_department="tax", items=["i"], promised_days=1,
                    situations=[{"code": "s", "label": f"情形{EVIL}"}], delivery_methods=["mail"],
                    channels=["window"], life_cycle="individual", audience=EVIL, visits_before=2, visits_after=1)
    return Catalog(version="t", status="draft", departments={"tax": department}, items={"i": item},
                   matters={"x": matter}, materials={"m": material}, fields={"f": field})


@pytest.mark.parametrize("kind", ["guide", "notice", "form", "handbook"])
def test_catalog_text_is_escaped(kind):
    catalog = evil_catalog()
    text = render_handbook(catalog) if kind == "handbook" else pages(catalog, "x")[kind]
    assert "<script>" not in text and html.escape(EVIL) in text
    assert Balance.check(text) == []


def test_the_qr_svg_is_valid_svg_encoding_the_guide_url():
    root = ET.fromstring(qr_svg(BASE + "/", "newborn"))
    ns = "{http://www.w3.org/2000/svg}"
    path = root.find(f"{ns}path")
    assert root.tag == f"{ns}svg" and path is not None
    assert root.find(f"{ns}title").text == guide_url(BASE, "newborn") == f"{BASE}/guides/newborn"
    assert modules_of(path.get("d")) == dark_modules(segno.make(f"{BASE}/guides/newborn", error="m"))


def test_the_inline_qr_is_the_same_symbol_as_the_svg_file():
    inline = ET.fromstring(qr_inline(BASE, "newborn", "扫码 <指南>"))
    assert inline.find("title").text == "扫码 <指南>"
    assert modules_of(inline.find("path").get("d")) == modules_of(
        ET.fromstring(qr_svg(BASE, "newborn")).find("{http://www.w3.org/2000/svg}path").get("d"))


def modules_of(d: str) -> set[tuple[int, int]]:
    """The dark modules drawn by segno's path: `M x y`/`m dx dy` moves and `h n` runs of modules."""
    x = y = 0.0
    dark = set()
    for command, a, b in re.findall(r"([Mmh])(-?[\d.]+)(?:\s+(-?[\d.]+))?", d):
        if command == "M":
            x, y = float(a), float(b)
        elif command == "m":
            x, y = x + float(a), y + float(b)
        else:
            dark |= {(int(x) + i, int(y)) for i in range(int(a))}
            x += float(a)
    return dark


def dark_modules(symbol: segno.QRCode, border: int = 4) -> set[tuple[int, int]]:
    return {(x + border, y + border) for y, row in enumerate(symbol.matrix) for x, on in enumerate(row) if on}


class Balance(HTMLParser):
    """Every opened element is closed in order (void elements aside)."""

    VOID = {"meta", "br", "img", "hr", "link", "input"}

    def __init__(self):
        super().__init__()
        self.stack, self.problems = [], []

    @classmethod
    def check(cls, text: str) -> list[str]:
        parser = cls()
        parser.feed(text)
        return parser.problems + [f"unclosed {tag}" for tag in parser.stack]

    def handle_starttag(self, tag, attrs):
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        if not self.stack or self.stack.pop() != tag:
            self.problems.append(f"unexpected </{tag}>")


@pytest.mark.parametrize("code", ["construction-permit", "bankruptcy-check"])
def test_the_notice_gives_acceptance_conditions_and_the_commitment_rule_only_when_a_material_is_deferrable(code):
    detail = matter_detail(CATALOG, code)
    notice = pages(CATALOG, code)["notice"]
    for material in detail["materials"]:
        assert html.escape(material["acceptance_conditions"]) in notice
    assert ("容缺承诺" in notice) == any(m["deferrable"] for m in detail["materials"])
