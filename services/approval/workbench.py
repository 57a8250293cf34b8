"""部门审批工作台: the department approver's pages (server-rendered, Jinja2), on approval's own data.

Every action calls the same use cases as the JSON worklist API (services/approval/worklist.py: claim_task,
decide_task, record_visit, join_visit), with the same commands and audit entries, recorded under the signed-in
person (`principal.actor`). An approver sees the tasks of their department, and of their township/village unit
only when the account is bound to one (api.unit_scope); a supervisor may look at any department's worklist and
tasks, read-only. Materials open through intake's `/api/v1/files/<ref>` under the person's session: the file
grants of ADR 0021 decide, and each open is audited under the person.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import quote

from pydantic import ValidationError
from werkzeug.wrappers import Request, Response

from services.approval import api, views, worklist
from services.approval.commands import ClaimTask, DecideBody, JoinVisit, RecordVisit
from services.approval.handlers import Context
from shared.api import problems_from_validation
from shared.audit_edge import Auditor
from shared.config import Settings
from shared.errors import Conflict, Invalid, NotFound, Refusal
from shared.messaging import Store
from shared.staff import Forbidden, Principal, check_csrf, csrf_token, require_staff
from shared.web.pages import redirect, render

APPROVER, SUPERVISOR = "department_approver", "supervisor"
SHOWS = ("all", "mine", "unclaimed")
STATUSES = ("open", "supplement_requested", "decided", "all")
ACTIONS = ("claim", "decide", "join", "visit")
DECISIONS = ("approved", "rejected", "supplement_requested")
# what a form field's validation problem says on the page (the JSON API's generic text names pydantic's rule)
FIELD_MESSAGES = {"decision": "请选择决定", "supplement_days": "补正期限应为 1 至 60 个工作日",
                  "findings": "请填写踏勘情况（不超过 2000 字）", "attended": "请选择到场的部门",
                  "legal_basis": "法律依据不超过 1000 字", "reasons": "理由不超过 50 条"}


@dataclass(frozen=True)
class Scope:
    """Whose worklist a page shows: the approver's department (and unit), or the one a supervisor chose."""
    department: str
    unit: str | None
    read_only: bool


def scope_of(request: Request, who: Principal, context: Context) -> Scope:
    if who.role == APPROVER:
        if not who.department:
            raise Forbidden((APPROVER,))  # an approver's account is always bound to a department
        return Scope(who.department, api.unit_scope(who), False)
    department = (request.args.get("department") or "").strip()
    if department and department not in context.catalog.departments:
        raise NotFound("department", department, message_zh="没有这个部门", message_en="no such department")
    return Scope(department, None, True)


def deadline(task: dict, today: date, context: Context, yellow_share: float) -> dict:
    """Working days left to the department's deadline, and the warning the supervision limits give it: red past
    the deadline, yellow once `yellow_share` of the promised working days are used (as oversight warns)."""
    due = task.get("due_date")
    if due is None or task["status"] not in ("pending", "claimed"):
        return {"left": None, "level": None}
    due = date.fromisoformat(due) if isinstance(due, str) else due
    left = context.calendar.workdays_between(today, due)
    promised = task.get("promised_days") or 0
    if today > due:
        level = "red"
    elif promised and (promised - left) / promised >= yellow_share:
        level = "yellow"
    else:
        level = None
    return {"left": left, "level": level}


def worklist_page(request: Request, store: Store, context: Context, settings: Settings) -> Response:
    who = require_staff(request, settings, APPROVER, SUPERVISOR)
    scope = scope_of(request, who, context)
    show = request.args.get("show", "all") if request.args.get("show") in SHOWS else "all"
    listed = request.args.get("status", "open") if request.args.get("status") in STATUSES else "open"
    rows: list[dict] = []
    if scope.department:
        today = context.today()
        for task in views.task_list(store, scope.department, listed, scope.unit)["tasks"]:
            if show == "mine" and task["claimed_by"] != who.actor or \
                    show == "unclaimed" and (task["claimed_by"] or task["status"] != "pending"):
                continue
            rows.append({**task, **deadline(task, today, context, settings.oversight.yellow_share)})
        order = {"red": 0, "yellow": 1, None: 2}
        rows.sort(key=lambda t: (order[t["level"]], t["due_date"] or date.max, t["request_id"]))
    return render("department/worklist.html", principal=who, csrf=csrf_token(who), scope=scope, show=show,
                  listed=listed, tasks=rows, departments=context.catalog.departments,
                  department_name=_department_name(context, scope.department))


def task_page(request: Request, store: Store, context: Context, settings: Settings, request_id: str) -> Response:
    who = require_staff(request, settings, APPROVER, SUPERVISOR)
    return _task(request, store, context, settings, who, scope_of(request, who, context), request_id)


