"""The window clerk reviews hall cases by hand: lists them, accepts, or issues the one notice."""
from __future__ import annotations

import json
from datetime import date

import pytest
import requests

from services.intake import handlers
from services.intake.repository import REPOSITORIES, TABLES, metadata
from shared.catalog import default_catalog
from shared.config import IntakeSettings
from shared.db import make_engine, make_session_factory
from shared.messaging import Store
from shared.workdays import WorkingCalendar
from yici_testkit import AUTH, BIN, CLERK, Process, base_env, case_body, free_port, submit


@pytest.fixture(scope="module")
def hall(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("hall")
    port = free_port()
    env = base_env(tmp, YICI_PORT=str(port), YICI_MANUAL_REVIEW_CHANNELS="[window]")
    process = Process([str(BIN / "yici"), "run"], env, tmp / "yici.log", port).start()
    process.wait_ready()
    yield process
    process.stop()


def clerk_post(hall, path, body=None):
    return requests.post(hall.url(path), data=json.dumps(body or {}), timeout=10,
                         headers={**CLERK, "Content-Type": "application/json"})


def test_a_window_case_waits_for_the_clerk_who_accepts_it(hall):
    view = submit(hall.url(""), case_body("bankruptcy-check", channel="window")).json()
    assert view["status"] == "submitted"
    waiting = requests.get(hall.url("/api/v1/window/cases"), headers=CLERK, timeout=10).json()["cases"]
    assert view["case_id"] in {c["case_id"] for c in waiting}
    accepted = clerk_post(hall, f"/api/v1/window/cases/{view['case_id']}/accept")
    assert accepted.status_code == 200 and accepted.json()["accepted_by"].startswith("clerk:")
    assert clerk_post(hall, f"/api/v1/window/cases/{view['case_id']}/accept").status_code == 409


def test_the_applicant_signs_the_commitment_at_the_window_and_the_clerk_is_its_witness(hall):
    body = case_body("open-restaurant", channel="window")
    body["materials"] = [m for m in body["materials"] if m["code"] != "food-safety-rules"]
    view = submit(hall.url(""), body).json()
    accepted = clerk_post(hall, f"/api/v1/window/cases/{view['case_id']}/accept", {"commitment": True})
    assert accepted.status_code == 200, accepted.text
    found = accepted.json()
    assert [d["code"] for d in found["deferred_materials"]] == ["food-safety-rules"]
    assert found["commitment"]["signed"] and found["commitment"]["witnessed_by"] == found["accepted_by"]
    assert clerk_post(hall, "/api/v1/window/cases/x/accept", {"commitment": "maybe"}).status_code == 422


def test_the_clerk_issues_the_one_notice(hall):
    view = submit(hall.url(""), case_body("bankruptcy-check", channel="window")).json()
    notice = clerk_post(hall, f"/api/v1/window/cases/{view['case_id']}/notice", {"deficiencies": [
        {"target": "materials.court-acceptance-ruling", "message_zh": "裁定书复印件不清晰，请重新提供"}]})
    assert notice.json()["status"] == "correction_requested"
    assert notice.json()["notice"]["deficiencies"][0]["message_zh"].startswith("裁定书")
    assert clerk_post(hall, f"/api/v1/window/cases/{view['case_id']}/notice", {}).status_code == 422


def test_online_cases_are_still_reviewed_automatically(hall):
    assert submit(hall.url(""), case_body("bankruptcy-check")).json()["status"] != "submitted"


def test_a_frontend_token_cannot_act_as_a_clerk(hall):
    response = requests.post(hall.url("/api/v1/window/cases/x/accept"), headers=AUTH, timeout=10)
    assert response.status_code == 403


def test_art_32_a_case_not_reviewed_in_five_working_days_counts_as_accepted_from_arrival(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path}/intake.db")
    metadata.create_all(engine)
    store = Store(make_session_factory(engine), TABLES, REPOSITORIES)
    def ctx(today):
        return handlers.Context(default_catalog(), IntakeSettings(manual_review_channels=["window"]),
                                WorkingCalendar.from_file(), lambda: today)
    from services.intake.commands import SubmitCase
    command = SubmitCase.model_validate({**case_body("bankruptcy-check", channel="window"), "materials": []})
    _, case_id = store.run(handlers.submit_case, command, "test", None, ctx(date(2026, 11, 2)))
    assert store.run(handlers.accept_overdue, ctx(date(2026, 11, 6))) == []
    assert store.run(handlers.accept_overdue, ctx(date(2026, 11, 9))) == [case_id]
    with store.unit_of_work() as uow:
        case = uow.cases.get(case_id)
        assert case.status == "accepted" and case.accepted_on == date(2026, 11, 2)
        assert case.accepted_by == "rule:art-32"
