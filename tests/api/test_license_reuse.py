"""An e-license issued by one case counts as a supplied material in the holder's later case."""
from __future__ import annotations

import requests

from yici_testkit import AUTH, case_body, submit, wait_for

HOLDER = "92150626MA0N000160"


def _applicant():
    return {"kind": "company", "name": "乌审旗复用证照有限公司", "credit_code": HOLDER, "phone": "13900139000"}


def _done(embedded, case_id):
    view = requests.get(embedded.url(f"/api/v1/cases/{case_id}"), headers=AUTH, timeout=10).json()
    return view if view["status"] in ("completed", "delivered") else None


def test_a_business_license_from_company_opening_is_not_asked_again_for_a_restaurant(embedded):
    first = submit(embedded.url(""), case_body("company-opening", applicant=_applicant())).json()
    assert first["status"] != "correction_requested", first["notice"]
    done = wait_for(lambda: _done(embedded, first["case_id"]), timeout=30, what="company opening completed")
    assert done["licenses"], "the approval should have issued e-licenses"
    body = case_body("open-restaurant", applicant=_applicant())
    body["materials"] = [m for m in body["materials"] if m["code"] != "business-license"]
    second = submit(embedded.url(""), body).json()
    assert second["status"] != "correction_requested", second["notice"]
    other = case_body("open-restaurant", applicant={**_applicant(), "credit_code": "91150626MA0N000088"})
    other["materials"] = [m for m in other["materials"] if m["code"] != "business-license"]
    third = submit(embedded.url(""), other).json()
    assert third["status"] == "correction_requested"
    assert [d["target"] for d in third["notice"]["deficiencies"]] == ["materials.business-license"]
