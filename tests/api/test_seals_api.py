"""E-seal keys over HTTP and the command line: listed by key id, rotated, old licenses still verify."""
from __future__ import annotations

import subprocess

import requests

from yici_testkit import BIN, CLERK, case_body, submit, wait_for

HOLDER = "92150626MA0N000173"


def _licenses(embedded):
    listed = requests.get(embedded.url("/api/v1/licenses"), params={"holder": HOLDER, "purpose": "test"},
                          headers=CLERK, timeout=10)
    return listed.json()["licenses"] or None


def _verify(embedded, number):
    return requests.get(embedded.url(f"/api/v1/licenses/{number}/verify"), timeout=10).json()


def test_seal_keys_are_listed_rotated_and_old_licenses_still_verify(embedded):
    applicant = {"kind": "company", "name": "乌审旗印章测试有限公司", "credit_code": HOLDER, "phone": "13900139000"}
    case = submit(embedded.url(""), case_body("company-opening", applicant=applicant)).json()
    first = wait_for(lambda: _licenses(embedded), timeout=30, what="a license issued")[0]
    department = first["issuing_department"]
    sealed = _verify(embedded, first["number"])
    assert sealed["valid"] is True, sealed
    keys = requests.get(embedded.url(f"/api/v1/seals/{department}"), timeout=10).json()
    assert keys["key_id"] == sealed["seal_key_id"] and [k["status"] for k in keys["keys"]] == ["current"]
    assert keys["keys"][0]["source"] == "generated" and "private_key" not in keys["keys"][0]

    rotated = subprocess.run([str(BIN / "yici"), "seals", "rotate", department], env=embedded.env,
                             capture_output=True, text=True, timeout=60)
    assert rotated.returncode == 0, rotated.stderr
    after = requests.get(embedded.url(f"/api/v1/seals/{department}"), timeout=10).json()
    assert after["key_id"] != keys["key_id"] and len(after["keys"]) == 2
    assert {k["key_id"]: k["status"] for k in after["keys"]}[keys["key_id"]] == "retired"
    assert _verify(embedded, first["number"])["valid"] is True, "a license of the retired key still verifies"
    assert case["case_id"]

    assert requests.get(embedded.url("/api/v1/seals/no-such-department"), timeout=10).status_code == 404
