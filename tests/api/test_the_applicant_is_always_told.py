"""Issue 18, "the applicant is always told", tried as an applicant who chose free mail would live it on the
embedded suite: the acceptance texted once; a department's supplement request texted once and shown, with its
reason and deadline, on the case view and the status page; then a rejection whose written decision (不予行政许可
决定书: reasons, legal basis, remedies, the items already approved) is mailed through the courier, told by SMS,
and printable with the lookup code."""
from __future__ import annotations

import json

import pytest
import requests
from integration.approval_kit import department_auth, write_config

from yici_testkit import AUTH, BIN, Process, base_env, case_body, free_port, submit, wait_for

TAX, LAND = "tax", "natural-resources"
ADDRESS = "内蒙古鄂尔多斯市乌审旗嘎鲁图镇测试路1号"
BASIS = "《中华人民共和国税收征收管理法》第四十五条"


@pytest.fixture(scope="module")
def suite(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("told")
    config = write_config(tmp, base="embedded", approval={"departments": {TAX: "worklist", LAND: "worklist"}})
    port = free_port()
    process = Process([str(BIN / "yici"), "run", "--config", str(config)], base_env(tmp, YICI_PORT=str(port)),
                      tmp / "yici.log", port).start()
    process.wait_ready()
    yield process
    process.stop()


def get(suite, path, **kwargs):
    return requests.get(suite.url(path), timeout=15, **kwargs)


def decide(suite, department, request_id, body):
    return requests.post(suite.url(f"/api/v1/departments/{department}/tasks/{request_id}/decision"),
                         data=json.dumps(body), timeout=15,
                         headers={**department_auth(department), "Content-Type": "application/json"})


def task_of(suite, department, case_id, status="open") -> dict:
    def found():
        listed = get(suite, f"/api/v1/departments/{department}/tasks", params={"status": status},
                     headers=department_auth(department)).json()["tasks"]
        return next((t for t in listed if t["case_id"] == case_id), None)
    return wait_for(found, timeout=30, what=f"{department} task of {case_id}")


def case(suite, case_id) -> dict:
    return get(suite, f"/api/v1/cases/{case_id}", headers=AUTH).json()


def texts(suite, case_id) -> list[dict]:
    return get(suite, f"/api/v1/deliveries/{case_id}/notifications", headers=AUTH).json()["notifications"]


def sent(suite, case_id, template) -> dict:
    return wait_for(lambda: next((n for n in texts(suite, case_id) if n["template"] == template
                                  and n["status"] == "sent"), None), timeout=30, what=f"{template} sent")


def apply_by_mail(suite) -> tuple[str, str]:
    response = submit(suite.url(""), case_body("bankruptcy-check", delivery={"method": "mail", "address": ADDRESS}))
    assert response.status_code == 201, response.text
    return response.json()["case_id"], response.json()["lookup_code"]


def test_acceptance_and_a_departments_supplement_request_are_texted_once_and_shown_with_reason_and_deadline(suite):
    case_id, code = apply_by_mail(suite)
    accepted = sent(suite, case_id, "acceptance_notice")
    assert case_id in accepted["text"] and f"/track/{case_id}?code={code}" in accepted["text"]
    assert case(suite, case_id)["deadline"]["date"] in accepted["text"], "the promised deadline"
    tax = task_of(suite, TAX, case_id)
    asked = decide(suite, TAX, tax["request_id"], {"decision": "supplement_requested", "clerk": "王五",
                                                   "reasons": ["请补充提交法院指定管理人的决定书"]})
    assert asked.status_code == 200, asked.text
    texted = sent(suite, case_id, "supplement_request")
    [request] = wait_for(lambda: case(suite, case_id)["supplement_requests"] or None, timeout=30,
                         what="the open supplement request in the case view")
    assert request["item_code"] == tax["item_code"] and request["reasons"] == ["请补充提交法院指定管理人的决定书"]
    assert request["due_date"] in texted["text"] and f"/track/{case_id}?code={code}" in texted["text"]
    assert "法院指定管理人" not in texted["text"], "the department's words are on the status page, not in the SMS"
    assert {w["channel"] for w in request["ways_to_supply"]} >= {"online", "window"}
    page = get(suite, f"/track/{case_id}", params={"code": code}).text
    assert "请补充提交法院指定管理人的决定书" in page and request["due_date"] in page
    supplied = requests.post(suite.url(f"/api/v1/cases/{case_id}/supplements"), timeout=15,
                             data=json.dumps({"item_code": tax["item_code"], "note": "已补充"}),
                             headers={**AUTH, "Content-Type": "application/json"})
    assert supplied.status_code == 200, supplied.text
    assert case(suite, case_id)["supplement_requests"] == [], "answered: no longer open"
    assert [n["template"] for n in texts(suite, case_id)].count("supplement_request") == 1
    assert [n["template"] for n in texts(suite, case_id)].count("acceptance_notice") == 1


def test_a_rejection_is_mailed_as_a_written_decision_told_by_sms_and_printable_with_the_lookup_code(suite):
    case_id, code = apply_by_mail(suite)
    land, tax = task_of(suite, LAND, case_id), task_of(suite, TAX, case_id)
    assert decide(suite, LAND, land["request_id"], {"decision": "approved", "clerk": "钱七"}).status_code == 200
    task_of(suite, LAND, case_id, status="decided")
    rejection = {"decision": "rejected", "clerk": "王五", "reasons": ["申请企业存在欠缴税款"]}
    bare = decide(suite, TAX, tax["request_id"], rejection)
    assert bare.status_code == 422 and bare.json()["problems"][0]["field"] == "legal_basis"
    assert decide(suite, TAX, tax["request_id"], {**rejection, "legal_basis": BASIS}).status_code == 200

    mailed = wait_for(lambda: (lambda d: d if d.get("tracking_number") else None)(
        get(suite, f"/api/v1/deliveries/{case_id}", headers=AUTH).json()), timeout=30, what="the decision mailed")
    assert (mailed["kind"], mailed["method"]) == ("rejection_decision", "mail")
    assert mailed["tracking_number"].startswith("SIM"), "booked with the courier"
    number = mailed["document_number"]
    assert number in mailed["contents"] and "不予行政许可决定书" in mailed["contents"]
    told = sent(suite, case_id, "rejection_notice")
    assert number in told["text"] and "免费邮寄" in told["text"] and f"/track/{case_id}/decision?code={code}" in told["text"]
    dispatched = sent(suite, case_id, "decision_mail_dispatched")
    assert mailed["tracking_number"] in dispatched["text"]

    assert get(suite, f"/track/{case_id}/decision", params={"code": "WRONGCODE234"}).status_code == 404
    page = get(suite, f"/track/{case_id}/decision", params={"code": code})
    assert page.status_code == 200 and "@page{size:A4" in page.text
    for expected in ("不予行政许可决定书", number, "申请企业存在欠缴税款", BASIS, "六十日", "行政复议",
                     "本级人民政府", "上一级主管部门", "六个月", "人民法院", "行政诉讼", land["item_name"],
                     "继续有效", "电子印章"):
        assert expected in page.text, expected
    view = case(suite, case_id)
    assert view["status"] == "rejected" and view["rejection"]["legal_basis"] == BASIS
    assert land["item_code"] in [i["item_code"] for i in view["rejection"]["approved_items"]]
    assert [d for d in texts(suite, case_id) if d["template"] == "rejection_notice"].__len__() == 1
