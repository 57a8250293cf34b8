"""The guide pages in a real headless chromium: title, materials table and QR render; Chinese has a font."""
from __future__ import annotations

import re
import subprocess
from html.parser import HTMLParser

import pytest

from chromium_kit import WINDOW, read_png, require_tool
from shared.catalog import default_catalog
from shared.catalog.materials import material_list

pytestmark = pytest.mark.browser
MATTER = "open-restaurant"


def everything(code: str) -> list[str]:
    return default_catalog().matter(code).situation_codes


class DomSummary(HTMLParser):
    """Collects the h1 text, the rows of the materials table and the QR svg's elements."""

    def __init__(self):
        super().__init__()
        self.h1, self.material_rows, self.qr_tags = "", [], []
        self._stack, self._cell = [], None

    def handle_starttag(self, tag, attrs):
        classes = (dict(attrs).get("class") or "").split()
        self._stack.append((tag, classes))
        if tag == "tr" and self._in("materials"):
            self.material_rows.append([])
        if tag == "td" and self._in("materials"):
            self._cell = []
        if self._in("qr-code"):
            self.qr_tags.append(tag)

    def handle_endtag(self, tag):
        while self._stack and self._stack.pop()[0] != tag:
            pass
        if tag == "td" and self._cell is not None and self.material_rows:
            self.material_rows[-1].append("".join(self._cell).strip())
            self._cell = None

    def handle_data(self, data):
        if any(tag == "h1" for tag, _ in self._stack):
            self.h1 += data
        if self._cell is not None:
            self._cell.append(data)

    def _in(self, css_class: str) -> bool:
        return any(css_class in classes for _, classes in self._stack)


def test_the_rendered_dom_has_the_title_every_material_row_and_the_qr_code(suite, chromium):
    dom = DomSummary()
    dom.feed(chromium.dump_dom(suite.url(f"/guides/{MATTER}")))
    names = [m.name for m in material_list(default_catalog(), MATTER, everything(MATTER))]
    assert dom.h1 == "开办餐饮店一件事办事指南"
    body_rows = [row for row in dom.material_rows if row]
    assert [row[1] for row in body_rows] == names
    assert "svg" in dom.qr_tags and "path" in dom.qr_tags


def test_the_screenshot_is_an_a4_page_with_a_dark_title_text_and_red_accents(suite, chromium, tmp_path):
    image = read_png(chromium.screenshot(suite.url(f"/guides/{MATTER}/"), tmp_path / "guide.png"))
    assert (image.width, image.height) == WINDOW
    dark = image.share(lambda r, g, b: max(r, g, b) < 90)
    accent = image.share(lambda r, g, b: r > 150 and g < 70 and b < 70)
    assert 0.01 < dark < 0.5, f"{dark:.3f} of the page is dark: blank or black page"
    assert accent > 0.0001, "the stylesheet's red accents are missing"
    title_band = image.share(lambda r, g, b: max(r, g, b) < 90, box=(0, 30, WINDOW[0], 90), step=1)
    assert title_band > 0.01, "no title text at the top of the page"


def test_the_qr_code_in_the_screenshot_decodes_to_the_public_guide_url(suite, chromium, tmp_path):
    png = chromium.screenshot(suite.url(f"/guides/{MATTER}/"), tmp_path / "guide.png")
    decoded = subprocess.run([require_tool("zbarimg"), "--raw", "-q", str(png)], capture_output=True,
                             text=True, timeout=60).stdout.strip()
    assert decoded == suite.url(f"/guides/{MATTER}")


def test_a_cjk_font_of_the_stylesheet_is_installed_for_chromium():
    families = subprocess.run([require_tool("fc-list"), ":lang=zh", "family"], capture_output=True, text=True,
                              timeout=30).stdout
    assert re.search(r"Noto Sans CJK SC|WenQuanYi Zen Hei", families), "Chinese would render as boxes"


@pytest.mark.parametrize("page, heading", [("", "办事指南一本通"), (f"{MATTER}/form/", "空表样表"),
                                           (f"{MATTER}/notice/", "一次性告知单")], ids=["handbook", "form", "notice"])
def test_handbook_form_and_notice_render_their_headings(suite, chromium, page, heading):
    dom = DomSummary()
    dom.feed(chromium.dump_dom(suite.url(f"/guides/{page}")))
    assert heading in dom.h1


def test_the_notice_sheet_prints_on_a4_paper(suite, chromium, tmp_path):
    pdf = chromium.print_pdf(suite.url(f"/guides/{MATTER}/notice/"), tmp_path / "notice.pdf").read_bytes()
    boxes = re.findall(rb"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]", pdf)
    assert boxes, "no page in the PDF"
    assert all(abs(float(w) - 595.3) < 2 and abs(float(h) - 841.9) < 2 for w, h in boxes), boxes
