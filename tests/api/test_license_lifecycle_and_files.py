"""Issue 18 over HTTP: a department revokes, corrects and replaces its e-licenses (verification tells, reuse never
takes a revoked license); departments read the materials of their own items (token or signed link), audited."""
from __future__ import annotations

import json
import time

import pytest
import requests
from integration.approval_kit import department_auth, write_config

from yici_testkit import (
    AUTH,
    BIN,
    CLERK,
    PDF,
    SUPERVISOR_TOKEN,
    Process,
    base_env,
    case_body,
    free_port,
    submit,
    wait_for,
)

HOLDER = "92150626MA0N000199"
SUPERVISOR = {"Authorization": f"Bearer {SUPERVISOR_TOKEN}"}


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("lifecycle")
    config = write_config(tmp, base="embedded")  # every department decides automatically; one token each
    port = free_port()
    process = Process([str(BIN / "yici"), "run", "--config", str(config)],
                      base_env(tmp, YICI_PORT=str(port)), tmp / "yici.log", port).start()
    process.wait_ready()
    yield process
    process.stop()


def _applicant(credit_code=HOLDER):
    return {"kind": "company", "name": "乌审旗吊销测试有限公司", "credit_code": credit_code, "phone": "13900139000"}


def _license(app, license_type, holder=HOLDER):
    found = requests.get(app.url("/api/v1/licenses"), params={"holder": holder, "purpose": "test"}, headers=CLERK,
                         timeout=10).json()["licenses"]
    return next((lic for lic in found if lic["license_type"] == license_type and lic["status"] == "valid"), None)


def _change(app, number, action, body, department):
    return requests.post(app.url(f"/api/v1/licenses/{number}/{action}"), data=json.dumps(body), timeout=10,
                         headers={**department_auth(department), "Content-Type": "application/json"})


def _texts(app, case_id, template):
    """The SMS texts of one template delivery queued for a case."""
    found = requests.get(app.url(f"/api/v1/deliveries/{case_id}/notifications"), headers=AUTH, timeout=10).json()
    return [n["text"] for n in found["notifications"] if n["template"] == template]


def _verify(app, number):
    return requests.get(app.url(f"/api/v1/licenses/{number}/verify"), timeout=10).json()


def _deregistration_until(app, status_wanted, holder=HOLDER):
    """Deregistrations (they need the business license, and issue no license) without it, until one is `wanted`:
    accepted (the held license is reused) or correction_requested (asked again)."""
    def submitted():
        body = case_body("company-deregistration", applicant=_applicant(holder))
        body["materials"] = [m for m in body["materials"] if m["code"] != "business-license"]
        case = submit(app.url(""), body).json()
        wanted = (case["status"] == "correction_requested") == (status_wanted == "correction_requested")
        return case if wanted else time.sleep(0.5)
    return wait_for(submitted, timeout=30, what=f"a deregistration {status_wanted}")


def _business_license(app, holder):
    case = submit(app.url(""), case_body("company-opening", applicant=_applicant(holder))).json()
    assert case["status"] != "correction_requested", case["notice"]
    return wait_for(lambda: _license(app, "business-license", holder), timeout=30, what="a business license")


def test_a_revoked_business_license_is_asked_again_on_the_next_case(app):
    business = _business_license(app, HOLDER)
    number, department = business["number"], business["issuing_department"]
    _deregistration_until(app, "accepted")  # reused while it is valid

    bare = _change(app, number, "revoke", {"clerk": "王五"}, department)
    assert bare.status_code == 422 and [p["field"] for p in bare.json()["problems"]] == ["reason"], bare.text
    assert _change(app, number, "revoke", {"reason": "x", "clerk": "李四"}, "tax").status_code == 404
    assert requests.post(app.url(f"/api/v1/licenses/{number}/revoke"), data="{}", headers=AUTH,
                         timeout=10).status_code == 403
    revoked = _change(app, number, "revoke", {"reason": "以欺骗手段取得登记", "clerk": "王五"}, department)
    assert revoked.status_code == 200, revoked.text
    checked = _verify(app, number)
    assert checked["status"] == "revoked" and checked["valid"] is False
    assert checked["change_reason"] == "以欺骗手段取得登记" and checked["changed_on"]
    assert _change(app, number, "revoke", {"reason": "again", "clerk": "王五"}, department).status_code == 409

    told = wait_for(lambda: _texts(app, business["case_id"], "license_changed"), timeout=20,
                    what="the applicant texted about the revocation")
    assert len(told) == 1 and number in told[0] and "撤销" in told[0] and "行政复议" in told[0], told
    assert "以欺骗手段取得登记" not in told[0]  # the department's words stay in its sealed record

    case = _deregistration_until(app, "correction_requested")
    assert "materials.business-license" in [d["target"] for d in case["notice"]["deficiencies"]]
    trail = wait_for(lambda: [e for e in _audit(app, case_id=business["case_id"]) if e["action"] == "license.revoke"],
                     timeout=20, what="the revocation audited")
    assert trail[0]["actor"]["name"] == "王五" and trail[0]["actor"]["department"] == department


