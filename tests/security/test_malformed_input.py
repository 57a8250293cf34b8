"""Issue 17, point 2: malformed input is answered 4xx with a field-level problem, never 500: odd documents at
the public license verification, dates the calendar and the ledger cannot count from, non-UTF-8 paths."""
from __future__ import annotations

import socket

import pytest
import requests

from yici_testkit import AUTH, SUPERVISOR_TOKEN

SUPERVISOR = {"Authorization": f"Bearer {SUPERVISOR_TOKEN}"}


def _assert_field_problem(response, status: int, field: str) -> None:
    assert response.status_code == status, response.text
    problems = response.json()["problems"]
    assert problems and all(p["field"] and p["code"] for p in problems), problems
    assert any(p["field"] == field or p["field"].startswith(field + ".") for p in problems), problems


def test_public_license_verify_refuses_odd_documents_field_by_field(embedded):
    url = embedded.url("/api/v1/licenses/verify")
    for document, field in (({"content": {"a": 1}, "seal": "x"}, "seal"), ({"content": {"number": "x"}, "seal": []}, "seal"),
                            ({"content": {"number": "x"}, "seal": {"signature": 1, "key_id": []}}, "seal"),
                            ({"content": {"number": []}, "seal": {}}, "content"),
                            ({"content": {"issued_on": {"y": 1}}}, "content")):
        _assert_field_problem(requests.post(url, json=document), 422, field)
    deep = '{"content": ' + '{"a": ' * 1100 + "1" + "}" * 1101
    response = requests.post(url, data=deep, headers={"Content-Type": "application/json"})
    _assert_field_problem(response, 400, "body")


@pytest.mark.parametrize("query", ["from=9999-12-31&workdays=5", "from=9999-12-30&workdays=3650",
                                   "from=0001-01-01&workdays=1", "from=9999-99-99&workdays=1"])
def test_calendar_due_with_overflowing_dates_is_422_on_the_field(embedded, query):
    response = requests.get(embedded.url(f"/api/v1/calendar/due?{query}"))
    _assert_field_problem(response, 422, "from")


@pytest.mark.parametrize("query", ["date=0001-01-01", "date=9999-12-31", "date=9999-12-31&period=weekly",
                                   "date=0001-01-01&period=weekly", "date=0001-01-01&period=half-monthly",
                                   "date=9999-12-31&format=csv", "date=0001-01-01&format=html"])
def test_the_ledger_with_dates_at_the_ends_of_the_calendar_is_422_on_the_field(embedded, query):
    response = requests.get(embedded.url(f"/api/v1/reports/ledger?{query}"), headers=SUPERVISOR)
    _assert_field_problem(response, 422, "date")


def test_the_calendar_and_ledger_still_answer_ordinary_dates(embedded):
    due = requests.get(embedded.url("/api/v1/calendar/due?from=2026-09-24&workdays=5"))
    assert due.status_code == 200 and due.json()["due"] == "2026-10-09", due.text
    ledger = requests.get(embedded.url("/api/v1/reports/ledger?date=2026-09-24&period=weekly"), headers=SUPERVISOR)
    assert ledger.status_code == 200, ledger.text


def _raw(port: int, request: bytes) -> tuple[int, bytes]:
    with socket.create_connection(("127.0.0.1", port), timeout=20) as sock:
        sock.sendall(request)
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    return int(head.split(b" ")[1]), body


@pytest.mark.parametrize("path", [b"/api/v1/cases/\xff\xfe", b"/api/v1/matters/\xff", b"/track/\xc3\x28?code=1",
                                  b"/api/v1/licenses/\xff/verify", b"/api/v1/deliveries/\xff",
                                  b"/api/v1/cases/\xff/timeline", b"/api/v1/routing/cases/\xff"])
def test_non_utf8_bytes_in_a_path_are_4xx(embedded, path):
    status, _ = _raw(embedded.port, b"GET " + path + b" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n" +
                     f"Authorization: {AUTH['Authorization']}\r\n\r\n".encode())
    assert 400 <= status < 500, status
