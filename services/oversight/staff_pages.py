"""Staff sign-in, sign-out and the administrators' accounts page (server-rendered, Jinja2)."""
from __future__ import annotations

import time
from typing import Any
from urllib.parse import urlsplit

from werkzeug.wrappers import Request, Response

from services.oversight import staff
from shared.api import caller_address
from shared.audit_edge import Auditor, with_audit
from shared.config import Settings
from shared.errors import NotFound, Refusal, TooManyAttempts
from shared.messaging import Store
from shared.staff import COOKIE, Principal, check_csrf, csrf_token, issue, require_staff, same_origin, staff_principal
from shared.web.pages import redirect, render

HOME = {"supervisor": "/oversight", "administrator": "/staff/admin"}


def signin_page(request: Request, error: str = "", status: int = 200, headers: dict | None = None,
                wait: int = 0) -> Response:
    """`error`: "locked" (wait `wait` seconds) or "refused"; the template says it in words."""
    return render("staff/signin.html", status=status, headers=headers, error=error, wait=wait,
                  next=_safe_next(request.values.get("next", "")), account_id=request.form.get("account_id", ""))


def signin(request: Request, store: Store, settings: Settings) -> Response:
    """A wrong account or password is counted (committed) before the 401; past the limits, 429 and a wait."""
    same_origin(request)  # a sign-in form posted from another site is refused (login CSRF)
    try:
        found = store.run(staff.sign_in, request.form.get("account_id", "").strip(),
                          request.form.get("password", ""), caller_address(request), settings, time.time())
    except TooManyAttempts as refused:
        return signin_page(request, "locked", 429, {"Retry-After": str(refused.retry_after)}, refused.retry_after)
    if found is None:
        return signin_page(request, "refused", 401)
    response = redirect(_safe_next(request.form.get("next", "")) or HOME.get(found.role, "/"))
    response.set_cookie(COOKIE, issue(found, settings), httponly=True, samesite="Strict", path="/",
                        max_age=int(found.expires_at - found.issued_at), secure=_secure(settings))
    return response


def signout(request: Request, store: Store, settings: Settings) -> Response:
    """The session ends everywhere (staff_session_ended); the cookie is cleared too."""
    found = staff_principal(request, settings)
    if found is not None:
        check_csrf(request, found)
        store.run(staff.sign_out, found, time.time())
    response = redirect("/staff/signin")
    response.delete_cookie(COOKIE, path="/", httponly=True, samesite="Strict", secure=_secure(settings))
    return response


def admin_page(request: Request, store: Store, settings: Settings) -> Response:
    who = require_staff(request, settings, "administrator")
    return _admin(store, who)


def admin_action(request: Request, store: Store, settings: Settings, action: str, account_id: str = "") -> Response:
    """add, disable or reset (a reset shows the one-time password once, on this answer only); each is recorded
    in the audit trail under the administrator's name, with what was done to whom only as its action."""
    who = require_staff(request, settings, "administrator")
    check_csrf(request, who)
    if action not in ("add", "disable", "reset") or (action == "add") == bool(account_id):
        raise NotFound("action", action, message_zh="没有这个操作", message_en="no such action")
    form, now = request.form, time.time()
    audit = Auditor("oversight", settings).event(request, f"staff_account.{action}", "account_administration",
                                                 outcome=action)
    try:
        if action == "add":
            store.run(with_audit(staff.add_account, audit), staff.NewAccount(
                form.get("account_id", "").strip(), form.get("display_name", ""), form.get("role", ""),
                form.get("department", "").strip() or None, form.get("unit", "").strip() or None),
                form.get("password", ""), now)
            return _admin(store, who, notice="added")
        if action == "disable":
            store.run(with_audit(staff.disable_account, audit), account_id, now)
            return _admin(store, who, notice="disabled")
        password = store.run(with_audit(staff.reset_password, audit), account_id, None, now)
        return _admin(store, who, notice="reset", one_time=password)
    except Refusal as refused:
        return _admin(store, who, errors=[p["message_zh"] for p in refused.problems], status=422)


def _admin(store: Store, who: Principal, status: int = 200, **context: Any) -> Response:
    accounts = store.run(staff.list_accounts)
    return render("staff/admin.html", status=status, principal=who, csrf=csrf_token(who), accounts=accounts,
                  roles=staff.ROLES, **context)


def _safe_next(path: str) -> str:
    """A path on this site only (never another host: no open redirect)."""
    parts = urlsplit(path)
    return path if path.startswith("/") and not path.startswith("//") and not parts.netloc and \
        "\\" not in path else ""


def _secure(settings: Settings) -> bool:
    return (settings.public_base_url or "").lower().startswith("https://")
