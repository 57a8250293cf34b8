"""The screen checks can fail: a blank page, a character no font has, an unlabelled field and unreadable contrast
are each caught; a plain page of the suite's kind passes all of them."""
from __future__ import annotations

from urllib.parse import quote

import pytest

from devtools_kit import DevTools
from screens_kit import assert_screen_ok, axe_violations, missing_glyphs, set_viewport

pytestmark = pytest.mark.browser

GOOD = """<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>受理回执</title>
<style>body{font-family:"Noto Sans CJK SC",sans-serif;font-size:18px}</style></head><body><main>
<h1>受理回执</h1><p>您的申请已受理，办理期限为 5 个工作日。</p>
<label for="phone">手机号码</label><input id="phone" name="phone"><button type="submit">提交</button>
</main></body></html>"""


def show(browser: DevTools, html: str) -> None:
    browser.page("Page.navigate", url="data:text/html;charset=utf-8," + quote(html))
    browser.wait("document.readyState === 'complete' && !!document.body")


@pytest.fixture
def browser(tmp_path):
    devtools = DevTools(tmp_path / "profile", size=(1366, 768))
    yield devtools
    devtools.close()


def test_a_plain_chinese_page_passes_every_check(browser):
    show(browser, GOOD)
    assert assert_screen_ok(browser, "screens-kit-good").is_file()


def test_a_blank_page_is_caught(browser):
    show(browser, '<!doctype html><html lang="zh-CN"><head><title>空</title></head><body><main></main></body></html>')
    with pytest.raises(AssertionError, match="blank"):
        assert_screen_ok(browser, "screens-kit-blank")


def test_a_character_no_font_has_is_caught(browser):
    show(browser, GOOD.replace("已受理", "已受理\U000f0001"))
    assert missing_glyphs(browser) == ["\U000f0001"]


def test_chinese_text_in_the_suites_fonts_has_no_missing_glyph(browser):
    show(browser, GOOD)
    assert missing_glyphs(browser) == []


def test_an_unlabelled_field_and_unreadable_contrast_are_serious_violations(browser):
    show(browser, GOOD.replace('<label for="phone">手机号码</label>', "")
         .replace("<p>", '<p style="color:#ddd;background:#fff">'))
    found = {v["id"] for v in axe_violations(browser)}
    assert {"label", "color-contrast"} <= found, found


def test_the_phone_layout_is_applied(browser):
    set_viewport(browser, 390, 844, mobile=True)
    show(browser, GOOD.replace("<head>", '<head><meta name="viewport" content="width=device-width">'))
    assert browser.evaluate("window.innerWidth") == 390
