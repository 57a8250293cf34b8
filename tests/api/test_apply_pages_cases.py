"""The applicant's online application at /apply and their own cases: the one form refused field by field with the
API's rules, in Chinese; a submission lands in the JSON API as an online case under the applicant's masked
number; another applicant's case is not found; the correction notice and a department's supplement request are
answered on the case page; the concluded case is rated there."""
from __future__ import annotations

import json
import re

import pytest
import requests
from integration.approval_kit import department_auth, write_config

from apply_pages_kit import (
    apply_for_newborn,
    begin,
    case_json,
    csrf,
    field_errors,
    hidden,
    new_phone,
    newborn_form,
    signed_in,
)
from yici_testkit import BIN, PDF, SUPERVISOR_TOKEN, Process, base_env, free_port, wait_for

HEALTH = "health"  # decides the childcare subsidy of 新生儿出生一件事 (not instant) by its worklist here


@pytest.fixture(scope="module")
def suite(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("apply-cases")
    config = write_config(tmp, base="embedded", approval={"departments": {HEALTH: "worklist"},
                                                          "instant_auto": True})
    port = free_port()
    process = Process([str(BIN / "yici"), "run", "--config", str(config)], base_env(tmp, YICI_PORT=str(port)),
                      tmp / "yici.log", port).start()
    process.wait_ready()
    yield process
    process.stop()


def health_task(suite, case_id: str, status: str = "open") -> dict:
    def found():
        listed = requests.get(suite.url(f"/api/v1/departments/{HEALTH}/tasks"), params={"status": status},
                              headers=department_auth(HEALTH), timeout=10).json()["tasks"]
        return next((t for t in listed if t["case_id"] == case_id), None)
    return wait_for(found, timeout=30, what=f"the health task of {case_id}")


def decide(suite, request_id: str, body: dict) -> None:
    answer = requests.post(suite.url(f"/api/v1/departments/{HEALTH}/tasks/{request_id}/decision"),
                           data=json.dumps(body), timeout=15,
                           headers={**department_auth(HEALTH), "Content-Type": "application/json"})
    assert answer.status_code == 200, answer.text


def test_the_form_is_refused_field_by_field_in_chinese(suite):
    session = signed_in(suite)
    wrong_id = begin(suite, session, kind="person", name="王建国", id_number="152727198803152017")
    assert wrong_id.status_code == 422
    assert "applicant-id_number" in field_errors(wrong_id.text)
    assert re.search(r"[\u4e00-\u9fff]", field_errors(wrong_id.text)["applicant-id_number"])
    form_page = begin(suite, session)
    assert form_page.status_code == 200
    assert form_page.text.count("电子证照库已有，无需上传") == 3  # the demo library holds 王建国's licenses
    assert form_page.text.count("部门共享数据已有，无需上传") == 2  # and the exchange his birth record, photo
    assert 'name="file.bank-card"' in form_page.text  # his bank card he must bring
    filled = session.post(suite.url("/apply/matters/newborn/form"), timeout=15, data={
        "csrf": csrf(form_page.text), "draft": hidden(form_page.text, "draft"), "delivery_method": "online",
        "form.newborn_name": "王小宝", "form.newborn_birth_date": "2026-13-45", "form.mother_id_number": "123"})
    assert filled.status_code == 422
    errors = field_errors(filled.text)
    assert errors["form-newborn_birth_date"] == "填写内容不符合要求：新生儿出生日期"
    assert errors["form-mother_name"] == "请填写：母亲姓名"
    assert "form-mother_id_number" in errors and "form-newborn_name" not in errors
    assert 'aria-describedby="form-mother_name-error"' in filled.text
    assert 'value="王小宝"' in filled.text  # what was typed stays
    bad_file = session.post(suite.url("/apply/matters/newborn/form"), timeout=15, data={
        "csrf": csrf(filled.text), "draft": hidden(filled.text, "draft"), "delivery_method": "online"},
        files={"file.bank-card": ("card.pdf", b"<html>not a pdf</html>", "application/pdf")})
    assert bad_file.status_code == 422 and "materials-bank-card" in field_errors(bad_file.text)


def test_a_submission_lands_as_an_online_case_of_the_applicants_number_and_only_they_see_it(suite):
    phone = new_phone()
    alice, bob = signed_in(suite, phone), signed_in(suite)
    case_id = apply_for_newborn(suite, alice, with_bank_card=True)
    receipt = alice.get(suite.url(f"/apply/cases/{case_id}/receipt"), timeout=10)
    assert receipt.status_code == 200 and case_id in receipt.text
    view = case_json(suite, case_id)
    assert view["channel"] == "online" and view["matter_code"] == "newborn"
    assert view["status"] in ("accepted", "in_approval", "completed")
    assert view["material_sources"]  # the library supplied what the page said it holds

    def readers():
        audit = requests.get(suite.url("/api/v1/audit"), params={"case_id": case_id},
                             headers={"Authorization": f"Bearer {SUPERVISOR_TOKEN}"}, timeout=10).json()
        return {e["actor"]["name"] for e in audit["entries"] if e["action"] == "case.read"}
    readers = wait_for(readers, timeout=30, what="the receipt's read in the audit trail")
    assert any(r.startswith(f"applicant:{phone[:3]}****{phone[-4:]} ") for r in readers), readers
    assert all(phone not in r for r in readers)

    assert case_id in alice.get(suite.url("/apply/cases"), timeout=10).text
    assert case_id not in bob.get(suite.url("/apply/cases"), timeout=10).text
    for path in (f"/apply/cases/{case_id}", f"/apply/cases/{case_id}/receipt"):
        assert bob.get(suite.url(path), timeout=10).status_code == 404
    page = bob.get(suite.url("/apply/cases"), timeout=10)
    assert bob.post(suite.url(f"/apply/cases/{case_id}/answer"), data={"csrf": csrf(page.text)},
                    timeout=10).status_code == 404
    assert requests.get(suite.url(f"/apply/cases/{case_id}"), allow_redirects=False,
                        timeout=10).status_code == 303  # signed out: to the sign-in


def test_the_applicant_answers_the_notice_and_the_departments_request_then_rates(suite):
    session = signed_in(suite)
    case_id = apply_for_newborn(suite, session, with_bank_card=False)
    view = case_json(suite, case_id)
    assert view["status"] == "correction_requested"
    assert [d["target"] for d in view["notice"]["deficiencies"]] == ["materials.bank-card"]
    page = session.get(suite.url(f"/apply/cases/{case_id}"), timeout=10)
    assert "一次性补正告知" in page.text and 'name="file.bank-card"' in page.text
    answered = session.post(suite.url(f"/apply/cases/{case_id}/answer"), data={"csrf": csrf(page.text)},
                            files={"file.bank-card": ("card.pdf", PDF, "application/pdf")}, allow_redirects=False,
                            timeout=30)
    assert answered.status_code == 303
    assert case_json(suite, case_id)["status"] in ("accepted", "in_approval")

    task = health_task(suite, case_id)
    decide(suite, task["request_id"], {"decision": "supplement_requested", "clerk": "卫健 李某",
                                       "reasons": ["出生医学证明复印件不清晰，请重新上传"]})
    wait_for(lambda: case_json(suite, case_id)["supplement_requests"], timeout=30, what="the supplement request")
    page = session.get(suite.url(f"/apply/cases/{case_id}"), timeout=10)
    assert "审批部门要求补正" in page.text and "出生医学证明复印件不清晰" in page.text
    supplied = session.post(suite.url(f"/apply/cases/{case_id}/answer"), allow_redirects=False, timeout=30, data={
        "csrf": csrf(page.text), "item_code": task["item_code"], "material_code": "bank-card", "note": "已重新上传"},
        files={"supplement_file": ("again.pdf", PDF, "application/pdf")})
    assert supplied.status_code == 303
    assert case_json(suite, case_id)["supplement_requests"] == []

    again = health_task(suite, case_id)
    decide(suite, again["request_id"], {"decision": "approved", "clerk": "卫健 李某"})
    wait_for(lambda: case_json(suite, case_id)["status"] in ("completed", "delivered"), timeout=30,
             what="the case completed")
    page = session.get(suite.url(f"/apply/cases/{case_id}"), timeout=10)
    assert "服务评价（好差评）" in page.text
    refused = session.post(suite.url(f"/apply/cases/{case_id}/rating"), data={"csrf": csrf(page.text), "score": "9"},
                           timeout=10)
    assert refused.status_code == 422
    rated = session.post(suite.url(f"/apply/cases/{case_id}/rating"), allow_redirects=False, timeout=10,
                         data={"csrf": csrf(page.text), "score": "5", "item_code": "", "comment": "手机上就办完了"})
    assert rated.status_code == 303
    assert case_json(suite, case_id)["rating"]["score"] == 5
    assert "您的评价：非常满意" in session.get(suite.url(f"/apply/cases/{case_id}"), timeout=10).text


def test_the_commitment_signed_on_the_review_page_accepts_the_case_with_the_material_deferred(suite):
    from shared.catalog import default_catalog
    from shared.catalog.forms import merged_form
    session = signed_in(suite)
    form_page = begin(suite, session)
    review = session.post(suite.url("/apply/matters/newborn/form"), timeout=30, data={
        "csrf": csrf(form_page.text), "draft": hidden(form_page.text, "draft"), "delivery_method": "pickup",
        "hall": "乌审旗政务服务大厅", **newborn_form(merged_form(default_catalog(), "newborn", []))})
    assert review.status_code == 200 and "容缺受理承诺" in review.text and 'name="commitment"' in review.text
    back = session.post(suite.url("/apply/matters/newborn/form"), timeout=30,
                        data={key: value for key, value in re.findall(r'name="([^"]+)" value="([^"]*)"', review.text
                                                                      .split('class="inline-form"')[1])})
    assert back.status_code == 200 and "第2步" in back.text  # 返回修改: the form again, as filled
    assert 'value="乌审旗政务服务大厅" selected' in back.text or "selected>乌审旗政务服务大厅" in back.text
    assert f'value="{newborn_form(merged_form(default_catalog(), "newborn", []))["form.newborn_name"]}"' in back.text
    submitted = session.post(suite.url("/apply/matters/newborn/submit"), allow_redirects=False, timeout=30,
                             data={"csrf": csrf(review.text), "draft": hidden(review.text, "draft"),
                                   "commitment": "yes"})
    assert submitted.status_code == 303
    case_id = submitted.headers["Location"].split("/")[3]
    view = case_json(suite, case_id)
    assert view["status"] in ("accepted", "in_approval", "completed") and view["notice"] is None
    assert [d["code"] for d in view["deferred_materials"]] == ["bank-card"]
    assert view["delivery"]["choice"] == {"method": "pickup", "hall": "乌审旗政务服务大厅", "address": None}
    again = session.post(suite.url("/apply/matters/newborn/submit"), allow_redirects=False, timeout=30,
                         data={"csrf": csrf(review.text), "draft": hidden(review.text, "draft"),
                               "commitment": "yes"})
    assert again.headers["Location"] == submitted.headers["Location"]  # a second click: the same case
    tampered = hidden(review.text, "draft")[:-1] + ("0" if not hidden(review.text, "draft").endswith("0") else "1")
    refused = session.post(suite.url("/apply/matters/newborn/submit"), timeout=30,
                           data={"csrf": csrf(review.text), "draft": tampered})
    assert refused.status_code == 400 and "申请内容已失效" in refused.text


def test_a_business_applies_online_for_a_business_event(suite):
    """开办餐饮店 as the demo library's 宝音风味餐馆: upload only what neither the library nor the exchange holds."""
    from shared.catalog import default_catalog
    from shared.catalog.forms import merged_form
    from shared.catalog.materials import material_list
    session = signed_in(suite)
    assert "开办餐饮店一件事" in session.get(suite.url("/apply/matters"), timeout=10).text
    form_page = begin(suite, session, matter="open-restaurant", kind="company", name="乌审旗宝音风味餐馆",
                      credit_code="92150626MA0N1A2B3C", legal_representative="宝音")
    assert form_page.status_code == 200, field_errors(form_page.text)
    needed = re.findall(r'name="file\.([a-z0-9-]+)"', form_page.text)
    assert needed and set(needed) < {e.code for e in material_list(default_catalog(), "open-restaurant", [])}
    review = session.post(suite.url("/apply/matters/open-restaurant/form"), timeout=30, data={
        "csrf": csrf(form_page.text), "draft": hidden(form_page.text, "draft"), "delivery_method": "online",
        **newborn_form(merged_form(default_catalog(), "open-restaurant", []))},
        files={f"file.{code}": (f"{code}.pdf", PDF, "application/pdf") for code in needed})
    assert review.status_code == 200, field_errors(review.text)
    submitted = session.post(suite.url("/apply/matters/open-restaurant/submit"), allow_redirects=False,
                             timeout=30, data={"csrf": csrf(review.text), "draft": hidden(review.text, "draft")})
    view = case_json(suite, submitted.headers["Location"].split("/")[3])
    assert view["channel"] == "online" and view["notice"] is None and view["status"] != "correction_requested"
    assert set(view["material_sources"]) | set(needed) >= {e.code for e in material_list(
        default_catalog(), "open-restaurant", []) if not e.deferrable}
