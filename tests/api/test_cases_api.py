"""The case API's contract: auth, content type, size, validation, idempotency — and nothing stored on error."""
from __future__ import annotations

import json
import sqlite3

import pytest
import requests

from yici_testkit import AUTH, ROOT, case_body, submit, wait_for


def counts(embedded) -> tuple[int, int]:
    with sqlite3.connect(embedded.data_dir / "intake.db") as db:
        return (db.execute("SELECT count(*) FROM intake_cases").fetchone()[0],
                db.execute("SELECT count(*) FROM intake_outbox WHERE event_type='case_accepted'").fetchone()[0])


def test_a_good_case_is_stored_once_with_one_acceptance_and_completes(embedded):
    before = counts(embedded)
    response = submit(embedded.url(""), case_body("bankruptcy-check"))
    assert response.status_code == 201, response.text
    assert counts(embedded) == (before[0] + 1, before[1] + 1)
    case_id = response.json()["case_id"]
    view = wait_for(lambda: (lambda v: v if v["status"] in ("completed", "delivered") else None)(
        requests.get(embedded.url(f"/api/v1/cases/{case_id}"), headers=AUTH, timeout=5).json()),
        timeout=20, what="completion")
    assert [i["status"] for i in view["items"]] == ["approved"] * 4


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer wrong-token-xxxxxxxx"},
                                     {"Authorization": "Basic abc"}])
def test_missing_or_wrong_token_is_401_and_nothing_is_stored(embedded, headers):
    before = counts(embedded)
    response = requests.post(embedded.url("/api/v1/cases"), data=json.dumps(case_body()),
                             headers={"Content-Type": "application/json", **headers}, timeout=10)
    assert response.status_code == 401
    assert response.json()["problems"][0]["field"] == "Authorization"
    assert counts(embedded) == before


def test_wrong_content_type_is_415(embedded):
    response = requests.post(embedded.url("/api/v1/cases"), data="matter_code=x",
                             headers={**AUTH, "Content-Type": "application/x-www-form-urlencoded"}, timeout=10)
    assert response.status_code == 415


def test_malformed_json_is_400(embedded):
    response = requests.post(embedded.url("/api/v1/cases"), data="{oops",
                             headers={**AUTH, "Content-Type": "application/json"}, timeout=10)
    assert response.status_code == 400 and response.json()["problems"][0]["code"] == "invalid_json"


def test_a_body_over_the_limit_is_413(embedded):
    body = case_body(form={"note": "x" * 1_100_000})
    assert submit(embedded.url(""), body).status_code == 413


def test_every_problem_is_listed_at_once_with_its_field_path_in_both_languages(embedded):
    before = counts(embedded)
    body = case_body(channel="fax", region_code="15", surprise=1)
    body["applicant"]["credit_code"] = "91350100M000100Y4A"
    response = submit(embedded.url(""), body)
    assert response.status_code == 422
    fields = {p["field"] for p in response.json()["problems"]}
    assert {"channel", "region_code", "surprise"} <= fields
    assert all(p["message_zh"] and p["message_en"] for p in response.json()["problems"])
    assert counts(embedded) == before


def test_identifier_check_characters_are_errors(embedded):
    body = case_body()
    body["applicant"]["credit_code"] = "91350100M000100Y4A"
    response = submit(embedded.url(""), body)
    assert response.status_code == 422
    assert response.json()["problems"][0]["field"] == "applicant.credit_code"


def test_id_numbers_in_the_form_are_checked_like_the_applicants(embedded):
    """Matching the pattern is not enough: a wrong check character or an impossible birth date is 422."""
    body = case_body("newborn")
    body["form"]["mother_id_number"] = "11010519491231002Y"[:17] + "1"   # the right one ends in X
    body["form"]["father_id_number"] = "110105194913310021"               # no 31st day of the 13th month
    response = submit(embedded.url(""), body)
    assert response.status_code == 422, response.text
    problems = {p["field"]: p for p in response.json()["problems"]}
    assert problems["form.mother_id_number"]["code"] == "resident_id.checksum"
    assert problems["form.father_id_number"]["code"] == "resident_id.birth_date"
    assert all(p["message_zh"] and p["message_en"] for p in problems.values())
    assert "110105" not in response.text  # never echoes the number


def test_unknown_matter_is_422_naming_the_field(embedded):
    response = submit(embedded.url(""), case_body("no-such-matter"))
    assert response.status_code == 422 and response.json()["problems"][0]["field"] == "matter_code"


def test_same_idempotency_key_and_body_returns_the_same_case(embedded):
    headers = {"Idempotency-Key": "key-same-1"}
    first = submit(embedded.url(""), case_body(), headers)
    before = counts(embedded)
    second = submit(embedded.url(""), case_body(), headers)
    assert first.status_code == 201 and second.status_code == 200
    assert first.json()["case_id"] == second.json()["case_id"]
    assert counts(embedded) == before


def test_same_idempotency_key_with_another_body_is_409(embedded):
    headers = {"Idempotency-Key": "key-conflict-1"}
    assert submit(embedded.url(""), case_body(), headers).status_code == 201
    before = counts(embedded)
    response = submit(embedded.url(""), case_body("open-restaurant"), headers)
    assert response.status_code == 409
    assert counts(embedded) == before


def test_unknown_case_is_404(embedded):
    response = requests.get(embedded.url("/api/v1/cases/YC-nope"), headers=AUTH, timeout=10)
    assert response.status_code == 404


def test_matters_are_listed_publicly(embedded):
    response = requests.get(embedded.url("/api/v1/matters"), timeout=10)
    codes = {m["code"] for m in response.json()["matters"]}
    assert {"bankruptcy-check", "open-restaurant"} <= codes


def test_the_asyncapi_document_is_served_publicly_as_committed(embedded):
    response = requests.get(embedded.url("/api/v1/asyncapi.json"), timeout=10)
    assert response.status_code == 200 and response.headers["Content-Type"].startswith("application/json")
    assert response.content == (ROOT / "shared" / "asyncapi.json").read_bytes()
    assert "/api/v1/asyncapi.json" in requests.get(embedded.url("/api/v1/openapi.json"), timeout=10).json()["paths"]


def test_probes_and_metrics(embedded):
    assert requests.get(embedded.url("/healthz"), timeout=5).status_code == 200
    assert requests.get(embedded.url("/readyz"), timeout=5).json()["ready"] is True
    assert "yici_events_handled_total" in requests.get(embedded.url("/metrics"), timeout=5).text


def test_concurrent_requests_with_one_idempotency_key_make_one_case(embedded):
    from concurrent.futures import ThreadPoolExecutor
    before = counts(embedded)
    with ThreadPoolExecutor(8) as pool:
        responses = list(pool.map(lambda _: submit(embedded.url(""), case_body(), {"Idempotency-Key": "race-1"}),
                                  range(8)))
    assert {r.status_code for r in responses} <= {200, 201}
    assert len({r.json()["case_id"] for r in responses}) == 1
    assert counts(embedded) == (before[0] + 1, before[1] + 1)
