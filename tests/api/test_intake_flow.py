"""Intake through HTTP: one correction notice, supplements, deferred materials, clerk review, withdrawal, files."""
from __future__ import annotations

import hashlib
import json
import sqlite3

import requests

from yici_testkit import AUTH, PDF, case_body, submit, upload


def post(embedded, path, body, headers=AUTH):
    return requests.post(embedded.url(path), data=json.dumps(body),
                         headers={**headers, "Content-Type": "application/json"}, timeout=10)


def get_case(embedded, case_id):
    return requests.get(embedded.url(f"/api/v1/cases/{case_id}"), headers=AUTH, timeout=10).json()


def outbox_types(embedded, case_id) -> list[str]:
    with sqlite3.connect(embedded.data_dir / "intake.db") as db:
        return [r[0] for r in db.execute("SELECT event_type FROM intake_outbox WHERE body LIKE ? ORDER BY created_at",
                                         (f'%"case_id": "{case_id}"%',))]


def test_an_incomplete_case_gets_one_notice_listing_every_deficiency_then_is_accepted_after_supply(embedded):
    body = case_body("bankruptcy-check")
    form, materials = body["form"], body["materials"]
    body["form"] = {k: v for k, v in form.items() if k not in ("court_case_number", "administrator_name")}
    body["materials"] = materials[1:]
    response = submit(embedded.url(""), body)
    assert response.status_code == 201
    view = response.json()
    assert view["status"] == "correction_requested"
    targets = {d["target"] for d in view["notice"]["deficiencies"]}
    assert targets == {"form.court_case_number", "form.administrator_name", f"materials.{materials[0]['code']}"}
    assert view["notice"]["due_date"] and view["notice"]["ways_to_supply"]
    case_id = view["case_id"]
    assert outbox_types(embedded, case_id) == ["case_submitted", "correction_requested"]
    fixed = post(embedded, f"/api/v1/cases/{case_id}/supplements", {
        "form": {"court_case_number": form["court_case_number"], "administrator_name": form["administrator_name"]},
        "materials": [{**materials[0], "file_ref": view_file(embedded)["file_ref"]}]})
    assert fixed.status_code == 200 and fixed.json()["status"] in ("accepted", "in_approval", "completed", "delivered")
    assert outbox_types(embedded, case_id)[-1] == "case_accepted"


def test_a_supplement_with_a_wrong_id_number_in_the_form_is_422_and_changes_nothing(embedded):
    body = case_body("newborn")
    del body["form"]["mother_id_number"]
    view = submit(embedded.url(""), body).json()
    assert view["status"] == "correction_requested"
    wrong = post(embedded, f"/api/v1/cases/{view['case_id']}/supplements",
                 {"form": {"mother_id_number": "110105194912310021"}})  # the check character is X
    assert wrong.status_code == 422, wrong.text
    assert [(p["field"], p["code"]) for p in wrong.json()["problems"]] == [
        ("form.mother_id_number", "resident_id.checksum")]
    case = requests.get(embedded.url(f"/api/v1/cases/{view['case_id']}"), headers=AUTH, timeout=10).json()
    assert case["status"] == "correction_requested" and case["notices_issued"] == 1


def view_file(embedded):
    return upload(embedded.url("")).json()


def test_a_second_notice_lists_only_what_the_supplement_got_wrong(embedded):
    body = case_body("bankruptcy-check")
    body["form"] = {k: v for k, v in body["form"].items() if k != "court_case_number"}
    case_id = submit(embedded.url(""), body).json()["case_id"]
    bad = post(embedded, f"/api/v1/cases/{case_id}/supplements", {"form": {"court_case_number": "x" * 500}})
    notice = bad.json()["notice"]
    assert bad.json()["status"] == "correction_requested" and notice["number"] == 2
    assert [d["target"] for d in notice["deficiencies"]] == ["form.court_case_number"]


def test_missing_deferrable_material_with_commitment_is_accepted_with_a_supply_deadline(embedded):
    body = case_body("open-restaurant", commitment=True)
    body["materials"] = [m for m in body["materials"] if m["code"] != "food-safety-rules"]
    view = submit(embedded.url(""), body).json()
    assert view["status"] != "correction_requested", view["notice"]
    deferred = view["deferred_materials"]
    assert [d["code"] for d in deferred] == ["food-safety-rules"] and deferred[0]["due_date"]
    later = post(embedded, f"/api/v1/cases/{view['case_id']}/supplements",
                 {"materials": [{"code": "food-safety-rules", "file_ref": view_file(embedded)["file_ref"]}]})
    assert later.json()["deferred_materials"][0]["supplied"] is True