def test_a_replaced_license_points_to_its_successor_and_a_forged_record_fails(app):
    holder = "92150626MA0N000173"
    business = _business_license(app, holder)
    number, department = business["number"], business["issuing_department"]
    replaced = _change(app, number, "replace", {"reason": "证照损毁", "clerk": "王五", "kind": "reissue"}, department)
    assert replaced.status_code == 200, replaced.text
    new = replaced.json()["replaced_by"]
    old = _verify(app, number)
    assert old["status"] == "replaced" and old["replaced_by"] == new and old["valid"] is False
    told = wait_for(lambda: _texts(app, business["case_id"], "license_changed"), timeout=20,
                    what="the applicant texted about the replacement")
    assert len(told) == 1 and f"新证照编号{new}" in told[0], told
    assert _verify(app, new)["valid"] is True and _verify(app, new)["replaces"] == number
    _deregistration_until(app, "accepted", holder)  # the replacement is reused

    wrong = _change(app, new, "correct", {"reason": "更正", "clerk": "王五", "corrections": {"holder_id": "X"}},
                    department)
    assert wrong.status_code == 422 and [p["field"] for p in wrong.json()["problems"]] == ["corrections.holder_id"]
    corrected = _change(app, new, "correct", {"reason": "名称有误", "clerk": "王五",
                                              "corrections": {"holder_name": "乌审旗更正后有限公司"}}, department)
    assert corrected.status_code == 200, corrected.text
    after = _verify(app, new)
    assert after["valid"] is True and [c["action"] for c in after["changes"]] == ["corrected"]

    document = requests.get(app.url(f"/api/v1/licenses/{number}/document"), headers=CLERK, timeout=10).json()
    assert document["status"] == "replaced" and document["changes"][0]["record"]["replaced_by"] == new
    document["changes"][0]["record"]["replaced_by"] = "SCJG-20261201-FORGED00"
    forged = requests.post(app.url("/api/v1/licenses/verify"), data=json.dumps(document), timeout=10,
                           headers={"Content-Type": "application/json"}).json()
    assert forged["records_valid"] is False and forged["valid"] is False


def _audit(app, **params):
    response = requests.get(app.url("/api/v1/audit"), params={**params, "limit": 500}, headers=SUPERVISOR,
                            timeout=10)
    assert response.status_code == 200, response.text
    return response.json()["entries"]


def _own_upload(app) -> tuple[str, str]:
    """A case whose materials are a fresh upload of its own (its file belongs to no other case)."""
    stored = requests.post(app.url("/api/v1/files"), data=PDF + b"%" + str(time.time()).encode() + b"\n%%EOF\n",
                           headers={**AUTH, "Content-Type": "application/pdf"}, timeout=10).json()
    body = case_body("bankruptcy-check")
    body["materials"] = [{**m, "file_ref": stored["file_ref"], "sha256": stored["sha256"]} for m in body["materials"]]
    case = submit(app.url(""), body).json()
    return case["case_id"], stored["file_ref"]


def _task(app, department, case_id):
    url = app.url(f"/api/v1/departments/{department}/tasks/{case_id}:tax-arrears-inquiry")

    def found():
        response = requests.get(url, headers=department_auth(department), timeout=10)
        return response.json() if response.status_code == 200 else None
    return wait_for(found, timeout=20, what="the tax task")


def test_a_department_reads_the_materials_of_its_own_items_only_and_each_read_is_audited(app):
    case_id, ref = _own_upload(app)
    task = _task(app, "tax", case_id)
    wait_for(lambda: requests.get(app.url(f"/api/v1/files/{ref}"), headers=department_auth("tax"),
                                  timeout=10).status_code == 200, timeout=20, what="tax may read the material")
    read = requests.get(app.url(f"/api/v1/files/{ref}"), headers=department_auth("tax"), timeout=10)
    assert read.content.startswith(b"%PDF-") and read.headers["Content-Type"] == "application/pdf"
    assert requests.get(app.url(f"/api/v1/files/{ref}"), headers=department_auth("civil-affairs"),
                        timeout=10).status_code == 404
    assert requests.get(app.url(f"/api/v1/files/{ref}"), headers=AUTH, timeout=10).status_code == 200  # uploader
    assert requests.get(app.url(f"/api/v1/files/{ref}"), headers=CLERK, timeout=10).status_code == 404

    link = next(m["download_url"] for m in task["materials"] if m.get("file_ref") == ref)
    path = link.split("/api/v1/", 1)[1]
    assert requests.get(app.url(f"/api/v1/{path}"), timeout=10).content.startswith(b"%PDF-")
    assert requests.get(app.url(f"/api/v1/files/{ref}/download"), timeout=10).status_code == 403  # unsigned
    altered = path[:-3] + ("AAA" if not path.endswith("AAA") else "BBB")
    assert requests.get(app.url(f"/api/v1/{altered}"), timeout=10).status_code == 403
    def audited():
        found = [e for e in _audit(app, case_id=case_id) if e["action"].startswith("file.read")]
        return found if len(found) >= 3 else None
    reads = audited() or wait_for(audited, timeout=20, what="the three reads audited")
    assert {e["action"] for e in reads} == {f"file.read:{ref}"}
    assert [e["actor"]["department"] for e in reads] == ["tax", "tax", "tax"], reads
    assert reads[-1]["actor"]["name"] == "signed link (tax)" and reads[0]["actor"]["name"] == "tax clerks"
