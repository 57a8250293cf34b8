"""Traditional Mongolian in a real headless chromium (ADR 0030): the bilingual guide, notice sheet and receipt,
on screen and as A4 PDF, draw their Mongolian with Noto Sans Mongolian (installed by deploy/install-browser.sh),
with no missing-glyph box, running vertically (writing-mode vertical-lr, boxes taller than wide).

That the glyph check can fail is shown by the same page in a chromium whose fontconfig rejects the Mongolian
font: there the Mongolian letters are reported as boxes, and the PDF embeds no Mongolian font."""
from __future__ import annotations

import base64
import re

import pytest
import requests

from devtools_kit import DevTools
from screens_kit import ARTEFACTS, assert_screen_ok, missing_glyphs
from shared.i18n import MONGOLIAN
from yici_testkit import AUTH, case_body, embedded_suite, submit

pytestmark = pytest.mark.browser
FONT = "Noto Sans Mongolian"
NO_MONGOLIAN_FONT = """<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "fonts.dtd">
<fontconfig>
  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>
  <selectfont><rejectfont><glob>*NotoSansMongolian*</glob></rejectfont></selectfont>
</fontconfig>
"""
PAGES = {"guide": "/guides/mn/open-restaurant/", "notice": "/guides/mn/open-restaurant/notice/"}


@pytest.fixture(scope="module")
def suite(tmp_path_factory):
    with embedded_suite(tmp_path_factory.mktemp("mongolian")) as process:
        yield process


@pytest.fixture(scope="module")
def receipt_case(suite):
    response = submit(suite.url(""), {**case_body("bankruptcy-check"), "language": "mn"})
    assert response.status_code == 201, response.text
    return response.json()["case_id"]


@pytest.fixture
def browser(tmp_path):
    devtools = DevTools(tmp_path / "profile", size=(1240, 1754))
    yield devtools
    devtools.close()


@pytest.fixture
def browser_without_mongolian_font(tmp_path, monkeypatch):
    config = tmp_path / "fonts.conf"
    config.write_text(NO_MONGOLIAN_FONT, encoding="utf-8")
    monkeypatch.setenv("FONTCONFIG_FILE", str(config))
    devtools = DevTools(tmp_path / "profile-nofont", size=(1240, 1754))
    yield devtools
    devtools.close()


def open_page(browser, url: str, headers: dict | None = None) -> None:
    if headers:
        browser.page("Network.enable")
        browser.page("Network.setExtraHTTPHeaders", headers=headers)
    browser.page("Page.navigate", url=url)
    browser.wait("document.readyState === 'complete' && !!document.querySelector('.mn')")
    browser.page("Runtime.evaluate", expression="document.fonts.ready.then(() => true)", awaitPromise=True)


def mongolian_letters(browser) -> set[str]:
    text = browser.evaluate("document.body.innerText")
    return {ch for ch in text if ord(ch) in MONGOLIAN}


def fonts_used(browser, selector: str) -> dict[str, int]:
    """The platform fonts chromium drew the element's text with (family → glyph count)."""
    browser.page("DOM.enable")
    browser.page("CSS.enable")
    root = browser.page("DOM.getDocument")["root"]["nodeId"]
    node = browser.page("DOM.querySelector", nodeId=root, selector=selector)["nodeId"]
    return {f["familyName"]: f["glyphCount"] for f in browser.page("CSS.getPlatformFontsForNode", nodeId=node)["fonts"]}


def vertical_blocks(browser) -> list[dict]:
    """The first Mongolian blocks: writing mode, box, and where their first, second and last letters are drawn."""
    return browser.evaluate("""[...document.querySelectorAll('.bi > .mn')].slice(0, 40).map(e => {
        const box = e.getBoundingClientRect(), style = getComputedStyle(e), text = e.firstChild;
        const at = i => { const r = document.createRange(); r.setStart(text, i); r.setEnd(text, i + 1);
                          const b = r.getBoundingClientRect(); return {x: b.left, y: b.top}; };
        const n = text.data.length, letter = i => text.data[i] >= '\u1820' && text.data[i] <= '\u18af';
        let i = 0; while (i < n - 1 && !(letter(i) && letter(i + 1))) i++;  // two letters (not a selector, space)
        return {mode: style.writingMode, orientation: style.textOrientation, width: box.width, height: box.height,
                chars: n, first: at(i), second: at(Math.min(i + 1, n - 1)), last: at(n - 1)};
    })""")


