"""The department workbench's pages over HTTP on the embedded suite (every department deciding by worklist):
the worklist scoped to the approver's department and unit, another department's task not found, CSRF refused,
a rejection without legal basis shown by its field, and decisions, claims, supplement requests and closed
rectifications landing in the JSON API under the person's name."""
from __future__ import annotations

import re
import subprocess
from datetime import date

import pytest
import requests

from shared.workdays import WorkingCalendar, today_in_shanghai
from yici_testkit import AUTH, BIN, SUPERVISOR_TOKEN, Process, base_env, case_body, free_port, submit, wait_for

PASSWORD = "dept-workbench-password-1"
TAX, LAND = "tax", "natural-resources"
SUPERVISOR = {"Authorization": f"Bearer {SUPERVISOR_TOKEN}"}
ACCOUNTS = [("dp-tax", "税务 钱某", "department_approver", ["--department", TAX]),
            ("dp-tax2", "税务 孙某", "department_approver", ["--department", TAX]),
            ("dp-land", "自然资源 周某", "department_approver", ["--department", LAND]),
            ("dp-unit", "苏木 吴某", "department_approver", ["--department", TAX, "--unit", "150626101"]),
            ("dp-jc", "监察 郑某", "supervisor", []),
            ("dp-water", "供水 冯某", "department_approver", ["--department", "water-supply"]),
            ("dp-power", "供电 陈某", "department_approver", ["--department", "power-supply"]),
            ("dp-eco", "生态 褚某", "department_approver", ["--department", "ecology-environment"])]
ACTOR = "staff:dp-tax 税务 钱某"


