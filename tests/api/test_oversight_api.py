"""Oversight's HTTP API on the embedded suite: calendar, SLA, supervision scan, ratings, ledger, page."""
from __future__ import annotations

import csv
import io
import json
import subprocess
from datetime import date, timedelta

import pytest
import requests

from oversight_kit import (
    AUTH,
    CLERK,
    SUPERVISOR,
    back_to_today,
    case_status,
    completed_case,
    embedded_suite,
    scan_on,
)
from yici_testkit import BIN, TOKEN, case_body, submit, wait_for

# natural-resources decides by worklist here, so bankruptcy-check cases stay open for supervision.
APPROVAL = {"departments": {"natural-resources": "worklist"}}


@pytest.fixture(scope="module")
def suite(tmp_path_factory):
    with embedded_suite(tmp_path_factory.mktemp("oversight"), clock=True, approval=APPROVAL) as process:
        yield process


def get(suite, path, headers=SUPERVISOR, **params):
    return requests.get(suite.url(path), headers=headers, params=params, timeout=15)


def post(suite, path, body, headers=AUTH):
    return requests.post(suite.url(path), data=json.dumps(body),
                         headers={**headers, "Content-Type": "application/json"}, timeout=15)


@pytest.fixture(scope="module")
def open_case(suite):
    response = submit(suite.url(""), case_body("bankruptcy-check"))
    assert response.status_code == 201, response.text
    case_id = response.json()["case_id"]
    wait_for(lambda: (get(suite, f"/api/v1/cases/{case_id}/sla", AUTH).json().get("case") or {}).get("status")
             is not None and len(get(suite, f"/api/v1/cases/{case_id}/sla", AUTH).json()["items"]) == 4,
             timeout=30, what="all four items requested")
    return case_id


def test_calendar_due_answers_publicly_and_lists_every_bad_field(suite):
    good = requests.get(suite.url("/api/v1/calendar/due"), params={"from": "2026-09-24", "workdays": 5}, timeout=10)
    assert good.status_code == 200 and good.json()["due"] == "2026-10-09" and good.json()["provisional"] is False
    bad = requests.get(suite.url("/api/v1/calendar/due"), params={"from": "2026-13-01", "workdays": -2}, timeout=10)
    assert bad.status_code == 422
    assert {p["field"] for p in bad.json()["problems"]} == {"from", "workdays"}
    late = requests.get(suite.url("/api/v1/calendar/due"), params={"from": "2026-12-30", "workdays": 5}, timeout=10)
    assert late.json()["provisional"] is True


def test_the_sla_of_an_open_case_counts_from_acceptance(suite, open_case):
    sla = get(suite, f"/api/v1/cases/{open_case}/sla", AUTH).json()
    assert sla["case"]["budget_days"] == 3 and sla["case"]["department"] == "market-regulation"
    intake = case_status(suite, open_case)
    assert sla["case"]["deadline"]["date"] == intake["deadline"]["date"]


def test_the_scan_raises_yellow_then_red_once_each_and_lists_them_open(suite, open_case):
    due = date.fromisoformat(get(suite, f"/api/v1/cases/{open_case}/sla", AUTH).json()["case"]["deadline"]["date"])
    try:
        yellow = scan_on(suite, due)
        again = post(suite, "/api/v1/supervision/scan", {}, SUPERVISOR).json()["raised"]
        red = scan_on(suite, due + timedelta(days=1))
    finally:
        back_to_today(suite)
    assert {(w["scope"], w["level"]) for w in yellow if w["case_id"] == open_case} == {("case", "yellow"),
                                                                                      ("item", "yellow")}
    assert [w for w in again if w["case_id"] == open_case] == []
    assert {(w["scope"], w["level"], w["department"]) for w in red if w["case_id"] == open_case} == {
        ("case", "red", "market-regulation"), ("item", "red", "natural-resources")}
    listed = get(suite, "/api/v1/supervision/warnings", level="red").json()["warnings"]
    assert {w["subject"] for w in listed if w["case_id"] == open_case} == {None, "real-estate-registration-inquiry"}
    timeline = get(suite, f"/api/v1/cases/{open_case}/timeline", AUTH).json()
    wait_for(lambda: sum(e["event_type"] == "supervision_warning" for e in
                         get(suite, f"/api/v1/cases/{open_case}/timeline", AUTH).json()["events"]) == 4,
             timeout=10, what="four warnings in the timeline")
    assert timeline["status"] == "in_approval"
    metrics = requests.get(suite.url("/metrics"), timeout=10).text
    assert 'yici_supervision_warnings_open{department="natural-resources",level="red",scope="item"} 1.0' in metrics


def test_the_scan_runs_as_of_today_only(suite):
    named = post(suite, "/api/v1/supervision/scan", {"today": "2030-01-01"}, SUPERVISOR)
    assert named.status_code == 422 and named.json()["problems"][0]["field"] == "today"
    assert post(suite, "/api/v1/supervision/scan", {}, AUTH).status_code == 403


