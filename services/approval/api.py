"""HTTP edge of approval: read the request into a command or query, call one use case, shape the reply."""
from __future__ import annotations

import json
from typing import Callable

from werkzeug.wrappers import Request, Response

from services.approval import lifecycle, views, worklist
from services.approval.commands import (
    ChangeLicense,
    ClaimTask,
    CorrectLicense,
    DecideBody,
    JoinVisit,
    RecordVisit,
    ReplaceLicense,
    VerifyDocument,
)
from services.approval.handlers import Context
from shared.api import ApiError, parse_json_body, problem, validate
from shared.audit_edge import Auditor, as_person, department_scope, person_of, stated_purpose
from shared.config import Settings
from shared.events import AuditRecorded
from shared.messaging import Store, utcnow
from shared.staff import Principal

HOLDER_LOOKUP_ROLES = ("clerk", "supervisor", "department")
"""Who may turn an ID number into licenses: the window (reuse of held licenses), supervision, and a department
(its own licenses only). The applicant's front end is not among them: it shows the case's own licenses."""


def list_tasks(request: Request, store: Store, department: str) -> dict:
    unit = _in_scope(request, department)
    return views.task_list(store, department, request.args.get("status", "open"), unit)


def get_task(request: Request, store: Store, department: str, request_id: str) -> dict:
    unit = _in_scope(request, department)
    return views.task_detail(store, department, request_id, unit)


def claim_task(request: Request, store: Store, department: str, request_id: str) -> dict:
    unit = _in_scope(request, department)
    store.run(worklist.claim_task, department, request_id, as_person(request, parse_json_body(request, ClaimTask)),
              unit)
    return views.task_detail(store, department, request_id, unit)


def decide_task(request: Request, store: Store, context: Context, settings: Settings, department: str,
                request_id: str) -> dict:
    """The decision and its audit entry commit together."""
    unit = _in_scope(request, department)
    command = as_person(request, parse_json_body(request, DecideBody))
    return store.run(worklist.decide_task, department, request_id, command, context,
                     decision_audit(request, settings, request_id, command), unit)


def decision_audit(request: Request, settings: Settings, request_id: str, command: DecideBody) -> AuditRecorded:
    """The audit entry of a decision (the API's and the department workbench's alike)."""
    return Auditor("approval", settings).event(request, "task.decided", "decision", case_id=request_id.split(":")[0],
                                               staff=command.clerk, outcome=command.decision)


def record_visit(request: Request, store: Store, settings: Settings, department: str, request_id: str) -> dict:
    """The lead department's record of the joint inspection; it and its audit entry commit together."""
    unit = _in_scope(request, department)
    command = as_person(request, parse_json_body(request, RecordVisit))
    return store.run(worklist.record_visit, department, request_id, command,
                     visit_audit(request, settings, request_id, command), unit)


def visit_audit(request: Request, settings: Settings, request_id: str, command: RecordVisit) -> AuditRecorded:
    return Auditor("approval", settings).event(request, "joint.visit_recorded", "joint_inspection",
                                               case_id=request_id.split(":")[0], staff=command.clerk,
                                               outcome="recorded")


def join_visit(request: Request, store: Store, department: str, request_id: str) -> dict:
    unit = _in_scope(request, department)
    store.run(worklist.join_visit, department, request_id, as_person(request, parse_json_body(request, JoinVisit)),
              unit)
    return views.task_detail(store, department, request_id, unit)


def _in_scope(request: Request, department: str) -> str | None:
    """A department's token reaches its own worklist only; an approver's session bound to a township/village
    unit reaches that unit's tasks only (returned: the unit to scope by, or None)."""
    client = request.environ["yici.client"]
    if client is None or client.department != department:
        raise ApiError(403, [problem("department", "other_department", "无权访问其他部门的任务",
                                     "a department cannot see or decide another department's tasks")])
    return unit_scope(person_of(request))


def unit_scope(person: Principal | None) -> str | None:
    """The township/village unit a department approver is bound to (None: the whole department)."""
    return person.unit if person is not None and person.role == "department_approver" else None


def list_licenses(request: Request, store: Store, settings: Settings) -> dict:
    """A holder lookup: with a stated purpose, a department sees its own licenses only, and it is audited."""
    holder = request.args.get("holder")
    if not holder:
        raise ApiError(422, [problem("holder", "missing", "缺少持证主体证件号码", "holder is required")])
    purpose = stated_purpose(request)
    found = views.license_list(store, _holder_key(holder), request.args.get("type"), department_scope(request))
    Auditor("approval", settings).record(store, request, "license.holder_lookup", purpose, subject=holder)
    return found


def license_document(request: Request, store: Store, settings: Settings, number: str) -> Response:
    """The document as a JSON file to download (a department's own licenses only); audited."""
    document = views.document(store, number, department_scope(request))
    Auditor("approval", settings).record(store, request, "license.document.read",
                                         stated_purpose(request, "license_document"),
                                         case_id=document["content"].get("case_id") or "",
                                         subject=document["content"].get("holder_id"))
    body = json.dumps(document, ensure_ascii=False, indent=2)
    return Response(body, mimetype="application/json",
                    headers={"Content-Disposition": f'attachment; filename="{number}.json"'})


CHANGES: dict[str, tuple[Callable[..., dict], type[ChangeLicense]]] = {
    "revoke": (lifecycle.revoke, ChangeLicense), "correct": (lifecycle.correct, CorrectLicense),
    "replace": (lifecycle.replace, ReplaceLicense)}


def change_license(request: Request, store: Store, context: Context, settings: Settings, number: str,
                   action: str) -> dict:
    """The issuing department revokes, corrects or replaces its license; the change and its audit entry commit
    together. Another department's license is as unknown as none (404)."""
    department = department_scope(request)
    if department is None:
        raise ApiError(403, [problem("Authorization", "not_a_department", "仅发证部门可变更证照",
                                     "only the issuing department's token may change a license")])
    use_case, body = CHANGES[action]
    command: ChangeLicense = as_person(request, parse_json_body(request, body))
    auditor = Auditor("approval", settings)

    def audit(case_id: str, holder: str) -> AuditRecorded:
        return auditor.event(request, f"license.{action}", "license_lifecycle", case_id=case_id, subject=holder,
                             staff=command.clerk, outcome=action)
    return store.run(use_case, department, number, command, context, audit)


def verify_number(store: Store, context: Context, number: str) -> dict:
    return views.verify_number(store, number, context.today())


def verify_document(request: Request, store: Store, context: Context) -> dict:
    """The document is checked for its shape (422 naming the field), then verified exactly as sent."""
    document = request.get_json(silent=True)
    if not isinstance(document, dict) or not isinstance(document.get("content"), dict):
        raise ApiError(422, [problem("content", "missing", "缺少证照内容", "the document needs content and seal")])
    validate(VerifyDocument, document)
    return views.verify_document(store, document, context.today())


def seal_keys(store: Store, context: Context, department: str) -> dict:
    return views.seal_keys(store, department, context.settings, set(context.catalog.departments), utcnow())


def _holder_key(holder: str) -> str:
    """An ID number or credit code is matched in upper case (a check character `x`); a holder referenced by its
    case until it is registered (`<case_id>/newborn`, `<case_id>/new-company`) is matched as issued."""
    holder = holder.strip()
    return holder if "/" in holder else holder.upper()
