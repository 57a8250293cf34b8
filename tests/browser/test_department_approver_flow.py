"""A department approver works a routed task in headless chromium: signs in, sees the worklist, claims a task,
opens a material, approves it; in a second case, rejects with a legal basis (first refused without one). Each
screen passes the screen checks (screenshot kept, not blank, no missing glyphs, no serious axe violation), and
afterwards the JSON API shows the decisions, the claim and the material read attributed to the person."""
from __future__ import annotations

import json
import subprocess

import pytest
import requests

from devtools_kit import DevTools
from screens_kit import assert_screen_ok, set_viewport
from yici_testkit import AUTH, BIN, CLERK, SUPERVISOR_TOKEN, Process, base_env, case_body, free_port, submit, wait_for

pytestmark = pytest.mark.browser
PASSWORD = "approver-password-1"
ACTOR = "staff:bm01 税务 钱某"
TAX = "tax"


@pytest.fixture(scope="module")
def suite(tmp_path_factory):
    """Every department decides by worklist; window applications wait for the clerk's acceptance."""
    tmp = tmp_path_factory.mktemp("dept-flow")
    port = free_port()
    process = Process([str(BIN / "yici"), "run"], base_env(tmp, YICI_PORT=str(port), YICI_AUTO_APPROVE="false",
                                                          YICI_MANUAL_REVIEW_CHANNELS="[window]"),
                      tmp / "yici.log", port).start()
    process.wait_ready()
    added = subprocess.run([str(BIN / "yici"), "users", "add", "bm01", "--name", "税务 钱某", "--role",
                            "department_approver", "--department", TAX, "--password-stdin"], env=process.env,
                           input=PASSWORD + "\n", text=True, capture_output=True, timeout=60)
    assert added.returncode == 0, added.stderr
    yield process
    process.stop()


@pytest.fixture
def browser(tmp_path):
    devtools = DevTools(tmp_path / "profile", size=(1366, 768))
    yield devtools
    devtools.close()


def accepted_case(suite) -> str:
    """A window application submitted and accepted through the JSON API, so routing creates its tasks."""
    submitted = submit(suite.url(""), case_body("bankruptcy-check", channel="window"))
    assert submitted.status_code == 201, submitted.text
    case_id = submitted.json()["case_id"]
    accepted = requests.post(suite.url(f"/api/v1/window/cases/{case_id}/accept"), json={}, headers=CLERK,
                             timeout=10)
    assert accepted.status_code == 200, accepted.text
    return case_id


def sign_in(browser, suite) -> None:
    browser.page("Page.navigate", url=suite.url("/department"))
    browser.wait("location.pathname === '/staff/signin' && !!document.querySelector('#password')")
    browser.evaluate(f"document.querySelector('#account_id').value = 'bm01';"
                     f"document.querySelector('#password').value = {json.dumps(PASSWORD)};"
                     "document.querySelector('form[action=\"/staff/signin\"]').submit(); true")
    browser.wait("location.pathname === '/department' && !!document.querySelector('table.dept-tasks')")


def open_task(browser, suite, case_id: str) -> str:
    """From the worklist, the case's task (waiting until routing has created it)."""
    def listed():
        browser.page("Page.navigate", url=suite.url("/department"))
        browser.wait("document.readyState === 'complete' && !!document.querySelector('table.dept-tasks')")
        return browser.evaluate(f"[...document.querySelectorAll('table.dept-tasks a')].map(a => a.getAttribute('href'))"
                                f".find(h => h.includes({json.dumps(case_id + ':')})) || ''")
    href = wait_for(listed, timeout=30, interval=1, what=f"the task of {case_id} on the worklist")
    browser.evaluate(f"document.querySelector('a[href={json.dumps(href)}]').click(); true")
    browser.wait("location.pathname.startsWith('/department/tasks/') && !!document.querySelector('h1')")
    return href.rsplit("/", 1)[1]


def submit_form(browser, action: str, fill: str = "") -> None:
    browser.evaluate(f"{fill}; document.querySelector('form[action$=\"/{action}\"]').submit(); true")


