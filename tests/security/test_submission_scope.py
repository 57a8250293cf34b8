"""Issue 17: what one client sends cannot reach another's case. A blank or over-long Idempotency-Key is refused
(400 on the field) instead of breaking submission for good; keys are scoped per client (two clients with one key
get two cases); a file uploaded by one client cannot be attached by another (422 on the field)."""
from __future__ import annotations

import hashlib

import pytest
import requests

from shared.config import REPO_ROOT
from yici_testkit import AUTH, CLERK, PDF, case_body, embedded_suite, submit

OTHER_TOKEN = "p7Qw2ZrM5xTnV8bKc3LdY6sHf9Jg4AeUu1WoRiEtNyX"
OTHER = {"Authorization": f"Bearer {OTHER_TOKEN}"}


@pytest.fixture(scope="module")
def suite(tmp_path_factory):
    """The embedded suite with a second front end (another county system, its own token)."""
    tmp = tmp_path_factory.mktemp("scope")
    text = (REPO_ROOT / "deploy" / "config" / "embedded.yaml").read_text(encoding="utf-8")
    config = tmp / "yici.yaml"
    config.write_text(text.replace("clients:\n", "clients:\n  - name: second front end\n"
                                   f"    token: {OTHER_TOKEN}\n    role: frontend\n", 1), encoding="utf-8")
    with embedded_suite(tmp, YICI_CONFIG=str(config)) as process:
        yield process


def _field_problem(response, status: int, field: str) -> None:
    assert response.status_code == status, response.text
    assert [p["field"] for p in response.json()["problems"]] == [field], response.text


@pytest.mark.parametrize("key", ["", "k" * 201])
def test_a_blank_or_over_long_idempotency_key_is_refused_and_submission_keeps_working(suite, key):
    for _ in range(2):
        _field_problem(submit(suite.url(""), case_body(), {"Idempotency-Key": key}), 400, "Idempotency-Key")
    assert submit(suite.url(""), case_body()).status_code == 201
    kept = submit(suite.url(""), case_body(), {"Idempotency-Key": f"ok-{len(key)}-{hashlib.md5(key.encode()).hexdigest()}"})
    assert kept.status_code == 201, kept.text


def _upload_as(suite, headers: dict) -> dict:
    stored = requests.post(suite.url("/api/v1/files"), data=PDF, timeout=30,
                           headers={**headers, "Content-Type": "application/pdf"})
    assert stored.status_code == 201, stored.text
    return stored.json()


def test_two_clients_with_one_key_get_two_cases(suite):
    key = {"Idempotency-Key": "shared-key-0001"}
    first = submit(suite.url(""), case_body(), key)
    theirs = _upload_as(suite, OTHER)
    second = submit(suite.url(""), _with_file(theirs["file_ref"], theirs["sha256"]), {**key, **OTHER})
    assert first.status_code == 201 and second.status_code == 201, second.text
    assert second.json()["case_id"] != first.json()["case_id"]
    assert second.json()["lookup_code"] != first.json()["lookup_code"]
    again = submit(suite.url(""), case_body(), key)
    assert again.status_code == 200 and again.json()["case_id"] == first.json()["case_id"]


def _with_file(ref: str, sha: str) -> dict:
    body = case_body("bankruptcy-check")
    body["materials"] = [{**m, "file_ref": ref, "sha256": sha} for m in body["materials"]]
    return body


def test_a_file_uploaded_by_one_client_cannot_be_attached_by_another(suite):
    stored = _upload_as(suite, AUTH)
    ref, sha = stored["file_ref"], stored["sha256"]
    body = _with_file(ref, sha)
    assert any(m.get("file_ref") == ref for m in body["materials"]), body["materials"]
    stolen = submit(suite.url(""), body, OTHER)
    assert stolen.status_code == 422, stolen.text
    assert {(p["field"].split(".")[0], p["field"].split(".")[-1], p["code"]) for p in stolen.json()["problems"]} \
        == {("materials", "file_ref", "file_not_yours")}, stolen.text
    own = submit(suite.url(""), body)
    assert own.status_code == 201, own.text
    case_id = own.json()["case_id"]
    supplement = requests.post(suite.url(f"/api/v1/cases/{case_id}/supplements"), headers=OTHER, timeout=10,
                               json={"materials": [{"code": body["materials"][0]["code"], "file_ref": ref}]})
    assert supplement.status_code == 422 and supplement.json()["problems"][0]["code"] == "file_not_yours", \
        supplement.text


def test_a_clerk_may_attach_the_files_of_the_cases_client_but_no_one_elses():
    from services.intake.commands import MaterialRef
    from services.intake.domain import foreign_files
    materials = [MaterialRef(code="a", file_ref="F-applicant"), MaterialRef(code="b", file_ref="F-stranger"),
                 MaterialRef(code="c", file_ref="F-unknown")]
    owners = {"F-applicant": "front end", "F-stranger": "second front end"}
    problems = foreign_files(materials, owners, {"window clerk", "front end"})
    assert [(p["field"], p["code"]) for p in problems] == [("materials.1.file_ref", "file_not_yours")]


def test_a_window_clerk_supplies_with_the_files_of_the_cases_front_end_only(suite):
    mine, theirs = _upload_as(suite, AUTH), _upload_as(suite, OTHER)
    body = _with_file(mine["file_ref"], mine["sha256"])
    missing = body["materials"].pop(0)
    view = submit(suite.url(""), body).json()
    assert view["status"] == "correction_requested", view
    url = suite.url(f"/api/v1/cases/{view['case_id']}/supplements")
    foreign = requests.post(url, headers=CLERK, timeout=10,
                            json={"materials": [{"code": missing["code"], "file_ref": theirs["file_ref"]}]})
    assert foreign.status_code == 422 and foreign.json()["problems"][0]["code"] == "file_not_yours", foreign.text
    own = requests.post(url, headers=CLERK, timeout=10, json={"materials": [
        {"code": missing["code"], "file_ref": mine["file_ref"], "sha256": mine["sha256"]}]})
    assert own.status_code == 200 and own.json()["status"] != "correction_requested", own.text
