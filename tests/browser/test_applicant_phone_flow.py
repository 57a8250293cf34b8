"""An applicant applies online from a phone (390x844, mobile) in headless chromium: signs in with the code the
simulated SMS gateway shows, chooses 新生儿出生一件事, answers the situation question, fills the one form,
uploads what the e-license library does not hold, reviews and submits, and gets the receipt. The library cannot
supply the birth record (住院分娩记录) for this applicant and it was not uploaded, so the case comes back with
the one correction notice; the applicant answers it on the case page; the health department approves its item
through the JSON API; the applicant rates the service. Every screen passes the screen checks (screens_kit), and
the JSON API says what landed."""
from __future__ import annotations

import json
import re

import pytest
import requests
from integration.approval_kit import department_auth, write_config

from devtools_kit import DevTools
from screens_kit import assert_screen_ok, set_viewport
from yici_testkit import AUTH, BIN, PDF, Process, base_env, free_port, sample_value, wait_for

pytestmark = pytest.mark.browser
HEALTH = "health"
# 赵志强 of the demo library (docs/demo-library.md): the library holds his ID card and household register, not a
# marriage certificate, nor (the shared-data exchange) a birth record of a newborn
APPLICANT = {"name": "赵志强", "id_number": "152727195504121013"}
PHONE = "13947770001"