def task_action(request: Request, store: Store, context: Context, settings: Settings, request_id: str,
                action: str) -> Response:
    """One form of the task page: claim, decide, join (the joint inspection) or visit (record it). A refusal of
    the rules is shown on the task page next to its field (422) or as what stands in the way (409)."""
    who = require_staff(request, settings, APPROVER)
    check_csrf(request, who)
    if action not in ACTIONS:
        raise NotFound("action", action, message_zh="没有这个操作", message_en="no such action")
    scope = scope_of(request, who, context)
    form = request.form
    try:
        if action == "claim":
            store.run(worklist.claim_task, scope.department, request_id, ClaimTask(clerk=who.actor), scope.unit)
        elif action == "join":
            store.run(worklist.join_visit, scope.department, request_id, JoinVisit(clerk=who.actor), scope.unit)
        elif action == "visit":
            visit = _model(RecordVisit, {"clerk": who.actor, "attended": form.getlist("attended"),
                                         "findings": form.get("findings", "")})
            store.run(worklist.record_visit, scope.department, request_id, visit,
                      api.visit_audit(request, settings, request_id, visit), scope.unit)
        else:
            command = _model(DecideBody, _decision_fields(form, who))
            store.run(worklist.decide_task, scope.department, request_id, command, context,
                      api.decision_audit(request, settings, request_id, command), scope.unit)
    except (Invalid, Conflict) as refused:
        status = 422 if isinstance(refused, Invalid) else 409
        return _task(request, store, context, settings, who, scope, request_id, status=status,
                     errors=_field_errors(refused, action), entered=form.to_dict(flat=False))
    return redirect(f"/department/tasks/{quote(request_id, safe=':')}?done={action}")


def _decision_fields(form, who: Principal) -> dict[str, Any]:
    reasons = [line.strip() for line in form.get("reasons", "").splitlines() if line.strip()]
    fields: dict[str, Any] = {"decision": form.get("decision", ""), "reasons": reasons, "clerk": who.actor,
                              "legal_basis": form.get("legal_basis", "").strip() or None}
    if form.get("round", "").strip():
        fields["round"] = form.get("round", "").strip()
    days = form.get("supplement_days", "").strip()
    if form.get("decision") == "supplement_requested" and days:
        fields["supplement_days"] = days
    return fields


def _model(model, fields: dict[str, Any]):
    """The command, or the form's field errors (422) in Chinese."""
    try:
        return model.model_validate(fields)
    except ValidationError as invalid:
        problems = problems_from_validation(invalid)
        for p in problems:
            field = p["field"].split(".")[0]
            p["message_zh"] = FIELD_MESSAGES.get(field, p["message_zh"])
        raise Invalid(problems) from None


def _field_errors(refused: Refusal, action: str) -> dict[str, list[str]]:
    """Each problem under the form field it concerns (a decision without reasons: `reasons`)."""
    found: dict[str, list[str]] = {}
    for p in refused.problems:
        name = str(p.get("field") or "").split(".")[0]
        if p.get("code") == "invalid" and name == "request_id":
            name = "reasons"
        found.setdefault(name or action, []).append(str(p.get("message_zh") or p.get("message_en") or ""))
    return found


def _task(request: Request, store: Store, context: Context, settings: Settings, who: Principal, scope: Scope,
          request_id: str, status: int = 200, errors: dict | None = None, entered: dict | None = None) -> Response:
    """The task page; its read (the case's form fields for this item: personal data) is audited under the person."""
    if not scope.department:
        raise NotFound("request_id", request_id)
    task = views.task_detail(store, scope.department, request_id, scope.unit)
    Auditor("approval", settings).record(store, request, "task.read", "task_review", case_id=task["case_id"])
    catalog = context.catalog
    fields = [{"code": code, "label": catalog.fields[code].label if code in catalog.fields else code,
               "value": value} for code, value in (task["form"] or {}).items()]
    materials = [{**m, "name": m.get("name") or (catalog.materials[m["code"]].name
                                                if m.get("code") in catalog.materials else m.get("code", "")),
                  "open": f"/api/v1/files/{quote(m['file_ref'])}?purpose=material_review"
                  if isinstance(m.get("file_ref"), str) and m["file_ref"] and not scope.read_only else None}
                 for m in task["materials"]]
    joint: dict | None = task.get("joint_task")
    lead = (joint.get("lead_department") or joint["departments"][0]) if joint else None
    return render("department/task.html", status=status, principal=who, csrf=csrf_token(who), scope=scope,
                  task={**task, **deadline(task, context.today(), context, settings.oversight.yellow_share)},
                  fields=fields, materials=materials, joint=joint, errors=errors or {}, entered=entered or {},
                  done=request.args.get("done", ""), mine=task["claimed_by"] == who.actor,
                  department_name=_department_name(context, scope.department),
                  name_of=lambda code: _department_name(context, code),
                  is_lead=lead == scope.department,
                  decisions=DECISIONS)


def _department_name(context: Context, code: str | None) -> str:
    department = context.catalog.departments.get(code or "")
    return department.name if department else (code or "")
