"""The applicant's status page renders on a phone-sized screen with its Chinese text and items."""
from __future__ import annotations

import pytest

from chromium_kit import read_png
from yici_testkit import case_body, submit

pytestmark = pytest.mark.browser


def test_status_page_renders_on_a_phone(suite, chromium, tmp_path):
    view = submit(suite.url(""), case_body("open-restaurant")).json()
    url = suite.url(f"/track/{view['case_id']}?code={view['lookup_code']}")
    dom = chromium.dump_dom(url)
    assert "办件进度查询" in dom and view["case_id"] in dom
    assert dom.count("<tr>") == len(view["items"]) + 1
    chromium._run(f"--screenshot={tmp_path / 'status.png'}", "--window-size=390,844", url)
    image = read_png(tmp_path / "status.png")
    assert (image.width, image.height) == (390, 844)
    dark = image.share(lambda r, g, b: r + g + b < 200)
    assert 0.005 < dark < 0.5, f"the page looks blank or broken ({dark:.3%} dark pixels)"
