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


def accepted_case(suite) -> str:
    """A window application submitted and accepted through the JSON API, so routing creates its tasks."""
    submitted = submit(suite.url(""), case_body("bankruptcy-check", channel="window"))
    assert submitted.status_code == 201, submitted.text
    case_id = submitted.json()["case_id"]
    accepted = requests.post(suite.url(f"/api/v1/window/cases/{case_id}/accept"), json={}, headers=CLERK,
                             timeout=10)
    assert accepted.status_code == 200, accepted.text
    return case_id


def sign_in(browser, suite, account: str = "bm01", path: str = "/department") -> None:
    browser.page("Page.navigate", url=suite.url(path))
    browser.wait("location.pathname === '/staff/signin' && !!document.querySelector('#password')")
    browser.evaluate(f"document.querySelector('#account_id').value = {json.dumps(account)};"
                     f"document.querySelector('#password').value = {json.dumps(PASSWORD)};"
                     "document.querySelector('form[action=\"/staff/signin\"]').submit(); true")
    browser.wait(f"location.pathname === {json.dumps(path.split('?')[0])} && !!document.querySelector('h1')")


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
    browser.wait("location.search.includes('done=decide') && document.readyState === 'complete'")
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
    browser.wait("location.search.includes('done=decide') && document.readyState === 'complete'")
    assert "不予许可" in browser.evaluate("document.body.innerText")
    assert_screen_ok(browser, "department-task-rejected")
    set_viewport(browser, 390, 844, mobile=True)
    assert_screen_ok(browser, "department-task-rejected-phone")
    set_viewport(browser, 1366, 768)

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

    ref = link.split("/api/v1/files/")[1].split("?")[0]

    def trail():
        """The person's entries (the test's cases share one uploaded file: its read is audited under one case)."""
        entries = requests.get(suite.url("/api/v1/audit"), params={"actor": ACTOR}, headers=supervisor,
                               timeout=10).json()["entries"]
        found = {(e["action"], e["case_id"]) for e in entries}
        return found if {f"file.read:{ref}", "task.decided"} <= {a for a, _ in found} else None
    actions = wait_for(trail, timeout=90, what="the material read and the decisions in the audit trail")
    assert {("task.decided", first), ("task.decided", second)} <= actions


def test_a_bad_rating_is_rectified_in_the_browser_and_a_supervisor_looks_on_read_only(suite, browser):
    case_id = accepted_case(suite)
    api = requests.Session()
    assert api.post(suite.url("/staff/signin"), data={"account_id": "bm01", "password": PASSWORD},
                    allow_redirects=False, timeout=30).status_code == 303
    csrf = api.get(suite.url("/department"), timeout=10).text.split('name="csrf" value="')[1].split('"')[0]
    request_id = f"{case_id}:tax-arrears-inquiry"
    rejected = wait_for(lambda: api.post(
        suite.url(f"/api/v1/departments/{TAX}/tasks/{request_id}/decision"), timeout=10,
        headers={"X-CSRF-Token": csrf}, json={"decision": "rejected", "reasons": ["欠缴税款"], "clerk": "-",
                                              "legal_basis": "《中华人民共和国税收征收管理法》第四十条"}).ok,
                        timeout=30, interval=1, what="the task decided through the JSON API")
    assert rejected

    def rated():
        answer = requests.post(suite.url(f"/api/v1/cases/{case_id}/rating"), headers=AUTH, timeout=10,
                               json={"score": 2, "comment": "窗口说明不清楚", "item_code": "tax-arrears-inquiry"})
        return answer.json() if answer.status_code == 201 else None
    task_id = wait_for(rated, timeout=60, interval=1, what="the rejected case rated")["rectification"]["task_id"]

    sign_in(browser, suite, path="/department/rectifications")
    assert task_id in browser.evaluate("document.body.innerText")
    assert_screen_ok(browser, "department-rectification-open")
    submit_form(browser, "close")
    browser.wait("!!document.querySelector('.field-error')")
    assert_screen_ok(browser, "department-rectification-note-missing")
    submit_form(browser, "close", "document.querySelector('textarea[name=note]').value = '已在窗口增设办事指引'")
    browser.wait("location.search.includes('closed=') && document.readyState === 'complete'")
    assert_screen_ok(browser, "department-rectification-closed")
    listed = requests.get(suite.url("/api/v1/rectifications"), params={"status": "all"}, timeout=10,
                          headers={"Authorization": f"Bearer {SUPERVISOR_TOKEN}"}).json()["rectifications"]
    assert [(r["status"], r["note"]) for r in listed if r["task_id"] == task_id] == [("closed", "已在窗口增设办事指引")]

    browser.evaluate("document.querySelector('form[action=\"/staff/signout\"]').submit(); true")
    browser.wait("location.pathname === '/staff/signin' && document.readyState === 'complete'")
    sign_in(browser, suite, "jc01", f"/department?department={TAX}&status=all")
    text = browser.evaluate("document.body.innerText")
    assert "只读" in text and case_id in text
    assert browser.evaluate("document.querySelectorAll('form[method=post][action^=\"/department\"]').length") == 0
    assert_screen_ok(browser, "department-supervisor-worklist")
    browser.page("Page.navigate", url=suite.url(f"/department/tasks/{request_id}?department={TAX}"))
    browser.wait("document.readyState === 'complete' && !!document.querySelector('h1')")
    assert browser.evaluate("document.querySelectorAll('form[method=post][action^=\"/department\"]').length") == 0
    assert_screen_ok(browser, "department-supervisor-task")
