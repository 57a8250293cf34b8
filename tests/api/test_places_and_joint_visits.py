"""Over HTTP on the embedded suite: where a case is taken (taking points, 全市通办) and the joint inspection
(联合踏勘) as one appointment: booked, shown to the applicant and the departments, joined, recorded once, and
each department's decision waiting for the record."""
from __future__ import annotations

import json

import pytest
import requests
from integration.approval_kit import department_auth, write_config

from oversight_kit import SUPERVISOR
from yici_testkit import AUTH, BIN, Process, base_env, case_body, free_port, submit, wait_for

JOINT = ("water-supply", "power-supply", "gas-supply")
SURVEY = ("needs-water", "needs-gas")


@pytest.fixture(scope="module")
def suite(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("places")
    config = write_config(tmp, base="embedded", approval={"departments": {d: "worklist" for d in JOINT}})
    port = free_port()
    process = Process([str(BIN / "yici"), "run", "--config", str(config)], base_env(tmp, YICI_PORT=str(port)),
                      tmp / "yici.log", port).start()
    process.wait_ready()
    yield process
    process.stop()


def case_view(app, case_id) -> dict:
    return requests.get(app.url(f"/api/v1/cases/{case_id}"), headers=AUTH, timeout=10).json()


def task_post(app, department, request_id, action, body):
    return requests.post(app.url(f"/api/v1/departments/{department}/tasks/{request_id}/{action}"),
                         data=json.dumps(body), timeout=10,
                         headers={**department_auth(department), "Content-Type": "application/json"})


def task_get(app, department, request_id):
    return requests.get(app.url(f"/api/v1/departments/{department}/tasks/{request_id}"),
                        headers=department_auth(department), timeout=10)


def test_a_taking_point_not_configured_is_refused_on_its_field(suite):
    response = submit(suite.url(""), case_body("bankruptcy-check", channel="window", taking_point="NOWHERE"))
    assert response.status_code == 422
    assert [(p["field"], p["code"]) for p in response.json()["problems"]] == [
        ("taking_point", "unknown_taking_point")]


def test_a_local_matter_at_another_banners_hall_is_refused_and_a_city_wide_one_is_taken_and_shown(suite):
    local = submit(suite.url(""), case_body("utility-connection", SURVEY, channel="window", taking_point="DS-HALL"))
    assert local.status_code == 422
    problem = local.json()["problems"][0]
    assert problem["field"] == "taking_point" and problem["code"] == "not_citywide" and problem["message_zh"]
    taken = submit(suite.url(""), case_body("bankruptcy-check", channel="window", taking_point="DS-HALL"))
    assert taken.status_code == 201, taken.text
    case_id = taken.json()["case_id"]
    assert case_view(suite, case_id)["taking_point"]["banner"] == "150602"
    timeline = wait_for(lambda: (t := requests.get(suite.url(f"/api/v1/cases/{case_id}/timeline"), headers=AUTH,
                                                   timeout=10).json()).get("taking_point") and t,
                        timeout=20, what="the taking point in oversight's timeline")
    assert timeline["taking_point"]["code"] == "DS-HALL"
    ledger = wait_for(lambda: {r["key"]: r for r in requests.get(
        suite.url("/api/v1/reports/ledger"), params={"period": "monthly", "by": "taking_point"},
        headers=SUPERVISOR, timeout=10).json()["rows"]}.get("DS-HALL"), timeout=20, what="the ledger row")
    assert ledger["label"] == "东胜区政务服务中心（150602）" and ledger["received"] >= 1
    for form in ("csv", "html"):
        text = requests.get(suite.url("/api/v1/reports/ledger"), headers=SUPERVISOR, timeout=10, params={
            "period": "monthly", "by": "taking_point", "format": form}).content.decode("utf-8-sig")
        assert "受理点" in text and "东胜区政务服务中心（150602）" in text


def test_the_joint_inspection_is_one_appointment_recorded_once_before_the_departments_decide(suite):
    body = case_body("utility-connection", SURVEY, channel="window", taking_point="WSQ-HALL")
    response = submit(suite.url(""), body)
    assert response.status_code == 201, response.text
    case_id = response.json()["case_id"]
    rid = {d: f"{case_id}:{item}" for d, item in zip(JOINT, ("water-connection", "power-connection",
                                                            "gas-connection"))}
    task = wait_for(lambda: task_get(suite, "power-supply", rid["power-supply"]).status_code == 200 and
                    task_get(suite, "power-supply", rid["power-supply"]).json(), timeout=20, what="the task")
    joint = task["joint_task"]
    assert joint["place"] == body["form"]["connection_address"] and joint["time"] == "09:30"
    assert sorted(joint["departments"]) == sorted(JOINT) and joint["lead_department"] == "water-supply"
    assert task["joint_visit"] is None
    shown = wait_for(lambda: case_view(suite, case_id)["joint_appointments"], timeout=20, what="the appointment")
    assert shown == [{"kind": "inspection", "date": joint["scheduled_on"], "time": "09:30",
                      "place": joint["place"], "departments": joint["departments"]}]
    view = case_view(suite, case_id)
    page = requests.get(suite.url(f"/track/{case_id}"), params={"code": view["lookup_code"]}, timeout=10).text
    assert "现场踏勘预约" in page and joint["place"] in page and "乌审旗政务服务大厅" in page

    decide = {"decision": "approved", "clerk": "王五"}
    refused = task_post(suite, "power-supply", rid["power-supply"], "decision", decide)
    assert refused.status_code == 409 and refused.json()["problems"][0]["code"] == "joint_visit_missing"
    joined = task_post(suite, "power-supply", rid["power-supply"], "joint-visit/join", {"clerk": "赵六"})
    assert joined.status_code == 200
    assert {p["department"]: p["joined_by"] for p in joined.json()["joint_participants"]}["power-supply"] == "赵六"
    visit = {"clerk": "李四", "attended": list(JOINT), "findings": "现场具备接入条件"}
    assert task_post(suite, "power-supply", rid["power-supply"], "joint-visit", visit).status_code == 409
    recorded = task_post(suite, "water-supply", rid["water-supply"], "joint-visit", visit)
    assert recorded.status_code == 200, recorded.text
    assert task_post(suite, "water-supply", rid["water-supply"], "joint-visit", visit).status_code == 409
    assert task_get(suite, "gas-supply", rid["gas-supply"]).json()["joint_visit"]["visit_id"] == \
        recorded.json()["visit_id"]
    for department in JOINT:
        decided = task_post(suite, department, rid[department], "decision", decide)
        assert decided.status_code == 200, decided.text
    wait_for(lambda: case_view(suite, case_id)["status"] in ("completed", "delivered"), timeout=30,
             what="the case completes")
