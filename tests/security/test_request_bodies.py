"""Issue 17, points 2 and 3 at the HTTP edge: JSON nested too deep is refused (400) before it is parsed; a
body without a declared length (chunked) is refused (411), not read as empty."""
from __future__ import annotations

import json

import requests

from yici_testkit import AUTH, PDF, case_body


def _nested(depth: int, leaf=1):
    value = leaf
    for _ in range(depth):
        value = {"a": value}
    return value


def _assert_field_problem(response, status: int, field: str) -> None:
    assert response.status_code == status, response.text
    problems = response.json()["problems"]
    assert problems and all(p["field"] and p["code"] for p in problems), problems
    assert any(p["field"] == field or p["field"].startswith(field + ".") for p in problems), problems


def test_json_nested_1100_deep_is_refused_before_parsing(embedded):
    for text in ("[" * 1100 + "]" * 1100, '{"a":' * 1100 + "1" + "}" * 1100):
        response = requests.post(embedded.url("/api/v1/cases"), data=text,
                                 headers={**AUTH, "Content-Type": "application/json"})
        _assert_field_problem(response, 400, "body")
        assert response.json()["problems"][0]["code"] == "too_deep"


def test_a_form_nested_300_deep_inside_a_case_is_refused(embedded):
    body = case_body()
    body["form"] = {**body.get("form", {}), "deep": _nested(300)}
    response = requests.post(embedded.url("/api/v1/cases"), json=body, headers=AUTH)
    _assert_field_problem(response, 400, "body")


def test_brackets_inside_strings_do_not_count_as_nesting(embedded):
    body = case_body()
    body["applicant"] = {**body["applicant"], "name": "[" * 200}
    response = requests.post(embedded.url("/api/v1/cases"), json=body, headers=AUTH)
    assert response.status_code != 400 or "too_deep" not in response.text, response.text


def _chunked(payload: bytes, size: int = 64 * 1024):
    for start in range(0, len(payload), size):
        yield payload[start:start + size]


def test_a_chunked_json_post_is_411_not_read_as_empty(embedded):
    body = json.dumps(case_body()).encode()
    response = requests.post(embedded.url("/api/v1/cases"), data=_chunked(body),
                             headers={**AUTH, "Content-Type": "application/json"})
    _assert_field_problem(response, 411, "Content-Length")


def test_a_chunked_upload_is_411_not_file_is_empty(embedded):
    big = PDF[:-6] + b"%" + b"x" * (25 * 1024 * 1024) + b"\n%%EOF\n"
    response = requests.post(embedded.url("/api/v1/files"), data=_chunked(big),
                             headers={**AUTH, "Content-Type": "application/pdf"})
    _assert_field_problem(response, 411, "Content-Length")
    small = requests.post(embedded.url("/api/v1/files"), data=_chunked(PDF),
                          headers={**AUTH, "Content-Type": "application/pdf"})
    _assert_field_problem(small, 411, "Content-Length")
