"""The department workbench's rectifications page (/department/rectifications): the department's own
rectification tasks from bad ratings (ADR 0025), served by oversight, which owns them; an approver closes one
with what was done through the same use case as `POST /api/v1/rectifications/<task_id>/close`
(ratings.close_rectification, scoped to the approver's department), its audit entry naming the person. A
supervisor may look at any department's, read-only."""
from __future__ import annotations

from typing import Any

from pydantic import ValidationError
from werkzeug.wrappers import Request, Response

from services.oversight import ratings
from services.oversight.commands import CloseRectification
from services.oversight.handlers import Context
from shared.audit_edge import Auditor, with_audit
from shared.config import Settings
from shared.errors import NotFound
from shared.messaging import Store
from shared.staff import Forbidden, Principal, check_csrf, csrf_token, require_staff
from shared.web.pages import redirect, render

APPROVER, SUPERVISOR = "department_approver", "supervisor"
STATUSES = ("open", "closed", "all")


def rectifications_page(request: Request, store: Store, context: Context, settings: Settings) -> Response:
    who = require_staff(request, settings, APPROVER, SUPERVISOR)
    return _page(request, store, context, who, _department(request, who, context))


def close(request: Request, store: Store, context: Context, settings: Settings, task_id: str) -> Response:
    """Close the approver's own department's rectification; a note too short or long is shown by its field."""
    who = require_staff(request, settings, APPROVER)
    check_csrf(request, who)
    department = _department(request, who, context)
    try:
        command = CloseRectification.model_validate({"note": request.form.get("note", "")})
    except ValidationError:  # the note is the form's one field: empty or too long
        errors = {task_id: ["请填写整改说明（不超过 1000 字）"]}
        return _page(request, store, context, who, department, status=422, errors=errors,
                     entered={task_id: request.form.get("note", "")})
    case_id = task_id[3:] if task_id.startswith("RT-") else ""
    audit = Auditor("oversight", settings).event(request, "rectification.closed", "rectification", case_id=case_id,
                                                 staff=who.actor, outcome="closed")
    store.run(with_audit(ratings.close_rectification, audit), task_id, command, context, department)
    return redirect("/department/rectifications?closed=" + task_id)


def _department(request: Request, who: Principal, context: Context) -> str:
    if who.role == APPROVER:
        if not who.department:
            raise Forbidden((APPROVER,))  # an approver's account is always bound to a department
        return who.department
    department = (request.args.get("department") or "").strip()
    if department and department not in context.catalog.departments:
        raise NotFound("department", department, message_zh="没有这个部门", message_en="no such department")
    return department


def _page(request: Request, store: Store, context: Context, who: Principal, department: str, status: int = 200,
          **extra: Any) -> Response:
    shown = request.args.get("status", "open") if request.args.get("status") in STATUSES else "open"
    tasks: list[dict] = []
    if department:
        with store.unit_of_work() as uow:
            for row in uow.supervision.rectifications(None if shown == "all" else shown, department):
                rating = uow.supervision.rating(row.case_id)
                item = context.catalog.items.get(row.item_code or "")
                tasks.append({**dict(row._mapping), "comment": rating.comment if rating else "",
                              "item_name": item.name if item else row.item_code,
                              "dimensions": rating.dimensions if rating else {}})
    return render("department/rectifications.html", status=status, principal=who, csrf=csrf_token(who),
                  read_only=who.role != APPROVER, department=department, shown=shown, tasks=tasks,
                  department_name=context.department_name(department) if department else "",
                  departments=context.catalog.departments, today=context.today(),
                  closed=request.args.get("closed", ""), errors=extra.get("errors", {}),
                  entered=extra.get("entered", {}))
