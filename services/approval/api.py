"""HTTP edge of approval: read the request into a command or query, call one use case, shape the reply."""
from __future__ import annotations

import json

from werkzeug.wrappers import Request, Response

from services.approval import views, worklist
from services.approval.commands import ClaimTask, DecideBody, VerifyDocument
from services.approval.handlers import Context
from shared.api import ApiError, parse_json_body, problem, validate
from shared.messaging import Store, utcnow


def list_tasks(request: Request, store: Store, department: str) -> dict:
    _in_scope(request, department)
    return views.task_list(store, department, request.args.get("status", "open"))


def get_task(request: Request, store: Store, department: str, request_id: str) -> dict:
    _in_scope(request, department)
    return views.task_detail(store, department, request_id)


def claim_task(request: Request, store: Store, department: str, request_id: str) -> dict:
    _in_scope(request, department)
    store.run(worklist.claim_task, department, request_id, parse_json_body(request, ClaimTask))
    return views.task_detail(store, department, request_id)


def decide_task(request: Request, store: Store, context: Context, department: str, request_id: str) -> dict:
    _in_scope(request, department)
    command = parse_json_body(request, DecideBody)
    return store.run(worklist.decide_task, department, request_id, command, context)


def _in_scope(request: Request, department: str) -> None:
    """A department's token reaches its own worklist only."""
    client = request.environ["yici.client"]
    if client is None or client.department != department:
        raise ApiError(403, [problem("department", "other_department", "无权访问其他部门的任务",
                                     "a department cannot see or decide another department's tasks")])


def list_licenses(request: Request, store: Store) -> dict:
    holder = request.args.get("holder")
    if not holder:
        raise ApiError(422, [problem("holder", "missing", "缺少持证主体证件号码", "holder is required")])
    return views.license_list(store, holder.strip().upper(), request.args.get("type"))


def license_document(store: Store, number: str) -> Response:
    """The document as a JSON file to download."""
    body = json.dumps(views.document(store, number), ensure_ascii=False, indent=2)
    return Response(body, mimetype="application/json",
                    headers={"Content-Disposition": f'attachment; filename="{number}.json"'})


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