@pytest.fixture(scope="module")
def suite(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("applicant-phone")
    config = write_config(tmp, base="embedded", approval={"departments": {HEALTH: "worklist"}})
    port = free_port()
    process = Process([str(BIN / "yici"), "run", "--config", str(config)], base_env(tmp, YICI_PORT=str(port)),
                      tmp / "yici.log", port).start()
    process.wait_ready()
    yield process
    process.stop()


@pytest.fixture
def browser(tmp_path):
    devtools = DevTools(tmp_path / "profile", size=(390, 844))
    set_viewport(devtools, 390, 844, mobile=True)
    yield devtools
    devtools.close()


def go(browser, url: str, ready: str) -> None:
    browser.page("Page.navigate", url=url)
    browser.wait(f"document.readyState === 'complete' && ({ready})")


def fill(browser, values: dict[str, str]) -> None:
    """Set each field (by id) as typing would, with the events a page listens to."""
    browser.evaluate(";".join(
        f"(e => {{ e.value = {json.dumps(value)}; e.dispatchEvent(new Event('input', {{bubbles: true}})); }})"
        f"(document.getElementById({json.dumps(field)}))" for field, value in values.items()) + "; true")


def submit(browser, form_selector: str, then: str) -> None:
    browser.evaluate(f"document.querySelector({json.dumps(form_selector)}).requestSubmit(); true")
    browser.wait(f"document.readyState === 'complete' && ({then})")


def attach(browser, selector: str, path) -> None:
    """Choose a file in a file input, as the phone's file picker would."""
    root = browser.page("DOM.getDocument")["root"]["nodeId"]
    node = browser.page("DOM.querySelector", nodeId=root, selector=selector)["nodeId"]
    assert node, selector
    browser.page("DOM.setFileInputFiles", nodeId=node, files=[str(path)])


def case_json(suite, case_id: str) -> dict:
    return requests.get(suite.url(f"/api/v1/cases/{case_id}"), headers=AUTH, timeout=10).json()


def test_an_applicant_applies_from_a_phone_answers_the_correction_and_rates(suite, browser, tmp_path):
    from shared.catalog import default_catalog
    from shared.catalog.forms import merged_form
    scan = tmp_path / "scan.pdf"
    scan.write_bytes(PDF)

    go(browser, suite.url("/"), "!!document.querySelector('a[href=\"/apply\"]')")
    browser.evaluate("document.querySelector('a[href=\"/apply\"]').click(); true")
    browser.wait("location.pathname === '/apply' && !!document.querySelector('#phone')")
    browser.wait("document.activeElement.id === 'phone'", timeout=5)  # autofocus: type at once
    assert browser.evaluate("document.documentElement.scrollWidth") <= 390  # nothing wider than the phone
    assert_screen_ok(browser, "apply-phone-signin")
    fill(browser, {"phone": PHONE})
    submit(browser, "form[action='/apply/signin']", "location.pathname === '/apply/verify'")
    assert "139****0001" in browser.evaluate("document.body.innerText")
    assert_screen_ok(browser, "apply-phone-verify")

    verify_url = browser.evaluate("location.href")
    browser.evaluate("document.getElementById('sms-outbox').click(); true")
    browser.wait("location.pathname === '/apply/sms-outbox' && document.readyState === 'complete'")
    assert_screen_ok(browser, "apply-phone-sms-outbox")
    code = re.search(r"验证码为 (\d{6})", browser.evaluate("document.body.innerText")).group(1)
    go(browser, verify_url, "!!document.getElementById('code')")
    fill(browser, {"code": code})
    submit(browser, "form[action='/apply/verify']", "location.pathname === '/apply/matters'")
    cookies = browser.page("Network.getCookies")["cookies"]
    assert [(c["httpOnly"], c["sameSite"]) for c in cookies if c["name"] == "yici_applicant"] == [(True, "Strict")]
    assert "新生儿出生一件事" in browser.evaluate("document.body.innerText")
    assert_screen_ok(browser, "apply-phone-matters")

    browser.evaluate("document.querySelector('a[href=\"/apply/matters/newborn\"]').click(); true")
    browser.wait("location.pathname === '/apply/matters/newborn' && !!document.getElementById('id_number')")
    assert_screen_ok(browser, "apply-phone-situations")
    fill(browser, APPLICANT)
    submit(browser, "form[action$='/begin']", "!!document.querySelector('input[name=\"file.bank-card\"]')")
    page_text = browser.evaluate("document.body.innerText")
    assert "电子证照库已有，无需上传" in page_text  # his ID card and household register
    assert browser.evaluate("!!document.querySelector('input[name=\"file.birth-record\"]')")
    assert_screen_ok(browser, "apply-phone-form")

    schema = merged_form(default_catalog(), "newborn", [])
    values = {f"f-{name}": "152727199007082429" if name.endswith("id_number") else str(sample_value(spec))
              for name, spec in schema["properties"].items()}
    values["f-mother_name"] = ""  # forgotten: refused next to the field
    fill(browser, values)
    attach(browser, "input[name='file.bank-card']", scan)
    attach(browser, "input[name='file.marriage-certificate']", scan)
    submit(browser, "form[action$='/form']", "!!document.querySelector('.field-error')")
    assert browser.evaluate("document.getElementById('form-mother_name-error').textContent") == "请填写：母亲姓名"
    assert browser.evaluate("document.getElementById('f-mother_name').getAttribute('aria-invalid')") == "true"
    assert browser.evaluate("document.getElementById('f-newborn_name').value") == values["f-newborn_name"]
    assert "已上传" in browser.evaluate("document.body.innerText")  # the uploads were kept
    assert_screen_ok(browser, "apply-phone-form-errors")
    fill(browser, {"f-mother_name": "李秀英"})
    submit(browser, "form[action$='/form']", "!!document.querySelector('form[action$=\"/submit\"]')")
    review = browser.evaluate("document.body.innerText")
    assert "住院分娩记录" in review and "未提供" in review
    assert_screen_ok(browser, "apply-phone-review")
    submit(browser, "form[action$='/submit']", "location.pathname.endsWith('/receipt')")
    case_id = browser.evaluate("document.getElementById('case-id').textContent")
    assert_screen_ok(browser, "apply-phone-receipt")

    view = case_json(suite, case_id)
    assert view["channel"] == "online" and view["status"] == "correction_requested"
    assert [d["target"] for d in view["notice"]["deficiencies"]] == ["materials.birth-record"]

    go(browser, suite.url(f"/apply/cases/{case_id}"), "!!document.querySelector('input[name=\"file.birth-record\"]')")
    assert "一次性补正告知" in browser.evaluate("document.body.innerText")
    assert_screen_ok(browser, "apply-phone-correction")
    attach(browser, "input[name='file.birth-record']", scan)
    submit(browser, "form[action$='/answer']", "location.pathname === '/apply/cases/" + case_id + "'")
    wait_for(lambda: case_json(suite, case_id)["status"] in ("accepted", "in_approval"), timeout=30,
             what="the answered case accepted")

    def health_task():
        listed = requests.get(suite.url(f"/api/v1/departments/{HEALTH}/tasks"), headers=department_auth(HEALTH),
                              params={"status": "open"}, timeout=10).json()["tasks"]
        return next((t for t in listed if t["case_id"] == case_id), None)
    task = wait_for(health_task, timeout=30, what="the health department's task")
    decided = requests.post(suite.url(f"/api/v1/departments/{HEALTH}/tasks/{task['request_id']}/decision"),
                            data=json.dumps({"decision": "approved", "clerk": "卫健 李某"}), timeout=15,
                            headers={**department_auth(HEALTH), "Content-Type": "application/json"})
    assert decided.status_code == 200, decided.text
    wait_for(lambda: case_json(suite, case_id)["status"] in ("completed", "delivered"), timeout=30,
             what="the case completed")

    go(browser, suite.url("/apply/cases"), f"document.body.innerText.includes('{case_id}')")
    assert_screen_ok(browser, "apply-phone-my-cases")
    go(browser, suite.url(f"/apply/cases/{case_id}"), "!!document.querySelector('form[action$=\"/rating\"]')")
    assert_screen_ok(browser, "apply-phone-rating")
    browser.evaluate("document.querySelector('input[name=score][value=\"4\"]').click(); true")
    fill(browser, {"comment": "手机上就办完了，补正一次说清楚"})
    submit(browser, "form[action$='/rating']", "!!document.getElementById('rated')")
    assert "您的评价：满意" in browser.evaluate("document.body.innerText")
    assert_screen_ok(browser, "apply-phone-rated")

    landed = case_json(suite, case_id)
    assert landed["rating"]["score"] == 4 and landed["rating"]["comment"] == "手机上就办完了，补正一次说清楚"
    assert landed["status"] in ("completed", "delivered") and landed["notices_issued"] == 1


def test_the_online_application_also_reads_on_a_hall_pc(suite, tmp_path):
    desktop = DevTools(tmp_path / "desktop", size=(1366, 768))
    try:
        go(desktop, suite.url("/apply"), "!!document.getElementById('phone')")
        assert_screen_ok(desktop, "apply-desktop-signin")
        fill(desktop, {"phone": "13947770002"})
        submit(desktop, "form[action='/apply/signin']", "!!document.getElementById('sms-outbox')")
        verify_url = desktop.evaluate("location.href")
        desktop.evaluate("document.getElementById('sms-outbox').click(); true")
        desktop.wait("location.pathname === '/apply/sms-outbox' && document.readyState === 'complete'")
        code = re.search(r"验证码为 (\d{6})", desktop.evaluate("document.body.innerText")).group(1)
        go(desktop, verify_url, "!!document.getElementById('code')")
        fill(desktop, {"code": code})
        submit(desktop, "form[action='/apply/verify']", "location.pathname === '/apply/matters'")
        assert_screen_ok(desktop, "apply-desktop-matters")
        go(desktop, suite.url("/apply/matters/open-restaurant"), "!!document.getElementById('credit_code')")
        assert desktop.evaluate("document.getElementById('kind').value") == "company"  # a business event
        assert_screen_ok(desktop, "apply-desktop-situations")
    finally:
        desktop.close()