def print_pdf(browser, name: str) -> bytes:
    data = browser.page("Page.printToPDF", paperWidth=8.27, paperHeight=11.69, printBackground=True,
                        preferCSSPageSize=True)["data"]
    pdf = base64.b64decode(data)
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    (ARTEFACTS / f"{name}.pdf").write_bytes(pdf)
    return pdf


def a4_pages(pdf: bytes) -> list[tuple[float, float]]:
    return [(float(w), float(h)) for w, h in re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", pdf)]


def assert_mongolian_page(browser, name: str) -> None:
    assert len(mongolian_letters(browser)) > 10, f"{name}: no Mongolian text"
    assert browser.evaluate("document.querySelector('.bi > .mn').lang") == "mn-Mong-CN"
    blocks = vertical_blocks(browser)
    assert blocks and all(b["mode"] == "vertical-lr" and b["orientation"] == "mixed" for b in blocks)
    # letters go down the line, lines (columns) go left to right; a label of one column is taller than wide
    assert all(b["second"]["y"] > b["first"]["y"] and abs(b["second"]["x"] - b["first"]["x"]) < 2
               for b in blocks if b["chars"] > 1), blocks[:3]
    assert all(b["last"]["x"] >= b["first"]["x"] for b in blocks), blocks[:3]
    labels = [b for b in blocks if 6 <= b["chars"] <= 20]
    assert labels and all(b["height"] > b["width"] for b in labels), labels[:3]
    used = fonts_used(browser, ".bi > .mn")
    assert used.get(FONT, 0) > 0, used
    assert_screen_ok(browser, f"mongolian-{name}")  # screenshot kept, no missing-glyph box, no axe violation
    pdf = print_pdf(browser, f"mongolian-{name}")
    pages = a4_pages(pdf)
    assert pages and all(abs(w - 595.92) < 2 and abs(h - 842.88) < 2 for w, h in pages), pages
    assert b"NotoSansMongolian" in pdf  # the A4 print embeds the Mongolian font


@pytest.mark.parametrize("name", sorted(PAGES))
def test_the_bilingual_guide_and_notice_sheet_draw_vertical_mongolian_on_screen_and_on_a4(suite, browser, name):
    open_page(browser, suite.url(PAGES[name]))
    assert "以中文为准" in browser.evaluate("document.querySelector('.draft').innerText")
    assert_mongolian_page(browser, name)


def test_the_receipt_of_a_mongolian_applicant_draws_vertical_mongolian_on_screen_and_on_a4(suite, browser,
                                                                                           receipt_case):
    open_page(browser, suite.url(f"/api/v1/cases/{receipt_case}/receipt"), headers=AUTH)
    assert "受理回执" in browser.evaluate("document.body.innerText")
    assert_mongolian_page(browser, "receipt")


def test_without_the_mongolian_font_the_same_page_shows_boxes_that_the_glyph_check_finds(
        suite, browser, browser_without_mongolian_font):
    open_page(browser, suite.url(PAGES["notice"]))
    assert missing_glyphs(browser) == []
    open_page(browser_without_mongolian_font, suite.url(PAGES["notice"]))
    missing = set(missing_glyphs(browser_without_mongolian_font))
    letters = {ch for ch in mongolian_letters(browser_without_mongolian_font) if "\u1820" <= ch <= "\u18af"}
    assert len(letters) > 20 and letters <= missing  # every Mongolian letter is reported as a box
    assert not any("\u4e00" <= ch <= "\u9fff" for ch in missing)  # the Chinese still has its font
    assert FONT not in fonts_used(browser_without_mongolian_font, ".bi > .mn")
    assert b"NotoSansMongolian" not in print_pdf(browser_without_mongolian_font, "mongolian-notice-without-font")


def test_the_served_status_page_follows_the_language_switch(suite, browser, receipt_case):
    view = requests.get(suite.url(f"/api/v1/cases/{receipt_case}"), headers=AUTH, timeout=10).json()
    open_page(browser, suite.url(f"/track/{receipt_case}?code={view['lookup_code']}"))
    assert len(mongolian_letters(browser)) > 10 and missing_glyphs(browser) == []
    browser.evaluate("document.querySelector('.lang-switch a[hreflang=\"zh-CN\"]').click(); true")
    browser.wait("location.search.includes('lang=zh') && document.readyState === 'complete'")
    assert not browser.evaluate("!!document.querySelector('.bi')")
    browser.page("Page.navigate", url=suite.url(f"/track/{receipt_case}?code={view['lookup_code']}"))
    browser.wait("document.readyState === 'complete' && !!document.querySelector('h1')")
    assert not browser.evaluate("!!document.querySelector('.bi')")  # the cookie remembered Chinese
