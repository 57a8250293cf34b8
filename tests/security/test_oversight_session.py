"""Issue 17: the supervisors' cookie held the raw token, without Secure or SameSite, and there was no logout.
The cookie now holds a random session id (HttpOnly, SameSite=Strict, Secure behind https); the session is kept
server-side, ends at logout and expires."""
from __future__ import annotations

import sqlite3
import time

import requests

from yici_testkit import SUPERVISOR_TOKEN, embedded_suite

COOKIE = "yici_oversight"


def _sign_in(base) -> tuple[requests.Session, requests.Response]:
    session = requests.Session()
    answer = session.post(base.url("/oversight/login"), data={"token": SUPERVISOR_TOKEN}, allow_redirects=False,
                          timeout=10)
    assert answer.status_code == 303, answer.text
    return session, answer


def _page(base, cookie: str) -> requests.Response:
    return requests.get(base.url("/oversight"), cookies={COOKIE: cookie}, allow_redirects=False, timeout=10)


def test_the_cookie_holds_a_random_session_id_not_the_token(embedded):
    session, answer = _sign_in(embedded)
    header = answer.headers["Set-Cookie"]
    value = session.cookies[COOKIE]
    assert SUPERVISOR_TOKEN not in header and value != SUPERVISOR_TOKEN and len(value) >= 40
    assert "HttpOnly" in header and "SameSite=Strict" in header and "Secure" not in header, header
    assert _page(embedded, value).status_code == 200
    assert _page(embedded, SUPERVISOR_TOKEN).status_code == 303  # a raw token in the cookie is no session
    with sqlite3.connect(embedded.data_dir / "oversight.db") as db:
        stored = [row[0] for row in db.execute("SELECT session_hash FROM oversight_sessions")]
    assert stored and value not in stored and SUPERVISOR_TOKEN not in stored


def test_logout_ends_the_session_on_the_server(embedded):
    session, _ = _sign_in(embedded)
    value = session.cookies[COOKIE]
    assert "退出登录" in session.get(embedded.url("/oversight"), timeout=10).text
    out = session.post(embedded.url("/oversight/logout"), allow_redirects=False, timeout=10)
    assert out.status_code == 303 and out.headers["Location"] == "/oversight/login"
    assert f'{COOKIE}=""' in out.headers["Set-Cookie"] or f"{COOKIE}=;" in out.headers["Set-Cookie"], out.headers
    assert _page(embedded, value).status_code == 303  # the old cookie, replayed, no longer opens the page


def test_a_session_expires(embedded):
    session, _ = _sign_in(embedded)
    value = session.cookies[COOKIE]
    assert _page(embedded, value).status_code == 200
    with sqlite3.connect(embedded.data_dir / "oversight.db") as db:
        db.execute("UPDATE oversight_sessions SET expires_at = ?", (time.time() - 1,))
    assert _page(embedded, value).status_code == 303


def test_the_cookie_is_secure_when_the_public_address_is_https(tmp_path):
    with embedded_suite(tmp_path, YICI_PUBLIC_BASE_URL="https://yici.example.gov.cn") as suite:
        _, answer = _sign_in(suite)
    header = answer.headers["Set-Cookie"]
    assert "Secure" in header and "HttpOnly" in header and "SameSite=Strict" in header, header
