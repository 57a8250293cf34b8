"""The applicant's sign-in at /apply: a one-time SMS code through the SMS port (the simulated gateway's outbox
shows it in the embedded default), wrong / expired / too many attempts, the resend throttle, the session
cookie's flags, CSRF on every POST, and neither the number nor the code in the log."""
from __future__ import annotations

import sqlite3
import time
from email.utils import parsedate_to_datetime

import pytest
import requests

from apply_pages_kit import (
    ask_code,
    challenge_of,
    code_in_outbox,
    csrf,
    enter_code,
    new_phone,
    signed_in,
)
from oversight_kit import embedded_suite
from yici_testkit import wait_for


@pytest.fixture(scope="module")
def suite(tmp_path_factory):
    with embedded_suite(tmp_path_factory.mktemp("apply-sign-in"), clock=True) as process:
        yield process


def test_the_code_the_simulated_gateway_shows_signs_in_with_a_strict_http_only_cookie(suite):
    session, phone = requests.Session(), new_phone()
    asked = ask_code(suite, session, phone)
    challenge = challenge_of(asked)
    verify_page = session.get(suite.url(f"/apply/verify?c={challenge}"), timeout=10)
    assert verify_page.status_code == 200
    assert f"{phone[:3]}****{phone[-4:]}" in verify_page.text and phone not in verify_page.text
    assert 'id="sms-outbox"' in verify_page.text  # the embedded default says where the code is
    code = code_in_outbox(suite, session, challenge)

    wrong = "000000" if code != "000000" else "111111"
    refused = enter_code(suite, session, challenge, wrong)
    assert refused.status_code == 400 and "验证码错误" in refused.text and "还可尝试4次" in refused.text
    assert "yici_applicant" not in refused.headers.get("Set-Cookie", "")

    answer = enter_code(suite, session, challenge, code)
    assert answer.status_code == 303 and answer.headers["Location"] == "/apply/matters"
    cookie = next(c for c in answer.raw.headers.getlist("Set-Cookie") if c.startswith("yici_applicant="))
    flags = {part.strip().split("=")[0].lower(): part.strip() for part in cookie.split(";")}
    assert "httponly" in flags and flags["samesite"] == "SameSite=Strict" and flags["path"] == "Path=/apply"
    assert flags["max-age"] == "Max-Age=7200"  # intake.applicants.session_hours: 2
    assert "yici_staff" not in cookie
    mine = session.get(suite.url("/apply/cases"), timeout=10)
    assert mine.status_code == 200 and "我的办件" in mine.text

    assert enter_code(suite, requests.Session(), challenge, code).status_code == 400  # a code works once

    log = suite.log.read_text(encoding="utf-8", errors="replace")
    assert phone not in log and code not in log.replace(challenge, "")
    with sqlite3.connect(suite.data_dir / "intake.db") as db:
        hashes = [r[0] for r in db.execute("select code_hash from intake_applicant_challenges")]
        assert hashes and code not in hashes and all(len(h) == 64 for h in hashes)


def test_a_forged_or_altered_session_cookie_is_refused_and_sign_out_ends_the_session(suite):
    session = signed_in(suite)
    cookie = session.cookies.get("yici_applicant", path="/apply")
    forged = requests.get(suite.url("/apply/cases"), cookies={"yici_applicant": cookie[:-2] + "00"},
                          allow_redirects=False, timeout=10)
    assert forged.status_code == 303 and forged.headers["Location"].startswith("/apply?next=")
    page = session.get(suite.url("/apply/cases"), timeout=10)
    out = session.post(suite.url("/apply/signout"), data={"csrf": csrf(page.text)}, allow_redirects=False,
                       timeout=10)
    assert out.status_code == 303
    again = requests.get(suite.url("/apply/cases"), cookies={"yici_applicant": cookie}, allow_redirects=False,
                         timeout=10)
    assert again.status_code == 303  # the session ended on the server, not only in this browser


