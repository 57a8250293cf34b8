"""The supervisors' page in headless chromium: sign in through the form, then today's intake, cases past
their limits, ratings and the ledger, in Chinese, on a desk-sized screen.

Chromium is driven over the DevTools protocol on a pipe (--remote-debugging-pipe), so the test types the
token into the real form and the session cookie stays in the browser, as for a supervisor.
"""
from __future__ import annotations

import base64
import json
from datetime import date, timedelta

import pytest
import requests

from chromium_kit import read_png
from devtools_kit import DevTools
from oversight_kit import (
    SUPERVISOR_TOKEN,
    back_to_today,
    completed_case,
    embedded_suite,
    scan_on,
)
from yici_testkit import AUTH, case_body, submit, wait_for

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def staged(tmp_path_factory):
    """Today's cases: one completed and badly rated, one open and past its limit (scanned as of after it)."""
    with embedded_suite(tmp_path_factory.mktemp("oversight-page"), clock=True,
                        approval={"departments": {"natural-resources": "worklist"}}) as suite:
        done = completed_case(suite, case_body("open-restaurant"))
        late = submit(suite.url(""), case_body("bankruptcy-check")).json()["case_id"]
        wait_for(lambda: requests.get(suite.url(f"/api/v1/cases/{done}/timeline"), headers=AUTH, timeout=10)
                 .json()["status"] in ("completed", "delivered"), timeout=20, what="completion folded")
        rated = requests.post(suite.url(f"/api/v1/cases/{done}/rating"), headers=AUTH, timeout=10,
                              json={"score": 1, "dimensions": {"efficiency": 1}, "comment": "等了很久"})
        assert rated.status_code == 201, rated.text
        sla = wait_for(lambda: requests.get(suite.url(f"/api/v1/cases/{late}/sla"), headers=AUTH, timeout=10)
                       .json().get("case"), timeout=20, what="the open case's clock")
        assert len(scan_on(suite, date.fromisoformat(sla["deadline"]["date"]) + timedelta(days=1))) >= 2
        back_to_today(suite)
        yield suite, done, late


@pytest.fixture
def browser(tmp_path):
    devtools = DevTools(tmp_path / "profile")
    yield devtools
    devtools.close()


def test_a_supervisor_signs_in_and_sees_intake_limits_ratings_and_ledger(staged, browser, tmp_path):
    suite, done, late = staged
    browser.page("Page.navigate", url=suite.url("/oversight"))
    browser.wait("location.pathname === '/oversight/login' && document.readyState === 'complete'")
    browser.evaluate(f"document.querySelector('input[name=token]').value = {json.dumps(SUPERVISOR_TOKEN)};"
                     "document.querySelector('form').submit(); true")
    browser.wait("location.pathname === '/oversight' && !!document.querySelector('#ledger')")
    sections = browser.evaluate("[...document.querySelectorAll('section h2')].map(h => h.textContent)")
    assert [s.split(" ")[0] for s in sections] == ["今日受理", "临近或超过时限的案件", "承诺失信", "好差评", "最新台账", "审计日志"]
    received = browser.evaluate("document.querySelector('#today .figure b').textContent")
    assert int(received) >= 2
    red_rows = browser.evaluate(
        "[...document.querySelectorAll('#warnings tr.warning-red')]"
        ".map(r => [r.cells[0].textContent, r.cells[1].textContent, r.cells[3].textContent].join('|'))")
    assert f"{late}|整件|乌审旗市场监督管理局" in red_rows
    assert any(row.startswith(late) and "不动产" in row and "自然资源" in row for row in red_rows)
    tasks = browser.evaluate("[...document.querySelectorAll('#ratings table.rectifications td')].map(c => c.textContent)")
    assert done in tasks
    ledger = browser.evaluate("[...document.querySelectorAll('#ledger tr')].map(r => r.cells[0].textContent)")
    assert "企业破产信息核查一件事" in ledger and ledger[-1] == "合计"
    cookie = browser.page("Network.getCookies")["cookies"]
    assert [c["httpOnly"] for c in cookie if c["name"] == "yici_oversight"] == [True]
    shot = base64.b64decode(browser.page("Page.captureScreenshot", format="png", captureBeyondViewport=True)["data"])
    (tmp_path / "oversight.png").write_bytes(shot)
    image = read_png(tmp_path / "oversight.png")
    badges = browser.evaluate("[...document.querySelectorAll('#warnings span.red')].map(b => {"
                              "const r = b.getBoundingClientRect(); return [r.x + 2, r.y + r.height / 2]})")
    assert badges and all(image.pixel(int(x), int(y))[0] > 150 and image.pixel(int(x), int(y))[1] < 90
                          for x, y in badges), "the red warning badges are not drawn red"
    dark = image.share(lambda r, g, b: r + g + b < 200)
    assert 0.005 < dark < 0.5, f"the page looks blank or broken ({dark:.3%} dark pixels)"
    browser.evaluate("document.querySelector('#ledger a[href*=\"by=department\"]').click(); true")
    browser.wait("location.pathname === '/oversight/ledger' && !!document.querySelector('table.ledger')")
    assert "按部门" in browser.evaluate("document.querySelector('h1').textContent")


def test_without_signing_in_the_browser_gets_the_form_not_the_data(staged, browser):
    suite, done, _ = staged
    browser.page("Page.navigate", url=suite.url("/oversight"))
    browser.wait("document.readyState === 'complete' && location.pathname === '/oversight/login'")
    assert done not in browser.evaluate("document.body.innerText")
    browser.evaluate("document.querySelector('input[name=token]').value = 'wrong-token-123456';"
                     "document.querySelector('form').submit(); true")
    browser.wait("!!document.querySelector('[role=alert]')")
    assert "令牌无效" in browser.evaluate("document.querySelector('[role=alert]').textContent")
