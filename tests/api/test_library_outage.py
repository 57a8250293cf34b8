"""A regional library that is down does not block intake (issue 18): the embedded suite, configured with the HTTP
library (a fake one this test starts on 127.0.0.1), holds the case for the lookup, the clerk sees why, and the
case is accepted once the library answers, each fetched material recorded with the library that supplied it."""
from __future__ import annotations

import json

import requests
import yaml

from yici_library_kit import fake_library  # noqa: F401  (a fixture)
from yici_testkit import AUTH, CLERK, ROOT, embedded_suite, sample_value, upload, wait_for

FATHER = {"kind": "person", "name": "王建国", "id_number": "152727198803152016", "phone": "13904771234"}


def _config(tmp_path, library_url: str):
    config = yaml.safe_load((ROOT / "deploy" / "config" / "embedded.yaml").read_text(encoding="utf-8"))
    config.setdefault("intake", {})["library"] = {
        "sources": ["http"], "http_url": library_url, "retries": 0, "read_timeout_seconds": 1.0,
        "breaker_failures": 50, "breaker_reset_seconds": 1, "retry_seconds": 1, "hold_minutes": 30}
    path = tmp_path / "yici.yaml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    return path


def test_a_case_waits_for_the_library_and_is_accepted_once_it_is_back(tmp_path, fake_library):  # noqa: F811
    fake_library.mode = "down"
    url = f"http://127.0.0.1:{fake_library.server_address[1]}"
    with embedded_suite(tmp_path, YICI_CONFIG=str(_config(tmp_path, url))) as suite:
        base = suite.url("")
        stored = upload(base).json()
        form = requests.get(f"{base}/api/v1/matters/newborn/form", timeout=30).json()
        body = {"matter_code": "newborn", "channel": "online", "region_code": "150626", "applicant": FATHER,
                "form": {k: sample_value(v) for k, v in form["properties"].items()},
                "materials": [{"code": "bank-card", "file_ref": stored["file_ref"], "sha256": stored["sha256"]}],
                "delivery": {"method": "pickup", "hall": "乌审旗政务服务大厅"}}
        response = requests.post(f"{base}/api/v1/cases", data=json.dumps(body),
                                 headers={**AUTH, "Content-Type": "application/json"}, timeout=30)
        assert response.status_code == 201, response.text
        case_id = response.json()["case_id"]
        case = requests.get(f"{base}/api/v1/cases/{case_id}", headers=AUTH, timeout=30).json()
        assert case["status"] == "submitted" and case["notice"] is None and case["lookup"]["pending"]
        waiting = requests.get(f"{base}/api/v1/window/cases", headers=CLERK, timeout=30).json()["cases"]
        mine = next(c for c in waiting if c["case_id"] == case_id)
        assert mine["waiting_for_library"] and mine["lookup"]["sources_down"] == ["http-library: http_503"]
        fake_library.mode = "all"

        def accepted():
            seen = requests.get(f"{base}/api/v1/cases/{case_id}", headers=AUTH, timeout=30).json()
            return seen if seen["status"] != "submitted" else None

        done = wait_for(accepted, timeout=60, what="the held case to be looked up again")
        assert done["status"] in ("accepted", "in_approval", "completed", "delivered"), done["notice"]
        assert done["notice"] is None and not done["lookup"]["pending"]
        assert done["material_sources"]["household-register"] == "http-library"
        assert done["material_sources"]["birth-record"] == "http-library"
