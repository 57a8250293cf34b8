"""A window clerk at work in headless chromium (issue 19): signs in, finds a matter, consults its guide and notice
sheet, takes an application (the one form, a scanned material uploaded, pre-review with the e-license library),
accepts it with a deferred material under the commitment the clerk witnesses, prints the receipt (a real PDF), and
hands over a completed case after checking the collector's ID (a wrong one refused). Every screen passes the screen
checks (screenshot kept, not blank, no missing glyphs, no serious axe-core violation); what landed is then read
back from the JSON API."""
from __future__ import annotations

import base64
import json
import subprocess

import pytest
import requests

from devtools_kit import DevTools
from screens_kit import assert_screen_ok, set_viewport
from yici_testkit import AUTH, BIN, PDF, Process, base_env, case_body, free_port, submit, wait_for

pytestmark = pytest.mark.browser
PASSWORD = "window-clerk-browser-1"
CLERK = "staff:zc07 综窗 马某"
ZHAO_ID = "152727195504121013"


@pytest.fixture(scope="module")
def suite(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("window-clerk")
    port = free_port()
    process = Process([str(BIN / "yici"), "run"], base_env(tmp, YICI_PORT=str(port)), tmp / "yici.log",
                      port).start()
    process.wait_ready()
    added = subprocess.run([str(BIN / "yici"), "users", "add", "zc07", "--name", "综窗 马某", "--role",
                            "window_clerk", "--password-stdin"], env=process.env, input=PASSWORD + "\n", text=True,
                           capture_output=True, timeout=60)
    assert added.returncode == 0, added.stderr
    yield process
    process.stop()


@pytest.fixture
def browser(tmp_path):
    devtools = DevTools(tmp_path / "profile", size=(1366, 768))
    yield devtools
    devtools.close()


def open_page(browser, url: str, ready: str) -> None:
    browser.page("Page.navigate", url=url)
    browser.wait(f"document.readyState === 'complete' && !!document.querySelector({json.dumps(ready)})")


def sign_in(browser, suite, next_path: str) -> None:
    open_page(browser, suite.url(f"/staff/signin?next={next_path}"), "#password")
    browser.evaluate(f"document.querySelector('#account_id').value = 'zc07';"
                     f"document.querySelector('#password').value = {json.dumps(PASSWORD)};"
                     "document.querySelector('form[action=\"/staff/signin\"]').submit(); true")
    browser.wait(f"location.pathname === {json.dumps(next_path)} && document.readyState === 'complete'")


def fill(browser, values: dict[str, str]) -> None:
    """Type each value into the field of that name (as a person would, the field then tells the page)."""
    script = ";".join(f"(e => {{ e.value = {json.dumps(v)}; e.dispatchEvent(new Event('change')); }})"
                      f"(document.querySelector('[name=\"{k}\"]'))" for k, v in values.items())
    browser.evaluate(script + "; true")


def attach(browser, selector: str, path) -> None:
    root = browser.page("DOM.getDocument")["root"]["nodeId"]
    node = browser.page("DOM.querySelector", nodeId=root, selector=selector)["nodeId"]
    browser.page("DOM.setFileInputFiles", nodeId=node, files=[str(path)])


def click(browser, selector: str) -> None:
    browser.evaluate(f"document.querySelector({json.dumps(selector)}).click(); true")


def printed_pdf(browser) -> bytes:
    data = base64.b64decode(browser.page("Page.printToPDF", paperWidth=8.27, paperHeight=11.69,
                                         printBackground=False)["data"])
    assert data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF")
    assert data.count(b"/Type /Page") - data.count(b"/Type /Pages") >= 1 or b"/Type/Page" in data
    return data


def test_a_clerk_takes_an_application_from_consultation_to_receipt(suite, browser, tmp_path):
    sign_in(browser, suite, "/window")
    assert browser.evaluate("document.activeElement.id") == "q"  # the search field has the focus
    assert_screen_ok(browser, "window-home")
    fill(browser, {"q": "退休"})
    click(browser, "form[role=search] button[type=submit]")
    browser.wait("location.search.includes('q=') && !!document.querySelector('a[href=\"/window/matters/retirement\"]')")
    click(browser, "a[href='/window/matters/retirement']")
    browser.wait("location.pathname === '/window/matters/retirement' && !!document.querySelector('#materials')")
    assert browser.evaluate("!!document.querySelector('button[data-print]')")
    assert_screen_ok(browser, "window-consult")
    open_page(browser, suite.url("/window/matters/retirement/notice"), ".sheet")
    assert "一次性告知单" in browser.evaluate("document.body.innerText")
    assert_screen_ok(browser, "window-notice-sheet")

    open_page(browser, suite.url("/window/matters/retirement/apply?situation=has-housing-fund"), "#application")
    assert browser.evaluate("document.activeElement.id") == "a-kind"
    form = case_body("retirement", ("has-housing-fund",))["form"]
    fill(browser, {"applicant.name": "赵志强", "applicant.id_number": ZHAO_ID, "applicant.phone": "13800138000",
                   **{f"form.{k}": str(v) for k, v in form.items()}, "form.applicant_name": "赵志强",
                   "form.applicant_id_number": ZHAO_ID})
    scan = tmp_path / "bank-card.pdf"
    scan.write_bytes(PDF)
    attach(browser, "input[name='file.bank-card']", scan)
    click(browser, "button[value=review]")
    browser.wait("document.readyState === 'complete' && !!document.querySelector('#review')")
    text = browser.evaluate("document.body.innerText")
    assert "预审结果" in text and text.count("已调取") >= 3 and "已上传" in text and "缺少材料" in text
    assert_screen_ok(browser, "window-apply-review")
    click(browser, "button[value=submit]")
    browser.wait("location.pathname.startsWith('/window/cases/') && !!document.querySelector('#review')")
    case_id = browser.evaluate("location.pathname.split('/').pop()")
    assert_screen_ok(browser, "window-case")

    browser.evaluate("document.querySelector('#commitment').checked = true; true")
    click(browser, "form[action$='/accept'] button[type=submit]")
    browser.wait("location.search.includes('done=accepted') && !!document.querySelector('a[href$=\"/receipt\"]')")
    assert browser.evaluate("document.activeElement.getAttribute('href')").endswith("/receipt")
    click(browser, "a[href$='/receipt']")
    browser.wait("location.pathname.endsWith('/receipt') && !!document.querySelector('.receipt')")
    assert case_id in browser.evaluate("document.body.innerText")
    assert_screen_ok(browser, "window-receipt")
    printed_pdf(browser)

    set_viewport(browser, 390, 844, mobile=True)  # the same screens on a phone stay readable
    open_page(browser, suite.url(f"/window/cases/{case_id}"), "#case-status")
    assert browser.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    assert_screen_ok(browser, "window-case-phone")
    open_page(browser, suite.url("/window"), "#queue")
    assert browser.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    assert_screen_ok(browser, "window-home-phone")

    view = requests.get(suite.url(f"/api/v1/cases/{case_id}"), headers=AUTH, timeout=10).json()
    assert view["status"] in ("accepted", "in_approval", "completed", "delivered")
    assert view["accepted_by"] == f"clerk:{CLERK}" and view["channel"] == "window"
    assert view["commitment"] == {"signed": True, "witnessed_by": f"clerk:{CLERK}"}
    assert [d["code"] for d in view["deferred_materials"]] == ["deemed-contribution-proof"]
    assert view["taking_point"]["code"] == "WSQ-HALL"


def test_a_clerk_hands_over_a_completed_case_after_checking_the_collector_s_id(suite, browser):
    body = case_body("retirement", applicant={"kind": "person", "name": "赵志强", "id_number": ZHAO_ID,
                                               "phone": "13800138000"})
    answer = submit(suite.url(""), body)
    assert answer.status_code == 201, answer.text
    case_id = answer.json()["case_id"]

    def waiting():
        found = requests.get(suite.url(f"/api/v1/deliveries/{case_id}"), headers=AUTH, timeout=10)
        return found.json() if found.status_code == 200 and found.json()["status"] == "awaiting_pickup" else None
    code = wait_for(waiting, timeout=60, what="awaiting pickup")["pickup_code"]

    sign_in(browser, suite, "/handover")
    assert browser.evaluate("document.activeElement.id") == "pickup_code"
    assert_screen_ok(browser, "handover-find")
    fill(browser, {"pickup_code": code})
    click(browser, "form[action='/handover/find'] button")
    browser.wait("location.pathname === '/handover/find' && !!document.querySelector('input[name=id_number]')")
    assert case_id in browser.evaluate("document.body.innerText")
    assert_screen_ok(browser, "handover-confirm")
    fill(browser, {"id_number": "152727199007082429"})
    click(browser, "form[action='/handover/confirm'] button")
    browser.wait("!!document.querySelector('#err-id_number')")
    assert "与申请人不一致" in browser.evaluate("document.querySelector('#err-id_number').innerText")
    assert_screen_ok(browser, "handover-refused")
    fill(browser, {"id_number": ZHAO_ID})
    click(browser, "form[action='/handover/confirm'] button")
    browser.wait("location.pathname.endsWith('/slip') && !!document.querySelector('.slip')")
    assert CLERK in browser.evaluate("document.querySelector('#handed-over-by').innerText")
    assert_screen_ok(browser, "handover-slip")
    printed_pdf(browser)

    delivery = requests.get(suite.url(f"/api/v1/deliveries/{case_id}"), headers=AUTH, timeout=10).json()
    assert delivery["status"] == "picked_up" and delivery["handed_over_by"] == CLERK
