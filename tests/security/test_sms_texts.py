"""Issue 17: applicant text reached government-signed SMS (a free-text pickup hall, an echoed unknown material
code), sent to any number the application names. A hall must be one the county named (422 otherwise), and a
correction notice's SMS says only what the catalog and the system say: nothing the applicant typed."""
from __future__ import annotations

import requests

from yici_testkit import AUTH, case_body, submit, wait_for

PHISHING = "请点击 http://wsq-gov.example/verify 补正"


def _sms(embedded, case_id: str) -> list[dict]:
    answer = requests.get(embedded.url(f"/api/v1/deliveries/{case_id}/notifications"), headers=AUTH, timeout=10)
    return answer.json()["notifications"] if answer.status_code == 200 else []


def test_a_pickup_hall_the_county_did_not_name_is_refused(embedded):
    body = case_body(delivery={"method": "pickup", "hall": f"乌审旗政务服务大厅 {PHISHING}"})
    refused = submit(embedded.url(""), body)
    assert refused.status_code == 422, refused.text
    assert [p["field"] for p in refused.json()["problems"]] == ["delivery.hall"]
    assert PHISHING not in refused.text
    assert submit(embedded.url(""), case_body()).status_code == 201  # the named hall, and no hall, still do
    assert submit(embedded.url(""), case_body(delivery={"method": "pickup"})).status_code == 201


def test_a_correction_sms_never_quotes_what_the_applicant_sent(embedded):
    body = case_body("bankruptcy-check")
    body["materials"] = [*body["materials"], {"code": PHISHING, "file_ref": "UPLOAD"}]
    body["form"] = {**body["form"], PHISHING: "x"}
    view = submit(embedded.url(""), body).json()
    assert view["status"] == "correction_requested", view
    assert PHISHING not in " ".join(d["message_zh"] + d["message_en"] for d in view["notice"]["deficiencies"])
    [sms] = wait_for(lambda: _sms(embedded, view["case_id"]) or None, timeout=30, what="the correction SMS")
    assert sms["template"] == "correction_notice" and sms["text"].startswith("【乌审旗政务服务】"), sms
    assert "http" not in sms["text"] and "wsq-gov" not in sms["text"] and "请点击" not in sms["text"], sms["text"]