@pytest.fixture(scope="module")
def suite(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("dept_pages")
    port = free_port()
    process = Process([str(BIN / "yici"), "run"], base_env(tmp, YICI_PORT=str(port), YICI_AUTO_APPROVE="false"),
                      tmp / "yici.log", port).start()
    process.wait_ready()
    for account, name, role, extra in ACCOUNTS:
        added = subprocess.run([str(BIN / "yici"), "users", "add", account, "--name", name, "--role", role, *extra,
                                "--password-stdin"], env=process.env, input=PASSWORD + "\n", text=True,
                               capture_output=True, timeout=60)
        assert added.returncode == 0, added.stderr
    yield process
    process.stop()


SESSIONS: dict[tuple[int, str], requests.Session] = {}


def signed_in(suite, account: str) -> requests.Session:
    """The account's signed-in session (one per account and suite: signing in hashes the password)."""
    if (suite.port, account) in SESSIONS:
        return SESSIONS[(suite.port, account)]
    session = SESSIONS[(suite.port, account)] = requests.Session()
    answer = session.post(suite.url("/staff/signin"), data={"account_id": account, "password": PASSWORD},
                          allow_redirects=False, timeout=30)
    assert answer.status_code == 303, answer.text
    return session


def csrf_of(page: str) -> str:
    found = re.search(r'name="csrf" value="([0-9a-f]+)"', page)
    assert found, page
    return found.group(1)


def new_case(suite) -> str:
    response = submit(suite.url(""), case_body("bankruptcy-check"))
    assert response.status_code == 201, response.text
    return response.json()["case_id"]


def api_task(suite, department: str, case_id: str) -> dict:
    """The task as the JSON worklist API shows it (read with the approver's own session)."""
    def found():
        session = signed_in(suite, "dp-tax" if department == TAX else "dp-land")
        listed = session.get(suite.url(f"/api/v1/departments/{department}/tasks"), params={"status": "all"},
                             timeout=10).json()["tasks"]
        return next((t for t in listed if t["case_id"] == case_id), None)
    return wait_for(found, timeout=30, what=f"{department} task of {case_id}")


def act(session, suite, request_id: str, action: str, **form) -> requests.Response:
    page = session.get(suite.url(f"/department/tasks/{request_id}"), timeout=10)
    assert page.status_code == 200, page.text
    return session.post(suite.url(f"/department/tasks/{request_id}/{action}"),
                        data={"csrf": csrf_of(page.text), **form}, allow_redirects=False, timeout=30)


def test_the_worklist_shows_the_departments_own_tasks_only(suite):
    case_id = new_case(suite)
    tax, land = api_task(suite, TAX, case_id), api_task(suite, LAND, case_id)
    tax_page = signed_in(suite, "dp-tax").get(suite.url("/department"), timeout=10)
    assert tax_page.status_code == 200 and tax["request_id"] in tax_page.text
    assert land["request_id"] not in tax_page.text
    assert "剩 " in tax_page.text and "个工作日" in tax_page.text, "each task says the working days left"
    land_session = signed_in(suite, "dp-land")
    assert tax["request_id"] not in land_session.get(suite.url("/department"), timeout=10).text
    assert land_session.get(suite.url(f"/department/tasks/{tax['request_id']}"), timeout=10).status_code == 404
    refused = act(land_session, suite, land["request_id"], "claim")  # its own task: fine
    assert refused.status_code == 303
    other = land_session.post(suite.url(f"/department/tasks/{tax['request_id']}/claim"), timeout=10,
                              data={"csrf": csrf_of(land_session.get(suite.url("/department"), timeout=10).text)})
    assert other.status_code == 404, "another department's task cannot be claimed from the page either"
    assert api_task(suite, TAX, case_id)["claimed_by"] is None


def test_an_approver_bound_to_a_unit_sees_that_units_tasks_only(suite):
    case_id = new_case(suite)
    tax = api_task(suite, TAX, case_id)
    assert tax["unit"] is None, "the banner department's task belongs to no township unit"
    unit = signed_in(suite, "dp-unit")
    page = unit.get(suite.url("/department"), timeout=10)
    assert page.status_code == 200 and "150626101" in page.text and tax["request_id"] not in page.text
    assert unit.get(suite.url(f"/department/tasks/{tax['request_id']}"), timeout=10).status_code == 404
    listed = unit.get(suite.url(f"/api/v1/departments/{TAX}/tasks"), timeout=10)
    assert listed.status_code == 200 and listed.json()["unit"] == "150626101"
    assert all(t["unit"] == "150626101" for t in listed.json()["tasks"])
    assert unit.get(suite.url(f"/api/v1/departments/{TAX}/tasks/{tax['request_id']}"), timeout=10).status_code == 404


def test_a_form_without_the_csrf_token_is_refused(suite):
    case_id = new_case(suite)
    tax = api_task(suite, TAX, case_id)
    session = signed_in(suite, "dp-tax")
    refused = session.post(suite.url(f"/department/tasks/{tax['request_id']}/claim"), data={}, timeout=10,
                           allow_redirects=False)
    assert refused.status_code == 403 and refused.json()["problems"][0]["code"] == "csrf_failed"
    forged = session.post(suite.url(f"/department/tasks/{tax['request_id']}/decide"), timeout=10,
                          data={"csrf": "0" * 40, "decision": "approved"}, allow_redirects=False)
    assert forged.status_code == 403
    assert api_task(suite, TAX, case_id)["status"] == "pending", "nothing was claimed or decided"


def test_a_rejection_needs_its_legal_basis_then_lands_under_the_persons_name(suite):
    case_id = new_case(suite)
    tax = api_task(suite, TAX, case_id)
    rid = tax["request_id"]
    session = signed_in(suite, "dp-tax")
    assert act(session, suite, rid, "claim").status_code == 303
    assert api_task(suite, TAX, case_id)["claimed_by"] == ACTOR
    other = act(signed_in(suite, "dp-tax2"), suite, rid, "decide", decision="approved")
    assert other.status_code == 409 and "已由" in other.text, "a task claimed by another is decided by them"
    missing = act(session, suite, rid, "decide", decision="rejected", reasons="欠缴税款未结清")
    assert missing.status_code == 422
    assert 'id="legal_basis-error"' in missing.text and "法律依据" in missing.text
    assert "欠缴税款未结清" in missing.text, "what was typed is kept"
    no_reasons = act(session, suite, rid, "decide", decision="rejected", legal_basis="《税收征收管理法》第四十条")
    assert no_reasons.status_code == 422 and 'id="reasons-error"' in no_reasons.text
    done = act(session, suite, rid, "decide", decision="rejected", reasons="欠缴税款未结清",
               legal_basis="《中华人民共和国税收征收管理法》第四十条")
    assert done.status_code == 303 and done.headers["Location"].endswith("done=decide")
    decided = api_task(suite, TAX, case_id)
    assert (decided["status"], decided["decision"], decided["decided_by"]) == ("decided", "rejected", ACTOR)
    plan = wait_for(lambda: _decided_plan_item(suite, case_id, "tax-arrears-inquiry"), timeout=30,
                    what="routing recorded the decision from the event")
    assert plan["decided_by"] == ACTOR, "the approval_decided event carries the person"
    entries = wait_for(lambda: _audit(suite, case_id, "task.decided"), timeout=30, what="the decision's audit entry")
    assert entries[0]["actor"]["kind"] == "staff" and entries[0]["actor"]["name"] == ACTOR


def test_an_approval_and_a_supplement_with_its_deadline_land_in_the_api(suite):
    case_id = new_case(suite)
    tax, land = api_task(suite, TAX, case_id), api_task(suite, LAND, case_id)
    session = signed_in(suite, "dp-tax")
    assert act(session, suite, tax["request_id"], "decide", decision="approved").status_code == 303
    approved = api_task(suite, TAX, case_id)
    assert (approved["decision"], approved["decided_by"]) == ("approved", ACTOR)
    land_session = signed_in(suite, "dp-land")
    bad_days = act(land_session, suite, land["request_id"], "decide", decision="supplement_requested",
                   reasons="请补充宗地图", supplement_days="99")
    assert bad_days.status_code == 422 and 'id="supplement_days-error"' in bad_days.text
    asked = act(land_session, suite, land["request_id"], "decide", decision="supplement_requested",
                reasons="请补充宗地图", supplement_days="3")
    assert asked.status_code == 303
    suspended = api_task(suite, LAND, case_id)
    assert (suspended["status"], suspended["decided_by"]) == ("supplement_requested", "staff:dp-land 自然资源 周某")

    def requested():
        case = requests.get(suite.url(f"/api/v1/cases/{case_id}"), headers=AUTH, timeout=10).json()
        return case["supplement_requests"] or None
    supplement = wait_for(requested, timeout=30, what="the supplement request at intake")[0]
    expected = WorkingCalendar.from_file().add_workdays(today_in_shanghai(), 3).date
    assert date.fromisoformat(supplement["due_date"]) == expected, "the approver's period, not the default"


def test_a_supervisor_sees_a_departments_worklist_read_only(suite):
    case_id = new_case(suite)
    tax = api_task(suite, TAX, case_id)
    supervisor = signed_in(suite, "dp-jc")
    page = supervisor.get(suite.url("/department"), params={"department": TAX}, timeout=10)
    assert page.status_code == 200 and tax["request_id"] in page.text and "只读" in page.text
    task = supervisor.get(suite.url(f"/department/tasks/{tax['request_id']}"), params={"department": TAX},
                          timeout=10)
    assert task.status_code == 200 and "/claim" not in task.text and "/decide" not in task.text
    posted = supervisor.post(suite.url(f"/department/tasks/{tax['request_id']}/claim"), timeout=10,
                             data={"csrf": csrf_of(task.text)}, allow_redirects=False)
    assert posted.status_code == 403
    clerkless = requests.get(suite.url("/department"), allow_redirects=False, timeout=10)
    assert clerkless.status_code == 303 and clerkless.headers["Location"].startswith("/staff/signin")


def test_a_bad_rating_is_rectified_from_the_departments_page(suite):
    case_id = new_case(suite)
    tax = api_task(suite, TAX, case_id)
    assert act(signed_in(suite, "dp-tax"), suite, tax["request_id"], "decide", decision="rejected",
               reasons="欠缴税款", legal_basis="《中华人民共和国税收征收管理法》第四十条").status_code == 303

    def rated():
        answer = requests.post(suite.url(f"/api/v1/cases/{case_id}/rating"), headers=AUTH, timeout=10,
                               json={"score": 1, "comment": "等待时间太长", "item_code": "tax-arrears-inquiry"})
        return answer.json() if answer.status_code == 201 else None
    task_id = wait_for(rated, timeout=30, what="the concluded case rated")["rectification"]["task_id"]
    session = signed_in(suite, "dp-tax")
    page = session.get(suite.url("/department/rectifications"), timeout=10)
    assert page.status_code == 200 and task_id in page.text and "等待时间太长" in page.text
    assert task_id not in signed_in(suite, "dp-land").get(suite.url("/department/rectifications"), timeout=10).text
    empty = session.post(suite.url(f"/department/rectifications/{task_id}/close"), timeout=10,
                         data={"csrf": csrf_of(page.text), "note": ""}, allow_redirects=False)
    assert empty.status_code == 422 and "note-1-error" in empty.text
    closed = session.post(suite.url(f"/department/rectifications/{task_id}/close"), timeout=10,
                          data={"csrf": csrf_of(page.text), "note": "已增设窗口并缩短等候"}, allow_redirects=False)
    assert closed.status_code == 303
    listed = requests.get(suite.url("/api/v1/rectifications"), params={"status": "all"}, headers=SUPERVISOR,
                          timeout=10).json()["rectifications"]
    row = next(r for r in listed if r["task_id"] == task_id)
    assert (row["status"], row["note"], row["closed_by"]) == ("closed", "已增设窗口并缩短等候", "department")
    entries = wait_for(lambda: _audit(suite, case_id, "rectification.closed"), timeout=30, what="audit entry")
    assert entries[0]["actor"]["name"] == ACTOR


def test_the_joint_inspection_is_joined_recorded_by_the_lead_and_then_decided(suite):
    submitted = submit(suite.url(""), case_body("utility-connection", ("needs-water", "needs-gas"), channel="window",
                                                taking_point="WSQ-HALL"))
    assert submitted.status_code == 201, submitted.text
    case_id = submitted.json()["case_id"]
    water, power = f"{case_id}:water-connection", f"{case_id}:power-connection"
    session = signed_in(suite, "dp-power")
    page = wait_for(lambda: (r := session.get(suite.url(f"/department/tasks/{power}"), timeout=10)).status_code == 200
                    and r.text, timeout=30, what="the power task")
    assert "联合踏勘" in page and "09:30" in page and "尚未登记" in page
    early = act(session, suite, power, "decide", decision="approved")
    assert early.status_code == 409 and "联合踏勘尚未记录" in early.text
    assert act(session, suite, power, "join").status_code == 303
    joined = session.get(suite.url(f"/api/v1/departments/power-supply/tasks/{power}"), timeout=10).json()
    assert {p["department"]: p["joined_by"] for p in joined["joint_participants"]}["power-supply"] == \
        "staff:dp-power 供电 陈某"
    not_lead = act(session, suite, power, "visit", attended=["power-supply"], findings="现场具备接入条件")
    assert not_lead.status_code == 409 and "牵头部门" in not_lead.text
    lead = signed_in(suite, "dp-water")
    no_findings = act(lead, suite, water, "visit", attended=["water-supply", "power-supply"], findings="")
    assert no_findings.status_code == 422 and 'id="findings-error"' in no_findings.text
    recorded = act(lead, suite, water, "visit", attended=["water-supply", "power-supply"], findings="现场具备接入条件")
    assert recorded.status_code == 303
    visit = session.get(suite.url(f"/api/v1/departments/power-supply/tasks/{power}"), timeout=10).json()["joint_visit"]
    assert (visit["recorded_by"], visit["findings"]) == ("staff:dp-water 供水 冯某", "现场具备接入条件")
    assert "现场具备接入条件" in session.get(suite.url(f"/department/tasks/{power}"), timeout=10).text
    assert act(session, suite, power, "decide", decision="approved").status_code == 303
    assert session.get(suite.url(f"/api/v1/departments/power-supply/tasks/{power}"), timeout=10).json()[
        "decided_by"] == "staff:dp-power 供电 陈某"


def test_the_task_page_shows_materials_deferred_under_the_commitment(suite):
    body = case_body("open-restaurant", ("new-business-entity", "area-over-threshold"), commitment=True)
    body["materials"] = [m for m in body["materials"] if m["code"] != "food-safety-rules"]
    submitted = submit(suite.url(""), body)
    assert submitted.status_code == 201, submitted.text
    view = submitted.json()
    assert [d["code"] for d in view["deferred_materials"]] == ["food-safety-rules"]
    session = signed_in(suite, "dp-eco")
    path = f"/department/tasks/{view['case_id']}:eia-registration-filing"
    page = wait_for(lambda: (r := session.get(suite.url(path), timeout=10)).status_code == 200 and r.text,
                    timeout=30, what="the ecology task")
    deferred = page.split("容缺后补材料")[1]
    assert view["deferred_materials"][0]["name"] in deferred and view["deferred_materials"][0]["due_date"] in deferred


def _decided_plan_item(suite, case_id: str, item_code: str) -> dict | None:
    plan = requests.get(suite.url(f"/api/v1/routing/cases/{case_id}"), headers=AUTH, timeout=10).json()
    item = next((i for i in plan.get("items", []) if i.get("item_code", i.get("code")) == item_code), None)
    return item if item and item.get("decided_by") else None


def _audit(suite, case_id: str, action: str) -> list | None:
    entries = requests.get(suite.url("/api/v1/audit"), params={"case_id": case_id}, headers=SUPERVISOR,
                           timeout=10).json()["entries"]
    return [e for e in entries if e["action"] == action] or None