def test_warnings_and_reports_are_for_supervisors(suite):
    assert get(suite, "/api/v1/supervision/warnings", headers={}).status_code == 401
    assert get(suite, "/api/v1/supervision/warnings", headers=AUTH).status_code == 403
    assert get(suite, "/api/v1/reports/ledger", headers=CLERK).status_code == 403


def test_rating_only_after_completion_once_and_a_bad_one_opens_a_task(suite, open_case):
    early = post(suite, f"/api/v1/cases/{open_case}/rating", {"score": 5})
    assert early.status_code == 409 and early.json()["problems"][0]["code"] == "not_concluded"
    case_id = completed_case(suite, case_body("open-restaurant"))
    wait_for(lambda: get(suite, f"/api/v1/cases/{case_id}/timeline", AUTH).json()["status"] in
             ("completed", "delivered"), timeout=20, what="oversight saw the completion")
    bad = post(suite, f"/api/v1/cases/{case_id}/rating",
               {"score": 1, "dimensions": {"efficiency": 1, "attitude": 2}, "comment": "来回跑了三趟"})
    assert bad.status_code == 201, bad.text
    task = bad.json()["rectification"]
    assert task["department"] == "market-regulation" and task["budget_days"] == 15
    assert post(suite, f"/api/v1/cases/{case_id}/rating", {"score": 5}).status_code == 409
    assert post(suite, f"/api/v1/cases/{case_id}/rating", {"score": 5}, SUPERVISOR).status_code == 403
    invalid = post(suite, f"/api/v1/cases/{case_id}/rating", {"score": 9, "dimensions": {"mood": 3}})
    fields = sorted(p["field"] for p in invalid.json()["problems"])
    assert invalid.status_code == 422 and fields[0].startswith("dimensions.mood") and fields[1] == "score"
    tasks = get(suite, "/api/v1/rectifications").json()["rectifications"]
    assert [t["task_id"] for t in tasks if t["case_id"] == case_id] == [task["task_id"]]
    closed = post(suite, f"/api/v1/rectifications/{task['task_id']}/close", {"note": "已回访并整改"}, SUPERVISOR)
    assert closed.status_code == 200 and closed.json()["status"] == "closed"
    survey = get(suite, "/api/v1/reports/satisfaction").json()
    assert survey["ratings"] >= 1 and survey["rectifications"]["closed"] >= 1


def test_the_ledger_as_json_csv_and_html(suite, open_case):
    report = get(suite, "/api/v1/reports/ledger", period="monthly", by="matter").json()
    rows = {r["key"]: r for r in report["rows"]}
    assert rows["bankruptcy-check"]["received"] >= 1 and rows["open-restaurant"]["completed"] >= 1
    text = get(suite, "/api/v1/reports/ledger", period="weekly", by="channel", format="csv")
    assert text.headers["Content-Type"].startswith("text/csv")
    table = list(csv.reader(io.StringIO(text.content.decode("utf-8-sig"))))
    assert table[0][0] == "受理渠道(channel)" and table[-1][0] == "合计"
    html = get(suite, "/api/v1/reports/ledger", period="half-monthly", by="level", format="html")
    assert html.headers["Content-Type"].startswith("text/html") and "旗区" in html.text
    short = get(suite, "/api/v1/reports/ledger", period="week", by="matter")  # the README's name
    assert short.status_code == 200 and short.json()["period"]["kind"] == "weekly"
    bad = get(suite, "/api/v1/reports/ledger", period="yearly", by="mood")
    assert bad.status_code == 422 and {p["field"] for p in bad.json()["problems"]} == {"period", "by"}


def test_the_reports_command_prints_the_same_ledger(suite, open_case, tmp_path):
    config = suite.args[suite.args.index("--config") + 1]
    done = subprocess.run([str(BIN / "yici"), "reports", "ledger", "--by", "matter", "--format", "json",
                           "--config", config], capture_output=True, text=True, timeout=60,
                          env={**suite.env})
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["rows"] == get(suite, "/api/v1/reports/ledger", by="matter").json()["rows"]


def test_the_oversight_page_needs_a_supervisor(suite):
    redirect = requests.get(suite.url("/oversight"), allow_redirects=False, timeout=10)
    assert redirect.status_code == 303 and redirect.headers["Location"] == "/oversight/login"
    refused = requests.post(suite.url("/oversight/login"), data={"token": TOKEN},
                            allow_redirects=False, timeout=10)
    assert refused.status_code == 401
    session = requests.Session()
    signed_in = session.post(suite.url("/oversight/login"), data={"token": SUPERVISOR["Authorization"][7:]},
                             allow_redirects=False, timeout=10)
    assert signed_in.status_code == 303 and "HttpOnly" in signed_in.headers["Set-Cookie"]
    page = session.get(suite.url("/oversight"), timeout=10)
    assert page.status_code == 200 and "电子监察" in page.text and "今日受理" in page.text
