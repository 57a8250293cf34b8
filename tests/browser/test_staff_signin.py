"""A supervisor with a staff account signs in at /staff/signin in headless chromium and sees the supervisors'
page; the page is screenshotted (kept in build/test-artefacts/, ignored by git) and checked not blank.

Chromium is driven over the DevTools protocol (devtools_kit), so the account and password are typed into the
real form and the signed session cookie stays in the browser, as for a person."""
from __future__ import annotations

import json
import subprocess

import pytest

from devtools_kit import DevTools
from screens_kit import assert_screen_ok
from yici_testkit import BIN, ROOT, Process, base_env, free_port

pytestmark = pytest.mark.browser
ARTEFACTS = ROOT / "build" / "test-artefacts"
PASSWORD = "supervisor-password-1"


@pytest.fixture(scope="module")
def suite(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("staff-signin")
    port = free_port()
    process = Process([str(BIN / "yici"), "run"], base_env(tmp, YICI_PORT=str(port)), tmp / "yici.log",
                      port).start()
    process.wait_ready()
    added = subprocess.run([str(BIN / "yici"), "users", "add", "jc01", "--name", "监察 李某", "--role", "supervisor",
                            "--password-stdin"], env=process.env, input=PASSWORD + "\n", text=True,
                           capture_output=True, timeout=60)
    assert added.returncode == 0, added.stderr
    yield process
    process.stop()


@pytest.fixture
def browser(tmp_path):
    devtools = DevTools(tmp_path / "profile", size=(1366, 768))
    yield devtools
    devtools.close()


def test_a_supervisor_signs_in_with_an_account_and_sees_the_supervisors_page(suite, browser):
    browser.page("Page.navigate", url=suite.url("/"))
    browser.wait("document.readyState === 'complete' && !!document.querySelector('a[href=\"/staff/signin\"]')")
    assert browser.evaluate("document.documentElement.lang") == "zh-CN"
    browser.evaluate("document.querySelector('a[href=\"/staff/signin\"]').click(); true")
    browser.wait("location.pathname === '/staff/signin' && !!document.querySelector('#password')")
    assert browser.evaluate("document.querySelector('label[for=password]').textContent") == "密码"
    browser.evaluate(f"document.querySelector('#account_id').value = 'jc01';"
                     f"document.querySelector('#password').value = {json.dumps(PASSWORD)};"
                     "document.querySelector('form[action=\"/staff/signin\"]').submit(); true")
    browser.wait("location.pathname === '/oversight' && !!document.querySelector('#ledger')")
    assert "监察 李某" in browser.evaluate("document.body.innerText")
    cookies = browser.page("Network.getCookies")["cookies"]
    assert [(c["httpOnly"], c["sameSite"]) for c in cookies if c["name"] == "yici_staff"] == [(True, "Strict")]
    assert_screen_ok(browser, "staff-signin-oversight")


def test_the_front_door_and_the_sign_in_page_pass_the_screen_checks(suite, browser):
    browser.page("Page.navigate", url=suite.url("/"))
    browser.wait("document.readyState === 'complete'")
    assert_screen_ok(browser, "front-door")
    browser.page("Page.navigate", url=suite.url("/staff/signin"))
    browser.wait("document.readyState === 'complete' && !!document.querySelector('#password')")
    assert_screen_ok(browser, "staff-signin")


def test_the_sign_in_page_uses_the_suites_own_stylesheet(suite, browser):
    browser.page("Page.navigate", url=suite.url("/staff/signin"))
    browser.wait("document.readyState === 'complete'")
    sheets = browser.evaluate("[...document.styleSheets].map(s => s.href)")
    assert sheets == [suite.url("/static/yici.css")]
    assert browser.evaluate("getComputedStyle(document.querySelector('button')).backgroundColor") == "rgb(163, 21, 21)"
