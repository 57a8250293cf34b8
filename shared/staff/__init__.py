"""Staff (people, not machine clients): who is signed in, checked in any service without a shared session store.

- `Principal`: the signed-in person (account id, display name, role, department, unit, session id).
- `staff_principal(request, settings)`: the person of a valid session cookie, or None. The cookie is a token
  signed by oversight (Ed25519, tokens.py); any service verifies it with the public key and refuses an expired
  one, and one ended by sign-out or by disabling the account (revocations.py, fed by oversight's events).
- `require_staff(request, settings, *roles)`: the person, or raises `SignInRequired` (pages answer a redirect to
  /staff/signin; the JSON API a 401) or `Forbidden` (403).
- `csrf_token(principal)` / `check_csrf(request, principal)`: every state-changing form POST carries the token
  (form field `csrf`, or the `X-CSRF-Token` header for scripts).
"""
from __future__ import annotations

import hashlib
import hmac
import time
from dataclasses import asdict, dataclass
from typing import Literal
from urllib.parse import urlsplit

from werkzeug.wrappers import Request

from shared.api import ApiError, problem
from shared.config import Client, Settings
from shared.staff import tokens
from shared.staff.revocations import REVOKED

COOKIE = "yici_staff"
Role = Literal["window_clerk", "department_approver", "delivery_clerk", "supervisor", "administrator"]
ROLES: tuple[str, ...] = ("window_clerk", "department_approver", "delivery_clerk", "supervisor", "administrator")
ROLE_LABELS = {"window_clerk": "综窗人员", "department_approver": "部门审批人员", "delivery_clerk": "出件人员",
               "supervisor": "监察人员", "administrator": "系统管理员"}
# the machine-client role whose API paths a signed-in person of each role may use
CLIENT_ROLES = {"window_clerk": "clerk", "department_approver": "department", "delivery_clerk": "clerk",
                "supervisor": "supervisor", "administrator": "supervisor"}


@dataclass(frozen=True)
class Principal:
    """A signed-in person. `department` (and optionally `unit`) binds a department approver."""
    account_id: str
    display_name: str
    role: str
    department: str | None
    unit: str | None
    session_id: str
    issued_at: float = 0.0
    expires_at: float = 0.0

    @property
    def role_label(self) -> str:
        return ROLE_LABELS.get(self.role, self.role)

    @property
    def actor(self) -> str:
        """How records name the person: account id and display name (e.g. `staff:zc01 综窗 王某`)."""
        return f"staff:{self.account_id} {self.display_name}"

    def as_client(self) -> Client:
        """The machine-client identity the person's API calls are checked against (role and department)."""
        return Client(name=self.actor, token="staff-session", role=CLIENT_ROLES[self.role],
                      department=self.department)


class SignInRequired(Exception):
    """No valid staff session: a page redirects to `/staff/signin?next=…`."""

    def __init__(self, next_path: str = "/"):
        super().__init__("sign-in required")
        self.next_path = next_path


class Forbidden(ApiError):
    def __init__(self, roles: tuple[str, ...]):
        super().__init__(403, [problem("role", "forbidden", "无权访问此页面",
                                       f"this page needs the {' or '.join(roles)} role")])


def issue(principal: Principal, settings: Settings) -> str:
    """The signed cookie value of `principal`'s session (oversight only: it holds the signing key)."""
    return tokens.sign(asdict(principal), tokens.signing_key(settings))


def verify(token: str, settings: Settings, now: float | None = None) -> Principal | None:
    """The person of a token that is authentic, unexpired, and neither ended nor of a disabled account."""
    body = tokens.verified(token, tokens.public_key(settings))
    if body is None:
        return None
    try:
        found = Principal(**body)
    except TypeError:
        return None
    moment = time.time() if now is None else now
    if found.role not in ROLES or found.expires_at <= moment or found.issued_at > moment + 300:
        return None
    return None if REVOKED.refused(found.session_id, found.account_id, found.issued_at) else found


def staff_principal(request: Request, settings: Settings) -> Principal | None:
    """The signed-in person of this request's session cookie, or None."""
    return verify(request.cookies.get(COOKIE, ""), settings)


def require_staff(request: Request, settings: Settings, *roles: str) -> Principal:
    """The signed-in person, of one of `roles` (any staff role when none are named); from then on the request's
    audit entries (shared/audit_edge.py Auditor) name the person."""
    found = staff_principal(request, settings)
    if found is None:
        raise SignInRequired(request.full_path.rstrip("?") if request.method == "GET" else "/")
    if roles and found.role not in roles:
        raise Forbidden(roles)
    request.environ["yici.staff"] = found  # the Auditor attributes what the page does to the person
    return found


def csrf_token(principal: Principal) -> str:
    """The anti-forgery token of the session: bound to its id, which only the HttpOnly cookie carries."""
    return hashlib.sha256(f"yici-csrf:{principal.session_id}".encode()).hexdigest()[:40]


def check_csrf(request: Request, principal: Principal) -> None:
    """Refuse (403) a state-changing request without the session's token (form field `csrf` or X-CSRF-Token)."""
    _compare(request.form.get("csrf") or request.headers.get("X-CSRF-Token") or "", principal)


def check_csrf_header(request: Request, principal: Principal) -> None:
    """The same check on the X-CSRF-Token header only (API calls: the body is not read before authentication)."""
    _compare(request.headers.get("X-CSRF-Token") or "", principal)


def _compare(offered: str, principal: Principal) -> None:
    if not hmac.compare_digest(offered.encode(), csrf_token(principal).encode()):
        raise ApiError(403, [problem("csrf", "csrf_failed", "页面已过期或请求来源不明，请刷新后重试",
                                     "missing or wrong anti-forgery token")])


def same_origin(request: Request) -> None:
    """Refuse (403) a form posted from another site: its Origin, when the browser sends one, is not this host.
    For forms without a session yet (the sign-in), where there is no CSRF token to check."""
    origin = request.headers.get("Origin")
    if origin and origin != "null" and urlsplit(origin).netloc != request.host:
        raise ApiError(403, [problem("Origin", "cross_site", "跨站请求被拒绝", "cross-site form post refused")])
