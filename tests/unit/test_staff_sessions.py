"""Staff accounts and sessions: argon2id hashes, Ed25519-signed sessions any service verifies, refusal of tampered,
expired, ended and disabled ones, CSRF, and the lockout after repeated wrong passwords."""
from __future__ import annotations

import base64
import time

import pytest
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request

from services.oversight import staff
from shared.api import ApiError
from shared.config import Settings
from shared.errors import Conflict, Invalid, TooManyAttempts
from shared.staff import COOKIE, Principal, SignInRequired, check_csrf, csrf_token, issue, require_staff, tokens, verify
from shared.staff.revocations import REVOKED, record
from test_oversight_support import make_store

PASSWORD = "correct horse battery"


@pytest.fixture(autouse=True)
def fresh_registry():
    REVOKED.clear()
    yield
    REVOKED.clear()


@pytest.fixture
def settings(tmp_path):
    return Settings(data_dir=tmp_path / "var")


def person(role="supervisor", session="s1", issued=None, lasts=3600.0) -> Principal:
    now = time.time() if issued is None else issued
    return Principal("jc01", "监察 王某", role, None, None, session, now, now + lasts)


def request(cookie: str = "", form: dict | None = None, headers: dict | None = None, method="POST") -> Request:
    builder = EnvironBuilder(path="/x", method=method, data=form, headers=headers or {})
    if cookie:
        builder.headers["Cookie"] = f"{COOKIE}={cookie}"
    return Request(builder.get_environ())


def test_passwords_are_hashed_with_argon2id_and_verified():
    hashed = staff.hasher().hash(PASSWORD)
    assert hashed.startswith("$argon2id$") and PASSWORD not in hashed
    assert staff.hasher().verify(hashed, PASSWORD)


def test_a_signed_session_verifies_with_the_public_key_alone(settings, tmp_path):
    token = issue(person(), settings)
    public_only = Settings(data_dir=tmp_path / "elsewhere", staff={"public_key": tokens.public_pem(
        tokens.signing_key(settings))})
    assert verify(token, public_only) == verify(token, settings) is not None
    assert verify(token, public_only).display_name == "监察 王某"
    raw = tokens.signing_key(settings).public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    one_line = Settings(data_dir=tmp_path / "third", staff={"public_key": base64.b64encode(raw).decode()})
    assert verify(token, one_line) is not None


def test_a_tampered_or_foreign_session_is_refused(settings, tmp_path):
    token = issue(person(), settings)
    head, body, signature = token.split(".")
    forged = tokens._b64(tokens._unb64(body).replace(b"supervisor", b"administrator"))
    assert verify(f"{head}.{forged}.{signature}", settings) is None
    assert verify(token[:-4] + "AAAA", settings) is None
    assert verify(issue(person(), Settings(data_dir=tmp_path / "other")), settings) is None
    assert verify("garbage", settings) is None and verify("", settings) is None


def test_an_expired_session_is_refused(settings):
    assert verify(issue(person(issued=time.time() - 7200, lasts=3600), settings), settings) is None


def test_an_ended_session_and_a_disabled_account_are_refused(settings):
    ended, other = issue(person(session="a"), settings), issue(person(session="b"), settings)
    record("staff_session_ended", {"session_id": "a", "account_id": "jc01", "expires_at": time.time() + 3600})
    assert verify(ended, settings) is None and verify(other, settings) is not None
    record("staff_account_disabled", {"account_id": "jc01", "disabled_at": time.time() + 1})
    assert verify(other, settings) is None


def test_pages_need_a_session_of_the_right_role(settings):
    with pytest.raises(SignInRequired):
        require_staff(request(method="GET"), settings)
    with pytest.raises(ApiError) as refused:
        require_staff(request(issue(person(role="window_clerk"), settings)), settings, "administrator")
    assert refused.value.status == 403
    assert require_staff(request(issue(person(), settings)), settings, "supervisor").account_id == "jc01"


def test_a_form_post_without_the_sessions_csrf_token_is_refused():
    who = person()
    with pytest.raises(ApiError) as refused:
        check_csrf(request(form={"csrf": "wrong"}), who)
    assert refused.value.status == 403
    with pytest.raises(ApiError):
        check_csrf(request(form={"csrf": csrf_token(person(session="other"))}), who)
    check_csrf(request(form={"csrf": csrf_token(who)}), who)
    check_csrf(request(headers={"X-CSRF-Token": csrf_token(who)}), who)


def test_sign_in_gives_a_session_and_wrong_passwords_lock_the_account(tmp_path, settings):
    store, now = make_store(tmp_path), time.time()
    store.run(staff.add_account, staff.NewAccount("jc01", "监察 王某", "supervisor"), PASSWORD, now)
    found = store.run(staff.sign_in, "jc01", PASSWORD, "10.0.0.1", settings, now)
    assert found.role == "supervisor" and found.expires_at == pytest.approx(now + 10 * 3600)
    for _ in range(settings.attempts.per_target):
        assert store.run(staff.sign_in, "jc01", "wrong password!", "10.0.0.2", settings, now) is None
    with pytest.raises(TooManyAttempts):
        store.run(staff.sign_in, "jc01", PASSWORD, "10.0.0.3", settings, now)


def test_disabled_accounts_cannot_sign_in_and_their_sessions_end(tmp_path, settings):
    published: list = []
    store, now = make_store(tmp_path, published), time.time()
    store.run(staff.add_account, staff.NewAccount("zc01", "综窗 李某", "window_clerk"), PASSWORD, now - 10)
    session = issue(store.run(staff.sign_in, "zc01", PASSWORD, "10.0.0.1", settings, now - 5), settings)
    store.run(staff.disable_account, "zc01", now)
    assert verify(session, settings) is None
    assert store.run(staff.sign_in, "zc01", PASSWORD, "10.0.0.1", settings, now + 1) is None
    assert [m.routing_key for m in published] == ["staff_account_disabled"]


def test_accounts_are_checked_when_added(tmp_path):
    store, now = make_store(tmp_path), time.time()
    with pytest.raises(Invalid):
        store.run(staff.add_account, staff.NewAccount("bm01", "审批 赵某", "department_approver"), PASSWORD, now)
    with pytest.raises(Invalid):
        store.run(staff.add_account, staff.NewAccount("bm01", "审批 赵某", "window_clerk"), "short", now)
    store.run(staff.add_account, staff.NewAccount("bm01", "审批 赵某", "window_clerk"), PASSWORD, now)
    with pytest.raises(Conflict):
        store.run(staff.add_account, staff.NewAccount("bm01", "审批 赵某", "window_clerk"), PASSWORD, now)


def test_signed_out_sessions_are_reloaded_after_a_restart(tmp_path, settings):
    store, now = make_store(tmp_path), time.time()
    store.run(staff.add_account, staff.NewAccount("jc01", "监察 王某", "supervisor"), PASSWORD, now - 10)
    found = store.run(staff.sign_in, "jc01", PASSWORD, "10.0.0.1", settings, now)
    store.run(staff.sign_out, found, now + 1)
    REVOKED.clear()  # a restart forgets the registry...
    assert verify(issue(found, settings), settings) is not None
    store.run(staff.reload_revocations, now + 2)  # ...oversight reloads it from its database
    assert verify(issue(found, settings), settings) is None
