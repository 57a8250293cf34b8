"""The window workbench's pages (/window) on the embedded suite: sign-in and roles, finding a matter, the guide and
notice sheet, the application form with the API's validation shown next to each field, pre-review with the
e-license library, acceptance with a deferred material under a commitment the clerk witnesses, the one correction
notice, the receipt; every action checked afterwards in the JSON API, attributed to the signed-in clerk."""
from __future__ import annotations

import re
import subprocess

import pytest
import requests

from yici_testkit import AUTH, BIN, PDF, SUPERVISOR_TOKEN, Process, base_env, case_body, free_port, wait_for
from yici_testkit import CLERK as CLERK_TOKEN_HEADER

pytestmark = pytest.mark.xdist_group("window-pages-intake")  # the tests follow one another on one suite

PASSWORD = "window-clerk-password-1"
ACCOUNTS = [("zc01", "综窗 王某", "window_clerk", []), ("jc01", "监察 李某", "supervisor", []),
            ("bm01", "审批 钱某", "department_approver", ["--department", "natural-resources"])]
CLERK = "staff:zc01 综窗 王某"
SUPERVISOR = {"Authorization": f"Bearer {SUPERVISOR_TOKEN}"}
ZHAO = {"applicant.kind": "person", "applicant.name": "赵志强", "applicant.id_number": "152727195504121013",
        "applicant.phone": "13800138000", "region_code": "150626", "taking_point": "WSQ-HALL",
        "delivery.method": "pickup", "delivery.hall": "乌审旗政务服务大厅"}


