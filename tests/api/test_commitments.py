"""承诺制 followed, through HTTP on one embedded suite whose clock the test moves (tests/oversight_kit.py): a
supplement taking the notice's commitment, the departments seeing what was deferred, a deferred material supplied
after completion, the applicant reminded, yellow then red to the lead department, a missed commitment recorded
(承诺失信) and in the ledger; and a correction notice left unanswered closed as not accepted, once, with an SMS."""
from __future__ import annotations

import contextlib
import json
from datetime import date
from pathlib import Path
from typing import Iterator

import pytest
import requests
import yaml
from integration.approval_kit import DEPARTMENT_TOKENS, department_auth

from oversight_kit import SUPERVISOR, back_to_today, case_status, movable_clock, scan_on, write_config
from shared.workdays import WorkingCalendar, today_in_shanghai
from yici_testkit import AUTH, BIN, Process, base_env, case_body, free_port, submit, upload, wait_for

CALENDAR = WorkingCalendar.from_file()
DEFERRABLE = "food-safety-rules"  # deferrable, to supply within 10 working days
LEAD = "market-regulation"


@contextlib.contextmanager
def suite(tmp: Path) -> Iterator[Process]:
    """The embedded suite on a movable clock, with department clerks' tokens, looking for overdue notices each
    second."""
    port = free_port()
    env = base_env(tmp, YICI_PORT=str(port))
    path = write_config(tmp, env, intake={"notice_check_seconds": 1})
    config = yaml.safe_load(path.read_text(encoding="utf-8"))
    config["clients"] += [{"name": f"{d} clerks", "token": t, "role": "department", "department": d}
                          for d, t in DEPARTMENT_TOKENS.items()]
    path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    process = Process([str(BIN / "yici"), "run", "--config", str(path)], movable_clock(env, tmp / "faketime"),
                      tmp / "yici.log", port).start()
    try:
        process.wait_ready()
        process.clock_file = tmp / "faketime"
        yield process
    finally:
        process.stop()


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    with suite(tmp_path_factory.mktemp("commitments")) as process:
        yield process


def post(app, path: str, body: dict) -> requests.Response:
    return requests.post(app.url(path), data=json.dumps(body), timeout=10,
                         headers={**AUTH, "Content-Type": "application/json"})


def restaurant(app, commitment: bool) -> dict:
    body = case_body("open-restaurant", commitment=commitment)
    body["materials"] = [m for m in body["materials"] if m["code"] != DEFERRABLE]
    response = submit(app.url(""), body)
    assert response.status_code == 201, response.text
    return response.json()


def completed(app, case_id: str) -> dict:
    return wait_for(lambda: (v := case_status(app, case_id))["status"] in ("completed", "delivered") and v,
                    timeout=30, what=f"{case_id} completed")


def templates(app, case_id: str) -> list[str]:
    answer = requests.get(app.url(f"/api/v1/deliveries/{case_id}/notifications"), headers=AUTH, timeout=10)
    return [n["template"] for n in answer.json()["notifications"]] if answer.status_code == 200 else []


def commitments(app, status: str = "all") -> list[dict]:
    answer = requests.get(app.url("/api/v1/supervision/commitments"), params={"status": status},
                          headers=SUPERVISOR, timeout=10)
    assert answer.status_code == 200, answer.text
    return answer.json()["commitments"]


def supervisors_page(app) -> str:
    session = requests.Session()
    session.post(app.url("/oversight/login"), data={"token": SUPERVISOR["Authorization"][7:]}, timeout=10)
    page = session.get(app.url("/oversight"), timeout=10)
    assert page.status_code == 200, page.text
    return page.text


def of_commitments(raised: list[dict]) -> list[tuple[str, str, str]]:
    return [(w["case_id"], w["level"], w["department"]) for w in raised if w["scope"] == "commitment"]


