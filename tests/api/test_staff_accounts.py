"""Staff accounts over HTTP on the embedded suite: sign-in at /staff/signin, a session oversight signed accepted by
intake's and approval's endpoints and attributed to the person, sign-out ending it in the other services, the
administrators' page, and `yici users` from the command line."""
from __future__ import annotations

import re
import subprocess

import pytest
import requests

from yici_testkit import BIN, SUPERVISOR_TOKEN, Process, base_env, case_body, free_port, submit, wait_for

PASSWORD = "hall-staff-password-1"
ACCOUNTS = [("zc01", "综窗 王某", "window_clerk", []), ("jc01", "监察 李某", "supervisor", []),
            ("gly01", "管理员 赵某", "administrator", []),
            ("bm01", "审批 钱某", "department_approver", ["--department", "natural-resources"])]


def users(suite, *args: str, password: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([str(BIN / "yici"), "users", *args], env=suite.env, input=password, text=True,
                          capture_output=True, timeout=60)


@pytest.fixture(scope="module")
def suite(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("staff")
    port = free_port()
    process = Process([str(BIN / "yici"), "run"], base_env(tmp, YICI_PORT=str(port),
                                                          YICI_MANUAL_REVIEW_CHANNELS="[window]"),
                      tmp / "yici.log", port).start()
    process.wait_ready()
    for account, name, role, extra in ACCOUNTS:
        added = users(process, "add", account, "--name", name, "--role", role, *extra, "--password-stdin",
                      password=PASSWORD + "\n")
        assert added.returncode == 0, added.stderr
    yield process
    process.stop()


def signed_in(suite, account: str, password: str = PASSWORD) -> requests.Session:
    session = requests.Session()
    answer = session.post(suite.url("/staff/signin"), data={"account_id": account, "password": password},
                          allow_redirects=False, timeout=30)
    assert answer.status_code == 303, answer.text
    return session


def csrf_of(page: str) -> str:
    found = re.search(r'name="csrf" value="([0-9a-f]+)"', page)
    assert found, page
    return found.group(1)


def test_the_cli_adds_and_lists_accounts_without_printing_passwords(suite):
    listed = users(suite, "list")
    assert listed.returncode == 0 and "zc01\twindow_clerk\t-\tactive" in listed.stdout
    assert PASSWORD not in listed.stdout + listed.stderr + suite.log.read_text(errors="replace")


def test_signing_in_sets_a_strict_http_only_cookie_and_opens_the_supervisors_page(suite):
    answer = requests.post(suite.url("/staff/signin"), data={"account_id": "jc01", "password": PASSWORD},
                           allow_redirects=False, timeout=30)
    assert answer.status_code == 303 and answer.headers["Location"] == "/oversight"
    cookie = answer.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/" in cookie and "Secure" not in cookie
    page = requests.get(suite.url("/oversight"), cookies=answer.cookies, timeout=30)
    assert page.status_code == 200 and "监察 李某" in page.text and 'action="/staff/signout"' in page.text


def test_a_wrong_password_is_refused_and_the_page_says_so(suite):
    answer = requests.post(suite.url("/staff/signin"), data={"account_id": "jc01", "password": "nope-nope-nope"},
                           allow_redirects=False, timeout=30)
    assert answer.status_code == 401 and "账号或密码错误" in answer.text and "yici_staff" not in answer.headers.get(
        "Set-Cookie", "")


def test_pages_without_a_session_redirect_to_the_sign_in(suite):
    answer = requests.get(suite.url("/staff/admin"), allow_redirects=False, timeout=10)
    assert answer.status_code == 303 and answer.headers["Location"].startswith("/staff/signin?next=%2Fstaff%2Fadmin")


def test_a_clerks_session_works_in_intake_and_the_acceptance_names_the_person(suite):
    clerk = signed_in(suite, "zc01")
    case_id = submit(suite.url(""), case_body("bankruptcy-check", channel="window")).json()["case_id"]
    waiting = clerk.get(suite.url("/api/v1/window/cases"), timeout=10)
    assert waiting.status_code == 200 and case_id in {c["case_id"] for c in waiting.json()["cases"]}
    without_token = clerk.post(suite.url(f"/api/v1/window/cases/{case_id}/accept"), json={}, timeout=10)
    assert without_token.status_code == 403
    home = clerk.get(suite.url("/"), timeout=10).text
    accepted = clerk.post(suite.url(f"/api/v1/window/cases/{case_id}/accept"), json={}, timeout=10,
                          headers={"X-CSRF-Token": csrf_of(home)})
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["accepted_by"] == "clerk:staff:zc01 综窗 王某"


def test_a_department_approvers_session_works_in_approval_for_its_department_only(suite):
    approver = signed_in(suite, "bm01")
    assert approver.get(suite.url("/api/v1/departments/natural-resources/tasks"), timeout=10).status_code == 200
    assert approver.get(suite.url("/api/v1/departments/market-regulation/tasks"), timeout=10).status_code == 403


def test_signing_out_ends_the_session_in_the_other_services(suite):
    clerk = signed_in(suite, "zc01")
    assert clerk.get(suite.url("/api/v1/window/cases"), timeout=10).status_code == 200
    cookie = clerk.cookies.get("yici_staff")
    out = clerk.post(suite.url("/staff/signout"), data={"csrf": csrf_of(clerk.get(suite.url("/"), timeout=10).text)},
                     allow_redirects=False, timeout=10)
    assert out.status_code == 303
    replayed = requests.get(suite.url("/api/v1/window/cases"), cookies={"yici_staff": cookie}, timeout=10)
    assert replayed.status_code == 401


def test_the_admin_page_adds_a_user_who_can_then_sign_in(suite):
    admin = signed_in(suite, "gly01")
    page = admin.get(suite.url("/staff/admin"), timeout=10)
    assert page.status_code == 200 and "zc01" in page.text
    form = {"account_id": "ck01", "display_name": "出件 孙某", "role": "delivery_clerk", "password": PASSWORD}
    assert admin.post(suite.url("/staff/admin/users"), data=form, timeout=10).status_code == 403  # no CSRF token
    added = admin.post(suite.url("/staff/admin/users"), data={**form, "csrf": csrf_of(page.text)}, timeout=30)
    assert added.status_code == 200 and "出件 孙某" in added.text
    signed_in(suite, "ck01")
    def trail():
        return requests.get(suite.url("/api/v1/audit"), params={"actor": "staff:gly01 管理员 赵某"}, timeout=10,
                            headers={"Authorization": f"Bearer {SUPERVISOR_TOKEN}"}).json()["entries"]
    entries = wait_for(trail, timeout=20, what="the administrator's action in the audit trail")
    assert [(e["action"], e["actor"]["kind"], e["actor"]["role"]) for e in entries] == [
        ("staff_account.add", "staff", "administrator")]
    clerk = signed_in(suite, "zc01")
    assert clerk.get(suite.url("/staff/admin"), timeout=10).status_code == 403


def test_disabling_an_account_from_the_cli_ends_its_sessions(suite):
    approver = signed_in(suite, "bm01")
    tasks = "/api/v1/departments/natural-resources/tasks"
    assert approver.get(suite.url(tasks), timeout=10).status_code == 200
    disabled = users(suite, "disable", "bm01")
    assert disabled.returncode == 0, disabled.stderr
    wait_for(lambda: approver.get(suite.url(tasks), timeout=10).status_code == 401, timeout=30,
             what="the disabled account's session refused")
    refused = requests.post(suite.url("/staff/signin"), data={"account_id": "bm01", "password": PASSWORD},
                            allow_redirects=False, timeout=30)
    assert refused.status_code == 401
