"""The HTTP edge of the audit trail: who asks (token client or staff member), from where, for what purpose, and
the entry written before the answer leaves (a read whose entry cannot be stored is not answered)."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, TypeVar

from pydantic import BaseModel
from werkzeug.wrappers import Request

from shared.api import ApiError, caller_address, problem
from shared.audit import audit_event, pseudonym, subject_key
from shared.config import Client, Settings
from shared.events import AuditActor, AuditRecorded
from shared.messaging import Store, UnitOfWork
from shared.staff import Principal

PURPOSE_MAX = 200
T = TypeVar("T")
M = TypeVar("M", bound=BaseModel)


def client_of(request: Request) -> Client:
    client: Client = request.environ["yici.client"]
    return client


def department_scope(request: Request) -> str | None:
    """The department a department client is bound to (it sees only its own items); None for other roles."""
    client = request.environ.get("yici.client")
    return client.department if client is not None and client.role == "department" else None


def stated_purpose(request: Request, default: str | None = None) -> str:
    """The `purpose` query parameter; without one, `default` (the route's fixed purpose) or a 400."""
    purpose = (request.args.get("purpose") or "").strip()
    if len(purpose) > PURPOSE_MAX:
        raise ApiError(400, [problem("purpose", "too_long", "用途说明过长", f"purpose exceeds {PURPOSE_MAX} characters")])
    if purpose:
        return purpose
    if default is None:
        raise ApiError(400, [problem("purpose", "missing", "须说明查询用途（purpose 参数）",
                                     "state the purpose of this lookup in the purpose query parameter")])
    return default


def person_of(request: Request) -> Principal | None:
    """The signed-in person (a staff session the web edge verified), or None for a machine client's token."""
    found = request.environ.get("yici.staff")
    return found if isinstance(found, Principal) else None


def as_person(request: Request, command: M) -> M:
    """`command` with its `clerk` set to the signed-in person (whatever name was sent), under a staff session;
    unchanged for a machine client, which names its clerk itself."""
    person = person_of(request)
    return command.model_copy(update={"clerk": person.actor}) if person and "clerk" in type(command).model_fields \
        else command


def actor_of(request: Request, staff: str | None = None) -> AuditActor:
    """The signed-in person (account id and name); else the token client, or the named staff member acting
    through it."""
    person = person_of(request)
    if person is not None:
        return AuditActor(kind="staff", name=person.actor, role=person.role, department=person.department)
    client = client_of(request)
    if staff:
        return AuditActor(kind="staff", name=staff, role=client.role, department=client.department,
                          client=client.name)
    return AuditActor(kind="client", name=client.name, role=client.role, department=client.department)


class Auditor:
    """Builds and stores one service's audit entries."""

    def __init__(self, service: str, settings: Settings):
        self.service = service
        self.key = _key(settings.audit_subject_key, Path(settings.data_dir).resolve())

    def subject(self, raw: str | None) -> str | None:
        return pseudonym(raw, self.key) if raw else None

    def event(self, request: Request, action: str, purpose: str, case_id: str = "", subject: str | None = None,
              staff: str | None = None, outcome: str = "answered", actor: AuditActor | None = None) -> AuditRecorded:
        """`subject` is the raw ID number (or None): it is pseudonymised here. `actor`: who, when no token says
        (a signed link names its department)."""
        return audit_event(actor or actor_of(request, staff), action, self.service, purpose, case_id, self.subject(subject),
                           caller_address(request) or None, outcome, request.headers.get("X-Request-Id"))

    def record(self, store: Store, request: Request, action: str, purpose: str, **fields: Any) -> None:
        """Store the entry of a read (committed before the caller answers)."""
        event = self.event(request, action, purpose, **fields)
        store.run(_emit, event)


def _emit(uow: UnitOfWork, event: AuditRecorded) -> None:
    uow.emit(event)


def with_audit(use_case: Callable[..., T], event: AuditRecorded) -> Callable[..., T]:
    """`use_case` whose audit entry is emitted in its own transaction, after it succeeded."""
    def audited(uow: UnitOfWork, *args: Any) -> T:
        result = use_case(uow, *args)
        uow.emit(event)
        return result
    return audited


@lru_cache(maxsize=8)
def _key(configured: str | None, data_dir: Path) -> bytes:
    return subject_key(configured, data_dir)