def test_an_approver_claims_opens_a_material_approves_and_rejects_with_legal_basis(suite, browser):
    first, second = accepted_case(suite), accepted_case(suite)
    sign_in(browser, suite)
    assert "税务 钱某" in browser.evaluate("document.body.innerText")
    request_id = open_task(browser, suite, first)
    assert_screen_ok(browser, "department-worklist-task")
    submit_form(browser, "claim")
    browser.wait("location.search.includes('done=claim') && !!document.querySelector('form[action$=\"/decide\"]')")
    assert "已领取该任务" in browser.evaluate("document.body.innerText")
    assert_screen_ok(browser, "department-task-claimed")

    link = browser.evaluate("document.querySelector('.dept-materials a').getAttribute('href')")
    assert link.startswith("/api/v1/files/"), link
    opened = browser.page("Runtime.evaluate", awaitPromise=True, returnByValue=True, expression=(
        f"fetch({json.dumps(link)}).then(r => r.status + ' ' + r.headers.get('content-type'))"))["result"]["value"]
    assert opened == "200 application/pdf", "the material opens under the approver's session (file grant)"

    submit_form(browser, "decide", "document.querySelector('input[name=decision][value=approved]').checked = true")
    browser.wait("location.search.includes('done=decide')")
    assert "决定已记录" in browser.evaluate("document.body.innerText")
    assert_screen_ok(browser, "department-task-approved")

    second_id = open_task(browser, suite, second)
    submit_form(browser, "claim")
    browser.wait("location.search.includes('done=claim') && !!document.querySelector('form[action$=\"/decide\"]')")
    submit_form(browser, "decide", "document.querySelector('input[name=decision][value=rejected]').checked = true;"
                                   "document.querySelector('#reasons').value = '存在欠缴税款，尚未结清'")
    browser.wait("!!document.querySelector('#legal_basis-error')")
    assert browser.evaluate("document.querySelector('#legal_basis').getAttribute('aria-invalid')") == "true"
    assert browser.evaluate("document.querySelector('#reasons').value") == "存在欠缴税款，尚未结清"
    assert_screen_ok(browser, "department-task-legal-basis-missing")
    submit_form(browser, "decide", "document.querySelector('input[name=decision][value=rejected]').checked = true;"
                                   "document.querySelector('#legal_basis').value = '《中华人民共和国税收征收管理法》第四十条'")
    browser.wait("location.search.includes('done=decide')")
    assert "不予许可" in browser.evaluate("document.body.innerText")
    assert_screen_ok(browser, "department-task-rejected")

    browser.page("Page.navigate", url=suite.url("/department?status=all"))
    browser.wait("document.readyState === 'complete' && !!document.querySelector('table.dept-tasks')")
    set_viewport(browser, 390, 844, mobile=True)
    assert_screen_ok(browser, "department-worklist-phone")
    set_viewport(browser, 1366, 768)
    browser.page("Page.navigate", url=suite.url("/department/rectifications"))
    browser.wait("document.readyState === 'complete' && !!document.querySelector('h1')")
    assert_screen_ok(browser, "department-rectifications")

    # what landed in the JSON API, attributed to the person
    api = requests.Session()
    assert api.post(suite.url("/staff/signin"), data={"account_id": "bm01", "password": PASSWORD},
                    allow_redirects=False, timeout=30).status_code == 303
    tasks = {t["request_id"]: t for t in api.get(suite.url(f"/api/v1/departments/{TAX}/tasks"),
                                                 params={"status": "all"}, timeout=10).json()["tasks"]}
    assert (tasks[request_id]["decision"], tasks[request_id]["decided_by"], tasks[request_id]["claimed_by"]) == \
        ("approved", ACTOR, ACTOR)
    assert (tasks[second_id]["decision"], tasks[second_id]["decided_by"]) == ("rejected", ACTOR)
    plan = requests.get(suite.url(f"/api/v1/routing/cases/{second}"), headers=AUTH, timeout=10).json()
    assert [i["decided_by"] for i in plan["items"] if i["department"] == TAX] == [ACTOR]
    supervisor = {"Authorization": f"Bearer {SUPERVISOR_TOKEN}"}

    def trail():
        entries = requests.get(suite.url("/api/v1/audit"), params={"case_id": first}, headers=supervisor,
                               timeout=10).json()["entries"]
        return {e["action"].split(":")[0]: e["actor"]["name"] for e in entries} if len(entries) >= 2 else None
    actions = wait_for(lambda: (found := trail()) and "file.read" in found and "task.decided" in found and found,
                       timeout=90, what="the material read and the decision in the audit trail")
    assert actions["file.read"] == ACTOR and actions["task.decided"] == ACTOR
