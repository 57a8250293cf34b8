"""Issue 17: guessable public codes. Failed attempts at a case's lookup code, a pickup code and the supervisors'
sign-in are counted per client address and per target; past the limits the answer is 429 with Retry-After and
a problem body, a locked target refuses the right code too, the lock is logged (without the code) and counted
in /metrics, and it ends when the failures leave the window. Public codes are long enough that guessing is
hopeless anyway."""
from __future__ import annotations

import re
import time

import pytest
import requests

from oversight_kit import CLERK, case_status, completed_case, delivery, embedded_suite
from yici_testkit import SUPERVISOR_TOKEN, TOKEN, case_body, submit, wait_for

WINDOW = 8  # seconds: short, so a test can watch a lock end; long enough for a loaded machine
LOOKUP = re.compile(r"^[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{12}$")


@pytest.fixture(scope="module")
def suite(tmp_path_factory):
    with embedded_suite(tmp_path_factory.mktemp("guessing"),
                        attempts={"window_seconds": WINDOW, "per_client": 12, "per_target": 3}) as process:
        yield process


def _track(suite, case_id, code):
    return requests.get(suite.url(f"/track/{case_id}"), params={"code": code}, timeout=10)


def _assert_limited(response, field: str, code: str) -> None:
    assert response.status_code == 429, response.text
    assert 1 <= int(response.headers["Retry-After"]) <= WINDOW
    problems = response.json()["problems"]
    assert [(p["field"], p["code"]) for p in problems] == [(field, code)], problems
    assert problems[0]["message_zh"] and problems[0]["message_en"]


def _wrong(code: str) -> str:
    return "2" * len(code) if code != "2" * len(code) else "3" * len(code)


def _metric(suite, name: str, scope: str) -> float:
    text = requests.get(suite.url("/metrics"), timeout=10).text
    found = re.search(rf'^{name}\{{scope="{scope}"\}} (\S+)$', text, re.M)
    return float(found.group(1)) if found else 0.0


def _refused(suite, scope: str, reason: str) -> float:
    text = requests.get(suite.url("/metrics"), timeout=10).text
    found = re.search(rf'^yici_attempts_refused_total\{{reason="{reason}",scope="{scope}"\}} (\S+)$', text, re.M)
    return float(found.group(1)) if found else 0.0


def test_lookup_codes_are_long_and_unambiguous(suite):
    codes = {submit(suite.url(""), case_body()).json()["lookup_code"] for _ in range(3)}
    assert len(codes) == 3 and all(LOOKUP.match(c) for c in codes), codes


def test_a_case_is_locked_after_wrong_lookup_codes_even_for_the_right_code_then_unlocked(suite):
    view = submit(suite.url(""), case_body()).json()
    case_id, code = view["case_id"], view["lookup_code"]
    locks = _metric(suite, "yici_attempt_locks_total", "track")
    refused = _refused(suite, "track", "target_locked")
    for _ in range(3):
        assert _track(suite, case_id, _wrong(code)).status_code == 404
    _assert_limited(_track(suite, case_id, code), "code", "locked")
    assert _metric(suite, "yici_attempt_locks_total", "track") == locks + 1
    assert _refused(suite, "track", "target_locked") == refused + 1
    log = suite.log.read_text(errors="replace")
    locked = [line for line in log.splitlines() if "attempts locked" in line and case_id in line]
    assert locked and code not in "".join(locked)
    other = submit(suite.url(""), case_body()).json()
    assert _track(suite, other["case_id"], other["lookup_code"]).status_code == 200  # only that case is locked
    time.sleep(WINDOW + 0.5)
    page = _track(suite, case_id, code.lower())
    assert page.status_code == 200 and case_id in page.text


def test_one_address_guessing_many_cases_is_slowed_down(suite):
    time.sleep(WINDOW + 0.5)  # the earlier tests' failures leave the window
    answers = [_track(suite, f"YC20260101GUESS{n:05d}", "222222").status_code for n in range(14)]
    assert answers[:12] == [404] * 12 and answers[12:] == [429, 429], answers
    _assert_limited(_track(suite, "YC20260101GUESS99999", "222222"), "code", "too_many_attempts")
    time.sleep(WINDOW + 0.5)


def test_a_pickup_code_is_eight_digits_and_locked_after_wrong_tries(suite):
    case_id = completed_case(suite, case_body("open-restaurant"))
    waiting = wait_for(lambda: (lambda d: d if d and d["status"] == "awaiting_pickup" else None)(
        delivery(suite, case_id)), timeout=30, what="awaiting pickup")
    code = waiting["pickup_code"]
    assert re.fullmatch(r"\d{8}", code), code
    path = suite.url(f"/api/v1/deliveries/{case_id}/pickup")
    for _ in range(3):
        wrong = requests.post(path, json={"pickup_code": _wrong(code)}, headers=CLERK, timeout=10)
        assert wrong.status_code == 422, wrong.text
    _assert_limited(requests.post(path, json={"pickup_code": code}, headers=CLERK, timeout=10), "pickup_code",
                    "locked")
    assert case_status(suite, case_id)["status"] != "delivered"
    time.sleep(WINDOW + 0.5)
    done = requests.post(path, json={"pickup_code": code}, headers=CLERK, timeout=10)
    assert done.status_code == 200 and done.json()["status"] == "picked_up", done.text


def test_supervisor_sign_in_is_locked_after_wrong_tokens(suite):
    login = suite.url("/oversight/login")
    for _ in range(3):
        assert requests.post(login, data={"token": TOKEN}, allow_redirects=False, timeout=10).status_code == 401
    locked = requests.post(login, data={"token": SUPERVISOR_TOKEN}, allow_redirects=False, timeout=10)
    assert locked.status_code == 429 and 1 <= int(locked.headers["Retry-After"]) <= WINDOW
    assert "Set-Cookie" not in locked.headers and "错误尝试过多" in locked.text
    assert _metric(suite, "yici_attempt_locks_total", "supervisor_login") >= 1
    assert SUPERVISOR_TOKEN not in suite.log.read_text(errors="replace")
    time.sleep(WINDOW + 0.5)
    signed_in = requests.post(login, data={"token": SUPERVISOR_TOKEN}, allow_redirects=False, timeout=10)
    assert signed_in.status_code == 303, signed_in.text
