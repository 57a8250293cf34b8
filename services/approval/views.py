"""The license registry's read side: a holder's licenses, the sealed document, verification, seal keys."""
from __future__ import annotations

import json
from datetime import date

from werkzeug.wrappers import Response

from services.approval import licenses, seals
from shared.api import ApiError, not_found, problem
from shared.config import ApprovalSettings
from shared.messaging import Store


def license_list(store: Store, holder: str | None, license_type: str | None) -> dict:
    if not holder:
        raise ApiError(422, [problem("holder", "missing", "缺少持证主体证件号码", "holder is required")])
    with store.unit_of_work() as uow:
        rows = uow.licenses.of_holder(holder.strip().upper(), license_type)
    return {"holder": holder.strip().upper(), "license_type": license_type, "licenses": [summary(r) for r in rows]}


def summary(r) -> dict:
    c = r.content
    return {"number": r.number, "license_type": r.license_type, "title": c.get("title"), "holder_id": r.holder_id,
            "holder_name": c.get("holder_name"), "issuing_department": r.department,
            "issuing_department_name": c.get("issuing_department_name"), "issued_on": r.issued_on,
            "valid_until": r.valid_until, "status": r.status, "case_id": r.case_id, "item_code": c.get("item_code"),
            "document": f"/api/v1/licenses/{r.number}/document", "verify": f"/api/v1/licenses/{r.number}/verify"}


def document(store: Store, number: str) -> Response:
    """The license document: its content and its e-seal, as a JSON file to download."""
    row = _get(store, number)
    body = json.dumps({"content": row.content, "seal": row.seal}, ensure_ascii=False, indent=2)
    return Response(body, mimetype="application/json",
                    headers={"Content-Disposition": f'attachment; filename="{number}.json"'})


def verify_number(store: Store, number: str, settings: ApprovalSettings, today: date) -> dict:
    row = _get(store, number)
    return licenses.verify_document({"content": row.content, "seal": row.seal}, row, settings, today)


def verify_document(store: Store, body: dict, settings: ApprovalSettings, today: date) -> dict:
    """Verify a downloaded (maybe altered) document against the department's key and the registry."""
    if not isinstance(body, dict) or not isinstance(body.get("content"), dict):
        raise ApiError(422, [problem("content", "missing", "缺少证照内容", "the document needs content and seal")])
    with store.unit_of_work() as uow:
        row = uow.licenses.get(str(body["content"].get("number", "")))
    return licenses.verify_document(body, row, settings, today)


def seal_key(department: str, settings: ApprovalSettings, known: set[str]) -> dict:
    if department not in known:
        raise not_found("department", department)
    public = seals.public_key_b64(department, settings)
    return {"department": department, "algorithm": seals.ALGORITHM, "public_key": public,
            "key_id": seals.key_id(public)}


def _get(store: Store, number: str):
    with store.unit_of_work() as uow:
        row = uow.licenses.get(number)
    if row is None:
        raise not_found("number", number)
    return row