def test_without_the_commitment_the_deferrable_material_is_in_the_notice(embedded):
    body = case_body("open-restaurant")
    body["materials"] = [m for m in body["materials"] if m["code"] != "food-safety-rules"]
    view = submit(embedded.url(""), body).json()
    assert view["status"] == "correction_requested"
    assert view["notice"]["deficiencies"][0]["code"] == "material.missing_deferrable"


def test_withdrawal_before_completion_and_409_after(embedded):
    body = case_body("bankruptcy-check")
    body["form"] = {}
    case_id = submit(embedded.url(""), body).json()["case_id"]
    assert post(embedded, f"/api/v1/cases/{case_id}/withdraw", {"reason": "不办了"}).json()["status"] == "withdrawn"
    assert post(embedded, f"/api/v1/cases/{case_id}/withdraw", {}).status_code == 409
    assert outbox_types(embedded, case_id)[-1] == "case_withdrawn"


def test_clerk_endpoints_need_a_clerk_token(embedded):
    assert requests.get(embedded.url("/api/v1/window/cases"), headers=AUTH, timeout=10).status_code == 403
    assert requests.get(embedded.url("/api/v1/window/cases"), timeout=10).status_code == 401


def test_files_are_streamed_checked_and_referenced(embedded):
    stored = upload(embedded.url("")).json()
    assert stored["sha256"] == hashlib.sha256(PDF).hexdigest() and stored["size"] == len(PDF)
    assert upload(embedded.url(""), b"hello", "text/plain").status_code == 415
    assert upload(embedded.url(""), b"not a pdf at all", "application/pdf").status_code == 415
    wrong = requests.post(embedded.url("/api/v1/files"), data=PDF, timeout=10, headers={
        **AUTH, "Content-Type": "application/pdf", "X-Content-SHA256": "0" * 64})
    assert wrong.status_code == 422


def test_status_page_needs_the_lookup_code_and_the_receipt_has_a_qr_code(embedded):
    view = submit(embedded.url(""), case_body("bankruptcy-check")).json()
    page = requests.get(embedded.url(f"/track/{view['case_id']}"), params={"code": view["lookup_code"]}, timeout=10)
    assert page.status_code == 200 and "办件进度查询" in page.text and view["case_id"] in page.text
    assert requests.get(embedded.url(f"/track/{view['case_id']}"), params={"code": "000"}, timeout=10
                        ).status_code == 404
    receipt = requests.get(embedded.url(f"/api/v1/cases/{view['case_id']}/receipt"), headers=AUTH, timeout=10)
    assert "受理回执" in receipt.text and "<svg" in receipt.text and view["lookup_code"] in receipt.text
    assert "乌审旗测试有限公司" not in page.text


def test_every_2xx_stores_one_case_and_every_4xx_none(embedded):
    def cases():
        with sqlite3.connect(embedded.data_dir / "intake.db") as db:
            return db.execute("SELECT count(*) FROM intake_cases").fetchone()[0]
    before = cases()
    assert submit(embedded.url(""), case_body("bankruptcy-check")).status_code == 201
    assert cases() == before + 1
    for bad in (case_body(channel="fax"), case_body("nope"), {"matter_code": 1}):
        assert submit(embedded.url(""), bad).status_code == 422
    assert cases() == before + 1


def test_the_correction_notice_event_names_the_matter_and_whom_to_notify(embedded):
    body = case_body("bankruptcy-check")
    body["form"] = {}
    case_id = submit(embedded.url(""), body).json()["case_id"]
    with sqlite3.connect(embedded.data_dir / "intake.db") as db:
        row = db.execute("SELECT body FROM intake_outbox WHERE event_type='correction_requested' AND body LIKE ?",
                         (f'%{case_id}%',)).fetchone()
    payload = json.loads(row[0])["payload"]
    assert payload["matter_code"] == "bankruptcy-check" and payload["contact"]["phone"] == "13800138000"