@pytest.fixture(scope="module")
def suite(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("window-pages")
    port = free_port()
    process = Process([str(BIN / "yici"), "run"], base_env(tmp, YICI_PORT=str(port)), tmp / "yici.log",
                      port).start()
    process.wait_ready()
    for account, name, role, extra in ACCOUNTS:
        added = subprocess.run([str(BIN / "yici"), "users", "add", account, "--name", name, "--role", role, *extra,
                                "--password-stdin"], env=process.env, input=PASSWORD + "\n", text=True,
                               capture_output=True, timeout=60)
        assert added.returncode == 0, added.stderr
    yield process
    process.stop()


def signed_in(suite, account: str) -> requests.Session:
    session = requests.Session()
    answer = session.post(suite.url("/staff/signin"), data={"account_id": account, "password": PASSWORD},
                          allow_redirects=False, timeout=30)
    assert answer.status_code == 303, answer.text
    return session


@pytest.fixture(scope="module")
def clerk(suite):
    return signed_in(suite, "zc01")


def csrf_of(page: str) -> str:
    found = re.search(r'name="csrf" value="([0-9a-f]+)"', page)
    assert found, page
    return found.group(1)


def field_error(page: str, name: str) -> str:
    """The text of the problem shown next to field `name` (empty when there is none)."""
    found = re.search(r'<p class="field-error" id="err-' + re.escape(name.replace(".", "-")) + r'"[^>]*>(.*?)</p>',
                      page, re.S)
    return re.sub(r"<[^>]+>", " ", found.group(1)) if found else ""


def retirement_form(**changes: str) -> dict:
    form = {f"form.{k}": str(v) for k, v in case_body("retirement", ("has-housing-fund",))["form"].items()}
    form.update({"form.applicant_name": "赵志强", "form.applicant_id_number": "152727195504121013"})
    return {**ZHAO, **form, "situation": "has-housing-fund", **changes}


def post_application(session, suite, data: dict, files: dict | None = None, csrf: str | None = None):
    page = session.get(suite.url("/window/matters/retirement/apply?situation=has-housing-fund"), timeout=30)
    assert page.status_code == 200, page.text
    token = csrf_of(page.text) if csrf is None else csrf
    idem = re.search(r'name="idempotency" value="([0-9a-f]+)"', page.text).group(1)
    return session.post(suite.url("/window/matters/retirement/apply"), data={"csrf": token, "idempotency": idem,
                                                                             **data},
                        files=files, allow_redirects=False, timeout=60)


def api_case(suite, case_id: str) -> dict:
    answer = requests.get(suite.url(f"/api/v1/cases/{case_id}"), headers=AUTH, timeout=10)
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_without_a_session_the_workbench_redirects_to_the_sign_in(suite):
    answer = requests.get(suite.url("/window"), allow_redirects=False, timeout=10)
    assert answer.status_code == 303 and answer.headers["Location"].startswith("/staff/signin?next=%2Fwindow")


def test_a_department_approver_is_refused_and_a_supervisor_may_only_look(suite):
    refused = signed_in(suite, "bm01").get(suite.url("/window"), timeout=10)
    assert refused.status_code == 403 and "无权访问此页面" in refused.text and "text/html" in refused.headers[
        "Content-Type"]
    supervisor = signed_in(suite, "jc01")
    home = supervisor.get(suite.url("/window"), timeout=10)
    assert home.status_code == 200 and "综合窗口工作台" in home.text and "/apply" not in home.text
    assert supervisor.get(suite.url("/window/matters/retirement/apply"), timeout=10).status_code == 403


def test_the_clerk_finds_matters_by_name_and_by_life_or_business_event(suite, clerk):
    found = clerk.get(suite.url("/window"), params={"q": "退休"}, timeout=10).text
    assert "退休一件事" in found and "新生儿出生一件事" not in found
    business = clerk.get(suite.url("/window"), params={"kind": "enterprise"}, timeout=10).text
    assert "开办餐饮店一件事" in business and "退休一件事" not in business
    life = clerk.get(suite.url("/window"), params={"kind": "individual"}, timeout=10).text
    assert "新生儿出生一件事" in life and "企业注销一件事" not in life


def test_the_guide_and_the_notice_sheet_are_shown_with_print_buttons(suite, clerk):
    guide = clerk.get(suite.url("/window/matters/retirement"), timeout=10)
    assert guide.status_code == 200 and "申请材料（一次性告知）" in guide.text and "data-print" in guide.text
    assert '/static/window.css' in guide.text and "<svg" in guide.text
    sheet = clerk.get(suite.url("/window/matters/retirement/notice?situation=has-housing-fund"), timeout=10)
    assert sheet.status_code == 200 and "一次性告知单" in sheet.text and "告知人（综合窗口）" in sheet.text
    assert "data-print" in sheet.text
    css = requests.get(suite.url("/static/window.css"), timeout=10)
    assert css.status_code == 200 and "@media print" in css.text and "size:A4" in css.text


def test_a_post_without_the_csrf_token_is_refused(suite, clerk):
    answer = post_application(clerk, suite, retirement_form(action="review"), csrf="0" * 40)
    assert answer.status_code == 403 and "页面已过期" in answer.text
    for action in ("accept", "notice", "supplement"):
        refused = clerk.post(suite.url(f"/window/cases/YC-unknown/{action}"), data={"commitment": "yes"},
                             allow_redirects=False, timeout=10)
        assert refused.status_code == 403 and "页面已过期" in refused.text, action


def test_the_apis_refusals_are_shown_next_to_each_field_in_chinese(suite, clerk):
    answer = post_application(clerk, suite, retirement_form(**{
        "action": "submit", "applicant.id_number": "152727195504121012", "applicant.name": "",
        "form.applicant_id_number": "123", "region_code": "15"}))
    assert answer.status_code == 422, answer.text
    assert "校验" in field_error(answer.text, "applicant.id_number") or "身份证" in field_error(
        answer.text, "applicant.id_number")
    assert field_error(answer.text, "applicant.name")
    assert field_error(answer.text, "form.applicant_id_number")
    assert field_error(answer.text, "region_code")
    assert not re.search(r"[A-Za-z]{12,}", field_error(answer.text, "applicant.id_number"))  # said in Chinese
    assert 'id="a-name" name="applicant.name" value=""' in answer.text  # the blanked name stays blank
    assert 'name="applicant.phone" value="13800138000"' in answer.text  # what was typed is kept


def test_pre_review_shows_the_library_and_the_form_problems_without_storing_a_case(suite, clerk):
    before = len(requests.get(suite.url("/api/v1/window/cases"), headers=CLERK_TOKEN_HEADER, timeout=10).json()["cases"])
    answer = post_application(clerk, suite, retirement_form(**{"action": "review", "form.bank_name": ""}))
    assert answer.status_code == 200, answer.text
    assert "预审结果" in answer.text and answer.text.count("已调取") >= 3  # id card, social security card, file
    assert "请填写" in field_error(answer.text, "form.bank_name")
    assert "缺少材料" in field_error(answer.text, "materials.deemed-contribution-proof")
    after = requests.get(suite.url("/api/v1/window/cases"), headers=CLERK_TOKEN_HEADER, timeout=10).json()["cases"]
    assert len(after) == before


def take(suite, clerk, **changes) -> str:
    answer = post_application(clerk, suite, retirement_form(action="submit", **changes),
                              files={"file.bank-card": ("bank-card.pdf", PDF, "application/pdf")})
    assert answer.status_code == 303, answer.text
    return answer.headers["Location"].rsplit("/", 1)[-1]


def test_the_clerk_takes_an_application_and_accepts_it_with_a_deferred_material(suite, clerk):
    case_id = take(suite, clerk)
    held = api_case(suite, case_id)
    assert held["status"] == "submitted" and held["channel"] == "window"
    page = clerk.get(suite.url(f"/window/cases/{case_id}"), timeout=10)
    assert page.status_code == 200 and "缺少材料" in page.text and 'name="commitment"' in page.text
    queue = clerk.get(suite.url("/window"), timeout=10).text
    assert re.search(r'<a href="/window/cases/' + case_id + r'">.*?待受理审查', queue, re.S)
    accepted = clerk.post(suite.url(f"/window/cases/{case_id}/accept"),
                          data={"csrf": csrf_of(page.text), "commitment": "yes"}, allow_redirects=False, timeout=30)
    assert accepted.status_code == 303 and accepted.headers["Location"].endswith("done=accepted")
    view = api_case(suite, case_id)
    assert view["status"] in ("accepted", "in_approval", "completed", "delivered")
    assert view["accepted_by"] == f"clerk:{CLERK}"
    assert view["commitment"] == {"signed": True, "witnessed_by": f"clerk:{CLERK}"}
    assert [d["code"] for d in view["deferred_materials"]] == ["deemed-contribution-proof"]
    receipt = clerk.get(suite.url(f"/window/cases/{case_id}/receipt"), timeout=10)
    assert receipt.status_code == 200 and "受理回执" in receipt.text and case_id in receipt.text
    assert "容缺材料" in receipt.text and "data-print" in receipt.text and "综窗 王某" in receipt.text
    again = clerk.post(suite.url(f"/window/cases/{case_id}/accept"), data={"csrf": csrf_of(page.text)},
                       allow_redirects=False, timeout=30)
    assert again.status_code == 409 and "不在待审状态" in again.text


def test_the_clerk_issues_the_one_correction_notice_and_prints_it(suite, clerk):
    case_id = take(suite, clerk)
    page = clerk.get(suite.url(f"/window/cases/{case_id}"), timeout=10).text
    empty = clerk.post(suite.url(f"/window/cases/{case_id}/notice"), data={"csrf": csrf_of(page)},
                       allow_redirects=False, timeout=30)
    assert empty.status_code == 422 and field_error(empty.text, "deficiencies")
    noticed = clerk.post(suite.url(f"/window/cases/{case_id}/notice"), data={
        "csrf": csrf_of(page), "deficiency": "0", "extra_target": "materials.bank-card",
        "extra_message": "银行卡扫描件不清晰，请重新提供"}, allow_redirects=False, timeout=30)
    assert noticed.status_code == 303, noticed.text
    view = api_case(suite, case_id)
    assert view["status"] == "correction_requested"
    assert sorted(d["target"] for d in view["notice"]["deficiencies"]) == [
        "materials.bank-card", "materials.deemed-contribution-proof"]
    printed = clerk.get(suite.url(f"/window/cases/{case_id}/notice"), timeout=10)
    assert printed.status_code == 200 and "一次性补正告知书" in printed.text and "银行卡扫描件不清晰" in printed.text
    assert "赵志强" in printed.text


def test_the_applicant_answers_the_notice_and_brings_a_deferred_material_at_the_window(suite, clerk):
    noticed = take(suite, clerk)
    token = csrf_of(clerk.get(suite.url(f"/window/cases/{noticed}"), timeout=10).text)
    assert clerk.post(suite.url(f"/window/cases/{noticed}/notice"), data={"csrf": token, "deficiency": "0"},
                      allow_redirects=False, timeout=30).status_code == 303
    page = clerk.get(suite.url(f"/window/cases/{noticed}"), timeout=10).text
    assert 'name="file.deemed-contribution-proof"' in page and "窗口补正" in page
    nothing = clerk.post(suite.url(f"/window/cases/{noticed}/supplement"), data={"csrf": token},
                         allow_redirects=False, timeout=30)
    assert nothing.status_code == 422 and field_error(nothing.text, "supplement")
    scan = {"file.deemed-contribution-proof": ("proof.pdf", PDF, "application/pdf")}
    answered = clerk.post(suite.url(f"/window/cases/{noticed}/supplement"), data={"csrf": token}, files=scan,
                          allow_redirects=False, timeout=30)
    assert answered.status_code == 303 and answered.headers["Location"].endswith("done=supplied")
    assert api_case(suite, noticed)["status"] in ("accepted", "in_approval", "completed", "delivered")

    deferred = take(suite, clerk)
    assert clerk.post(suite.url(f"/window/cases/{deferred}/accept"), data={"csrf": token, "commitment": "yes"},
                      allow_redirects=False, timeout=30).status_code == 303
    assert "窗口补交容缺材料" in clerk.get(suite.url(f"/window/cases/{deferred}"), timeout=10).text
    brought = clerk.post(suite.url(f"/window/cases/{deferred}/supplement"), data={"csrf": token}, files=scan,
                         allow_redirects=False, timeout=30)
    assert brought.status_code == 303, brought.text
    [row] = api_case(suite, deferred)["deferred_materials"]
    assert row["code"] == "deemed-contribution-proof" and row["supplied"] is True


def test_the_clerks_reads_and_decisions_are_in_the_audit_trail_under_the_clerks_name(suite, clerk):
    accepted, noticed = take(suite, clerk), take(suite, clerk)
    token = csrf_of(clerk.get(suite.url(f"/window/cases/{accepted}"), timeout=10).text)
    assert clerk.post(suite.url(f"/window/cases/{accepted}/accept"), data={"csrf": token}, allow_redirects=False,
                      timeout=30).status_code == 303
    assert clerk.get(suite.url(f"/window/cases/{accepted}/receipt"), timeout=10).status_code == 200
    clerk.get(suite.url(f"/window/cases/{noticed}"), timeout=10)
    assert clerk.post(suite.url(f"/window/cases/{noticed}/notice"), data={"csrf": token, "deficiency": "0"},
                      allow_redirects=False, timeout=30).status_code == 303

    assert post_application(clerk, suite, retirement_form(action="review")).status_code == 200

    def actions(case_id: str | None, wanted: set[str]):  # oversight records the audit events as they arrive
        query = {"actor": CLERK, "limit": 500, **({"case_id": case_id} if case_id else {})}
        trail = requests.get(suite.url("/api/v1/audit"), params=query, timeout=10, headers=SUPERVISOR)
        assert trail.status_code == 200, trail.text
        entries = trail.json()["entries"]
        assert all(e["actor"]["kind"] == "staff" for e in entries)
        found = {e["action"] for e in entries}
        return found if wanted <= found else None
    assert wait_for(lambda: actions(accepted, {"case.accepted", "case.read", "case.receipt.read"}), timeout=30,
                    what="the acceptance's audit entries")
    assert wait_for(lambda: actions(noticed, {"case.correction_requested", "case.read"}), timeout=30,
                    what="the notice's audit entries")
    assert wait_for(lambda: actions(None, {"library.lookup"}), timeout=30, what="the pre-review's library lookup")
