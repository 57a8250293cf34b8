"""The worklist API: a department's clerks list, claim and decide their own tasks, and nobody else's."""
from __future__ import annotations

import json

import pytest
import requests
from integration.approval_kit import department_auth, write_config

from yici_testkit import AUTH, BIN, Process, base_env, case_body, free_port, submit, wait_for

TAX, LAND = "tax", "natural-resources"


@pytest.fixture(scope="module")
def worklist(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("worklist")
    config = write_config(tmp, base="embedded", approval={"departments": {TAX: "worklist", LAND: "worklist"}})
    port = free_port()
    process = Process([str(BIN / "yici"), "run", "--config", str(config)], base_env(tmp, YICI_PORT=str(port)),
                      tmp / "yici.log", port).start()
    process.wait_ready()
    yield process
    process.stop()


def tasks(app, department, token_of=None, **params):
    return requests.get(app.url(f"/api/v1/departments/{department}/tasks"), params=params,
                        headers=department_auth(token_of or department), timeout=10)


def post(app, department, request_id, action, body, token_of=None):
    return requests.post(app.url(f"/api/v1/departments/{department}/tasks/{request_id}/{action}"),
                         data=json.dumps(body), timeout=10,
                         headers={**department_auth(token_of or department), "Content-Type": "application/json"})


def new_case(app) -> str:
    response = submit(app.url(""), case_body("bankruptcy-check"))
    assert response.status_code == 201, response.text
    return response.json()["case_id"]


def task_of(app, department, case_id) -> dict:
    def found():
        listed = tasks(app, department).json()["tasks"]
        return next((t for t in listed if t["case_id"] == case_id), None)
    return wait_for(found, timeout=20, what=f"{department} task of {case_id}")


def case_status(app, case_id) -> str:
    return requests.get(app.url(f"/api/v1/cases/{case_id}"), headers=AUTH, timeout=10).json()["status"]


def test_a_department_cannot_see_or_decide_another_departments_tasks(worklist):
    case_id = new_case(worklist)
    task = task_of(worklist, TAX, case_id)
    assert task["due_date"] and task["item_code"] == "tax-arrears-inquiry" and task["status"] == "pending"
    assert tasks(worklist, TAX, token_of=LAND).status_code == 403
    assert post(worklist, TAX, task["request_id"], "decision", {"decision": "approved", "clerk": "李四"},
                token_of=LAND).status_code == 403
    own_path = requests.get(worklist.url(f"/api/v1/departments/{LAND}/tasks/{task['request_id']}"),
                            headers=department_auth(LAND), timeout=10)
    assert own_path.status_code == 404, "another department's task is not found under one's own path either"
    assert post(worklist, LAND, task["request_id"], "claim", {"clerk": "李四"}).status_code == 404
    assert requests.get(worklist.url(f"/api/v1/departments/{TAX}/tasks"), headers=AUTH, timeout=10).status_code == 403
    assert requests.get(worklist.url(f"/api/v1/departments/{TAX}/tasks"), timeout=10).status_code == 401
    assert tasks(worklist, TAX).json()["tasks"], "the department itself still sees it"


def test_claim_decide_once_and_the_case_completes(worklist):
    case_id = new_case(worklist)
    tax, land = task_of(worklist, TAX, case_id), task_of(worklist, LAND, case_id)
    claimed = post(worklist, TAX, tax["request_id"], "claim", {"clerk": "王五"})
    assert claimed.status_code == 200 and claimed.json()["claimed_by"] == "王五"
    assert post(worklist, TAX, tax["request_id"], "claim", {"clerk": "赵六"}).status_code == 409
    other = post(worklist, TAX, tax["request_id"], "decision", {"decision": "approved", "clerk": "赵六"})
    assert other.status_code == 409 and other.json()["problems"][0]["code"] == "claimed_by_other"
    done = post(worklist, TAX, tax["request_id"], "decision", {"decision": "approved", "clerk": "王五"})
    assert done.status_code == 200 and done.json()["status"] == "recorded"
    twice = post(worklist, TAX, tax["request_id"], "decision", {"decision": "rejected", "clerk": "王五",
                                                                "reasons": ["改判"]})
    assert twice.status_code == 409 and twice.json()["problems"][0]["code"] == "already_decided"
    assert post(worklist, LAND, land["request_id"], "decision",
                {"decision": "approved", "clerk": "钱七"}).status_code == 200
    wait_for(lambda: case_status(worklist, case_id) in ("completed", "delivered"), timeout=20, what="completion")
    decided = tasks(worklist, TAX, status="decided").json()["tasks"]
    assert any(t["request_id"] == tax["request_id"] and t["decided_by"] == "王五" for t in decided)


def test_a_rejection_needs_reasons_and_a_legal_basis_and_then_rejects_the_case_and_cancels_the_other_task(worklist):
    case_id = new_case(worklist)
    tax, land = task_of(worklist, TAX, case_id), task_of(worklist, LAND, case_id)
    bare = post(worklist, TAX, tax["request_id"], "decision", {"decision": "rejected", "clerk": "王五"})
    assert bare.status_code == 422
    no_basis = post(worklist, TAX, tax["request_id"], "decision",
                    {"decision": "rejected", "clerk": "王五", "reasons": ["存在欠税"]})
    assert no_basis.status_code == 422 and no_basis.json()["problems"][0]["field"] == "legal_basis"
    assert post(worklist, TAX, tax["request_id"], "decision",
                {"decision": "rejected", "clerk": "王五", "reasons": ["存在欠税"],
                 "legal_basis": "《税收征收管理法》第四十五条"}).status_code == 200
    wait_for(lambda: case_status(worklist, case_id) == "rejected", timeout=20, what="rejection")
    wait_for(lambda: any(t["request_id"] == land["request_id"]
                         for t in tasks(worklist, LAND, status="cancelled").json()["tasks"]),
             timeout=20, what="the other task cancelled")
    late = post(worklist, LAND, land["request_id"], "decision", {"decision": "approved", "clerk": "钱七"})
    assert late.status_code == 409 and late.json()["problems"][0]["code"] == "cancelled"


def test_an_unknown_status_filter_is_422(worklist):
    assert tasks(worklist, TAX, status="everything").status_code == 422