def test_commitments_are_followed_and_an_unanswered_notice_closes_the_application(app):
    today = today_in_shanghai()
    # a supplement taking the commitment the notice offers: accepted with the material deferred
    answered = restaurant(app, commitment=False)
    assert answered["status"] == "correction_requested"
    assert answered["notice"]["commitment_offered"] == [DEFERRABLE]
    view = post(app, f"/api/v1/cases/{answered['case_id']}/supplements", {"commitment": True}).json()
    assert view["status"] in ("accepted", "in_approval", "completed", "delivered"), view
    assert [d["code"] for d in view["deferred_materials"]] == [DEFERRABLE]
    # the deciding department sees what was deferred and by when
    task_path = f"/api/v1/departments/{LEAD}/tasks/{answered['case_id']}:food-business-license"
    task = wait_for(lambda: (r := requests.get(app.url(task_path), headers=department_auth(LEAD), timeout=10))
                    .status_code == 200 and r.json(), timeout=15, what="the department's task")
    due = CALENDAR.due(today, 10).date.isoformat()
    assert [(d["code"], d["due_date"]) for d in task["deferred"]] == [(DEFERRABLE, due)]
    # supplied after completion: taken, and the watch stops
    completed(app, answered["case_id"])
    ref = upload(app.url("")).json()["file_ref"]
    supplied = post(app, f"/api/v1/cases/{answered['case_id']}/deferred/{DEFERRABLE}", {"file_ref": ref})
    assert supplied.status_code == 200, supplied.text
    assert supplied.json()["deferred_materials"][0]["supplied"] is True
    again = post(app, f"/api/v1/cases/{answered['case_id']}/deferred/{DEFERRABLE}", {"file_ref": ref})
    assert again.status_code == 409
    wait_for(lambda: {c["case_id"]: c["status"] for c in commitments(app)}.get(answered["case_id"]) == "supplied",
             timeout=15, what="oversight told of the supply")

    promised = restaurant(app, commitment=True)["case_id"]
    completed(app, promised)
    silent = submit(app.url(""), {**case_body("bankruptcy-check"), "form": {}}).json()
    assert silent["status"] == "correction_requested"
    notice_due = date.fromisoformat(silent["notice"]["due_date"])
    try:
        # halfway through the supply period: the applicant is reminded, once
        assert of_commitments(scan_on(app, CALENDAR.due(today, 5).date)) == []
        wait_for(lambda: "commitment_reminder" in templates(app, promised), timeout=15, what="the reminder SMS")
        assert "commitment_reminder" not in templates(app, answered["case_id"])
        # nearing the deadline: yellow to the lead department; and the notice is past its deadline
        yellow_day = CALENDAR.due(today, 8).date
        assert yellow_day > notice_due
        assert of_commitments(scan_on(app, yellow_day)) == [(promised, "yellow", LEAD)]
        wait_for(lambda: case_status(app, silent["case_id"])["status"] == "not_accepted", timeout=15,
                 what="the unanswered notice closing the application")
        wait_for(lambda: templates(app, silent["case_id"]).count("not_accepted_notice") == 1, timeout=15,
                 what="the not-accepted SMS")
        late = post(app, f"/api/v1/cases/{silent['case_id']}/supplements", {"form": {}})
        assert late.status_code == 410 and late.json()["problems"][0]["code"] == "correction_overdue"
        # past the deadline: red, and the commitment is missed (承诺失信), in the ledger
        red_day = CALENDAR.due(today, 11).date
        assert of_commitments(scan_on(app, red_day)) == [(promised, "red", LEAD)]
        assert of_commitments(scan_on(app, red_day)) == []
        [missed] = commitments(app, "missed")
        assert (missed["case_id"], missed["follow_up"], missed["missed_on"]) == (promised, "credit_record",
                                                                                  red_day.isoformat())
        ledger = requests.get(app.url("/api/v1/reports/ledger"), headers=SUPERVISOR, timeout=10,
                              params={"period": "monthly", "date": red_day.isoformat()}).json()
        assert ledger["totals"]["commitments_missed"] == 1
        assert templates(app, silent["case_id"]).count("not_accepted_notice") == 1
        page = supervisors_page(app)
        breaches = page[page.index('id="breaches"'):page.index('id="ratings"')]
        assert promised in breaches and "食品安全管理制度" in breaches and "记入申请人信用记录" in breaches
        assert "容缺补交 食品安全管理制度" in page[page.index('id="warnings"'):page.index('id="breaches"')]
    finally:
        back_to_today(app)
