"""The applicant's pages and printed documents in the Mongolian–Chinese edition (ADR 0030): the status page, the
receipt, the written decision and the guide site show each text in traditional Mongolian beside the Chinese,
say when the Mongolian is a draft, and leave the Chinese edition as it was."""
from __future__ import annotations

import re

from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request

from services.intake import decision_page, front_door, pages
from services.intake.guides.site import build_site, find_page, site_pages
from shared.catalog import default_catalog
from shared.config import load_settings
from shared.i18n import has_mongolian

CATALOG = default_catalog()
BASE = "https://yici.example"
VIEW = {"case_id": "YC20260302000123", "lookup_code": "ABCDEFGHJKLM", "status": "in_approval", "promised_days": 10,
        "deadline": {"date": "2026-03-16"}, "accepted_on": "2026-03-02", "matter_code": "open-restaurant",
        "items": [{"item_code": "business-registration", "name": "市场主体设立登记（营业执照）",
                   "department": "market-regulation", "status": "approved"}],
        "deferred_materials": [{"name": "食品安全管理制度", "due_date": "2026-03-16"}], "language": "mn"}
REJECTION = {"item_code": "food-business-license", "item_name": "食品经营许可（新办）", "reasons": ["经营场所不符合要求"],
             "legal_basis": "《食品经营许可管理办法》第十一条", "department": "market-regulation", "decided_on": "2026-03-09",
             "approved_items": [], "decision_document": {"content": {"number": "SCJG-BYXK-1", "remedies": [
                 {"zh": "可于六十日内申请行政复议"}]}, "seal": {"algorithm": "Ed25519", "key_id": "k1", "signature": "c2ln"}}}
MONGOLIAN_SPAN = re.compile(r'<span class="mn" lang="mn-Mong-CN">([^<]+)</span><span class="zh"[^>]*>([^<]+)</span>')


def pairs(html: str) -> list[tuple[str, str]]:
    return MONGOLIAN_SPAN.findall(html)


def test_the_status_page_in_mongolian_pairs_each_text_with_its_chinese_and_says_it_is_a_draft():
    html = pages.status_page(VIEW, "ABCDEFGHJKLM", "mn")
    found = dict((zh, mn) for mn, zh in pairs(html))
    assert has_mongolian(found["办件进度查询"]) and has_mongolian(found["部门并联审批中"])
    assert has_mongolian(found["市场主体设立登记（营业执照）"])  # the catalog name too
    assert 'class="draft"' in html and "以中文为准" in html
    chinese = pages.status_page(VIEW, "ABCDEFGHJKLM", "zh")
    assert not has_mongolian(chinese) and "办件进度查询" in chinese and 'class="draft"' not in chinese


def test_the_receipt_and_the_written_decision_print_in_both_scripts():
    receipt = pages.receipt_page(VIEW, "开办餐饮店一件事", BASE, "mn")
    assert {"受理回执", "开办餐饮店一件事", "食品安全管理制度：2026-03-16 前补交"} <= {zh for _, zh in pairs(receipt)}
    assert all(has_mongolian(mn) for mn, _ in pairs(receipt)) and "<svg" in receipt  # the QR code stays
    decision = decision_page.decision_page("YC20260302000123", "开办餐饮店一件事", REJECTION, "mn")
    assert "不予行政许可决定书" in {zh for _, zh in pairs(decision)} and "以中文文本为准" in decision
    assert "经营场所不符合要求" in decision  # the department's own words stay as written
    assert not has_mongolian(decision_page.decision_page("YC20260302000123", "开办餐饮店一件事", REJECTION))


def test_each_guide_page_has_a_mongolian_edition_that_links_back_and_says_it_is_a_draft():
    mongolian = [p for p in site_pages(CATALOG, BASE) if p.path.startswith("mn/") and p.path.endswith(".html")]
    assert len(mongolian) == 1 + 3 * len(CATALOG.matters)
    for page in mongolian:
        html = page.make().decode()
        assert has_mongolian(html) and 'class="draft"' in html and 'hreflang="zh-CN"' in html, page.path
        assert re.search(r'<body class="[a-z]+ bilingual">', html), page.path
    guide = find_page(CATALOG, BASE, "mn/open-restaurant/").make().decode()
    names = {zh: mn for mn, zh in pairs(guide)}
    assert has_mongolian(names["开办餐饮店一件事办事指南"]) and has_mongolian(names["食品安全管理制度"])


def test_the_chinese_edition_links_to_the_mongolian_one_and_is_otherwise_chinese():
    html = find_page(CATALOG, BASE, "open-restaurant/notice/").make().decode()
    assert 'href="../../mn/open-restaurant/notice/index.html"' in html
    without_switch = re.sub(r'<a href="[^"]*mn/[^"]*"[^>]*>.*?</a>', "", html)
    assert not has_mongolian(without_switch) and "<body class=\"notice\">" in html


def test_the_front_door_switches_language_with_lang_and_remembers_it_in_a_cookie():
    settings = load_settings(None)
    asked = front_door.front_door(Request(EnvironBuilder(path="/", query_string="lang=mn").get_environ()), settings)
    assert asked.headers["Set-Cookie"].startswith("yici_lang=mn;") and "HttpOnly" in asked.headers["Set-Cookie"]
    html = asked.get_data(True)
    assert '<html lang="mn-Mong-CN">' in html and has_mongolian(html) and 'href="/guides/mn/"' in html
    assert 'aria-current="true">ᠮᠣᠩᠭᠣᠯ' in html
    later = front_door.front_door(Request(EnvironBuilder(path="/", headers={"Cookie": "yici_lang=mn"}).get_environ()),
                                  settings)
    assert "Set-Cookie" not in later.headers and has_mongolian(later.get_data(True))
    plain = front_door.front_door(Request(EnvironBuilder(path="/").get_environ()), settings).get_data(True)
    assert '<html lang="zh-CN">' in plain and "我要办事" in plain and 'aria-current="true">中文' in plain


def test_the_site_export_of_both_editions_is_what_is_served(tmp_path):
    written = build_site(CATALOG, tmp_path, BASE)
    assert len(written) == len(site_pages(CATALOG, BASE))
    assert sum(has_mongolian(p.read_text(encoding="utf-8")) for p in (tmp_path / "guides" / "mn").rglob("*.html")) \
        == 1 + 3 * len(CATALOG.matters)