def test_too_many_wrong_codes_void_the_code(suite):
    session = requests.Session()
    challenge = challenge_of(ask_code(suite, session, new_phone()))
    code = code_in_outbox(suite, session, challenge)
    wrong = "000000" if code != "000000" else "111111"
    statuses = [enter_code(suite, session, challenge, wrong).status_code for _ in range(5)]
    assert statuses == [400, 400, 400, 400, 429]
    right = enter_code(suite, session, challenge, code)
    assert right.status_code == 429 and "已失效" in right.text and "yici_applicant" not in session.cookies


def test_another_code_to_the_same_number_waits_a_minute(suite):
    session, phone = requests.Session(), new_phone()
    challenge = challenge_of(ask_code(suite, session, phone))
    again = ask_code(suite, requests.Session(), phone)
    assert again.status_code == 429 and int(again.headers["Retry-After"]) > 0
    assert "验证码发送过于频繁" in again.text
    verify_page = session.get(suite.url(f"/apply/verify?c={challenge}"), timeout=10)
    resend = session.post(suite.url("/apply/resend"), data={"csrf": csrf(verify_page.text), "c": challenge},
                          timeout=10)
    assert resend.status_code == 429 and "验证码发送过于频繁" in resend.text
    assert ask_code(suite, requests.Session(), new_phone()).status_code == 303  # another number is not held up


def test_a_bad_number_is_refused_next_to_the_field(suite):
    answer = ask_code(suite, requests.Session(), "1234")
    assert answer.status_code == 422
    assert 'id="phone-error"' in answer.text and 'aria-describedby="phone-error"' in answer.text


def test_an_expired_code_is_refused(suite):
    session = requests.Session()
    challenge = challenge_of(ask_code(suite, session, new_phone()))
    code = code_in_outbox(suite, session, challenge)
    suite.clock_file.write_text("+1h\n", encoding="utf-8")  # past the five minutes
    try:
        wait_for(lambda: _server_clock(suite) > time.time() + 600, timeout=15, what="the suite's clock moved")
        answer = enter_code(suite, session, challenge, code)
    finally:
        suite.clock_file.write_text("+0d\n", encoding="utf-8")
        time.sleep(1.2)
    assert answer.status_code == 400 and "验证码已过期" in answer.text


def _server_clock(suite) -> float:
    """The suite's own time, from its Date header (libfaketime reads the clock file at most once a second)."""
    return parsedate_to_datetime(requests.get(suite.url("/healthz"), timeout=10).headers["Date"]).timestamp()


def test_every_post_needs_the_pages_csrf_token(suite):
    session = requests.Session()
    session.get(suite.url("/apply"), timeout=10)
    for path, data in (("/apply/signin", {"phone": new_phone()}), ("/apply/verify", {"c": "x", "code": "123456"}),
                       ("/apply/resend", {"c": "x"}), ("/apply/signout", {})):
        assert session.post(suite.url(path), data=data, allow_redirects=False, timeout=10).status_code == 403, path
    other = requests.Session()
    token = csrf(other.get(suite.url("/apply"), timeout=10).text)  # another browser's token
    assert session.post(suite.url("/apply/signin"), data={"csrf": token, "phone": new_phone()},
                        allow_redirects=False, timeout=10).status_code == 403
    applicant = signed_in(suite)
    page = applicant.get(suite.url("/apply/cases"), timeout=10)
    assert applicant.post(suite.url("/apply/signout"), data={"csrf": "0" * 40}, timeout=10).status_code == 403
    cross = applicant.post(suite.url("/apply/signout"), data={"csrf": csrf(page.text)}, allow_redirects=False,
                           headers={"Origin": "https://evil.example"}, timeout=10)
    assert cross.status_code == 403


@pytest.fixture(scope="module")
def strict_suite(tmp_path_factory):
    with embedded_suite(tmp_path_factory.mktemp("apply-sign-in-strict"), attempts={"per_client": 3}) as process:
        yield process


def test_one_address_cannot_have_codes_texted_to_number_after_number(strict_suite):
    sent = [ask_code(strict_suite, requests.Session(), new_phone()) for _ in range(4)]
    assert [a.status_code for a in sent] == [303, 303, 303, 429]
    assert "验证码发送过于频繁" in sent[-1].text and int(sent[-1].headers["Retry-After"]) > 0
