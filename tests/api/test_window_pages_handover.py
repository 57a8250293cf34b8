"""The hall's hand-over screen (/handover, delivery) on the embedded suite: a completed case found by its pickup
code, the collector's ID checked against the applicant's (a wrong one refused with a clear message next to the
field), the hand-over recorded under the clerk's name and the slip printed; the JSON API's pickup checks the ID
the same way."""
from __future__ import annotations

import re
import subprocess

import pytest
import requests

from yici_testkit import AUTH, BIN, CLERK, Process, base_env, case_body, free_port, submit, wait_for

PASSWORD = "delivery-clerk-password-1"
ZHAO_ID = "152727195504121013"
ACCOUNTS = [("cj01", "出件 孙某", "delivery_clerk"), ("zc02", "综窗 周某", "window_clerk"),
            ("jc02", "监察 吴某", "supervisor")]


@pytest.fixture(scope="module")
def suite(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("handover-pages")
    port = free_port()
    process = Process([str(BIN / "yici"), "run"], base_env(tmp, YICI_PORT=str(port)), tmp / "yici.log",
                      port).start()
    process.wait_ready()
    for account, name, role in ACCOUNTS:
        added = subprocess.run([str(BIN / "yici"), "users", "add", account, "--name", name, "--role", role,
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


def csrf_of(page: str) -> str:
    found = re.search(r'name="csrf" value="([0-9a-f]+)"', page)
    assert found, page
    return found.group(1)


def field_error(page: str, name: str) -> str:
    found = re.search(r'<p class="field-error" id="err-' + re.escape(name) + r'"[^>]*>(.*?)</p>', page, re.S)
    return re.sub(r"<[^>]+>", " ", found.group(1)) if found else ""


def awaiting_pickup(suite, body: dict) -> tuple[str, str]:
    """A case submitted and completed; its id and pickup code (which the applicant's front end is shown)."""
    answer = submit(suite.url(""), body)
    assert answer.status_code == 201, answer.text
    case_id = answer.json()["case_id"]

    def waiting():
        found = requests.get(suite.url(f"/api/v1/deliveries/{case_id}"), headers=AUTH, timeout=10)
        return found.json() if found.status_code == 200 and found.json()["status"] == "awaiting_pickup" else None
    return case_id, wait_for(waiting, timeout=60, what=f"{case_id} awaiting pickup")["pickup_code"]


def zhao_case(suite) -> tuple[str, str]:
    body = case_body("retirement", applicant={"kind": "person", "name": "赵志强", "id_number": ZHAO_ID,
                                               "phone": "13800138000"})
    return awaiting_pickup(suite, body)


def test_the_hand_over_screen_needs_a_delivery_or_window_clerk(suite):
    assert requests.get(suite.url("/handover"), allow_redirects=False, timeout=10).status_code == 303
    assert signed_in(suite, "jc02").get(suite.url("/handover"), timeout=10).status_code == 403
    assert signed_in(suite, "zc02").get(suite.url("/handover"), timeout=10).status_code == 200
    clerk = signed_in(suite, "cj01")
    page = clerk.get(suite.url("/handover"), timeout=10)
    assert page.status_code == 200 and 'id="pickup_code"' in page.text and "autofocus" in page.text
    refused = clerk.post(suite.url("/handover/find"), data={"pickup_code": "12345678"}, timeout=10)
    assert refused.status_code == 403 and "页面已过期" in refused.text


def test_a_person_s_result_goes_only_to_that_person_and_the_slip_names_the_clerk(suite):
    case_id, code = zhao_case(suite)
    clerk = signed_in(suite, "cj01")
    token = csrf_of(clerk.get(suite.url("/handover"), timeout=10).text)
    wrong_code = clerk.post(suite.url("/handover/find"), data={"csrf": token, "pickup_code": "1234"}, timeout=10)
    assert wrong_code.status_code == 422 and "8位数字" in field_error(wrong_code.text, "pickup_code")
    found = clerk.post(suite.url("/handover/find"), data={"csrf": token, "pickup_code": code}, timeout=10)
    assert found.status_code == 200 and case_id in found.text and "退休一件事" in found.text
    assert "申请人本人凭身份证领取" in found.text

    def hand_over(id_number: str):
        return clerk.post(suite.url("/handover/confirm"), data={
            "csrf": token, "case_id": case_id, "pickup_code": code, "id_number": id_number},
            allow_redirects=False, timeout=30)
    other = hand_over("152727199007082429")  # a valid ID number, of somebody else
    assert other.status_code == 422 and "与申请人不一致" in field_error(other.text, "id_number")
    malformed = hand_over("152727195504121012")
    assert malformed.status_code == 422 and field_error(malformed.text, "id_number")
    assert hand_over("").status_code == 422
    delivery = requests.get(suite.url(f"/api/v1/deliveries/{case_id}"), headers=AUTH, timeout=10).json()
    assert delivery["status"] == "awaiting_pickup"  # nothing was handed over
    done = hand_over(ZHAO_ID.lower()[:-1] + ZHAO_ID[-1])
    assert done.status_code == 303 and done.headers["Location"] == f"/handover/{case_id}/slip"
    slip = clerk.get(suite.url(done.headers["Location"]), timeout=10)
    assert slip.status_code == 200 and "出件单" in slip.text and "staff:cj01 出件 孙某" in slip.text
    assert "1527**********1013" in slip.text and ZHAO_ID not in slip.text and "data-print" in slip.text
    delivery = requests.get(suite.url(f"/api/v1/deliveries/{case_id}"), headers=AUTH, timeout=10).json()
    assert delivery["status"] == "picked_up" and delivery["handed_over_by"] == "staff:cj01 出件 孙某"
    wait_for(lambda: requests.get(suite.url(f"/api/v1/cases/{case_id}"), headers=AUTH, timeout=10).json()[
        "status"] == "delivered", timeout=20, what="intake sees delivered")


def test_the_json_api_checks_the_collector_s_id_too(suite):
    case_id, code = zhao_case(suite)
    path = suite.url(f"/api/v1/deliveries/{case_id}/pickup")
    missing = requests.post(path, json={"pickup_code": code}, headers=CLERK, timeout=10)
    assert missing.status_code == 422 and missing.json()["problems"][0]["field"] == "id_number"
    mismatch = requests.post(path, json={"pickup_code": code, "id_number": "152727199007082429"}, headers=CLERK,
                             timeout=10)
    assert mismatch.status_code == 422 and mismatch.json()["problems"][0]["code"] == "collector_mismatch"
    done = requests.post(path, json={"pickup_code": code, "id_number": ZHAO_ID}, headers=CLERK, timeout=10)
    assert done.status_code == 200 and done.json()["status"] == "picked_up"
    assert done.json()["collector"]["checked"] == "holder"
