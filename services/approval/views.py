"""Read side of approval: a department's worklist, and the license registry (documents, verification, keys)."""
from __future__ import annotations

from datetime import date, datetime

from services.approval import domain, joint, licenses, sealkeys, seals
from services.approval.worklist import own_task
from shared.config import ApprovalSettings
from shared.errors import NotFound
from shared.messaging import Store


def task_list(store: Store, department: str, status: str = "open", unit: str | None = None) -> dict:
    """The department's tasks (with `unit`: that township/village unit's only)."""
    statuses = domain.status_filter(status)
    with store.unit_of_work() as uow:
        rows = uow.tasks.of_department(department, statuses, unit=unit)
    return {"department": department, "unit": unit, "status": status, "tasks": [task_view(r) for r in rows]}


def task_detail(store: Store, department: str, request_id: str, unit: str | None = None) -> dict:
    """The task, and for a joint item its visit record and who of each department will join."""
    with store.unit_of_work() as uow:
        task = own_task(uow, department, request_id, unit=unit)
        return {**task_view(task), "joint_visit": joint.visit_of(uow, task),
                "joint_participants": joint.participants(uow, task)}


def task_view(r) -> dict:
    request = r.request or {}
    return {"request_id": r.request_id, "case_id": r.case_id, "item_code": r.item_code,
            "item_name": request.get("item_name"), "department": r.department, "unit": r.unit,
            "level": request.get("level"), "status": r.status, "round": r.round, "due_date": r.due_date,
            "case_due_date": request.get("case_due_date"), "promised_days": request.get("promised_days"),
            "claimed_by": r.claimed_by, "decision": r.decision, "reasons": r.reasons, "decided_by": r.decided_by,
            "licenses": r.licenses, "license_type": request.get("license_type"),
            "routing_reason": request.get("routing_reason"), "joint_task": request.get("joint_task"),
            "form": request.get("form", {}), "materials": request.get("materials", []),
            "deferred": request.get("deferred", []), "received_at": r.received_at, "decided_at": r.decided_at, "note": r.note}


def license_list(store: Store, holder: str, license_type: str | None, department: str | None = None) -> dict:
    """The holder's licenses; with `department`, only those that department issued."""
    with store.unit_of_work() as uow:
        rows = [r for r in uow.licenses.of_holder(holder, license_type) if department in (None, r.department)]
    return {"holder": holder, "license_type": license_type, "licenses": [summary(r) for r in rows]}


def summary(r) -> dict:
    c = r.content
    return {"number": r.number, "license_type": r.license_type, "title": c.get("title"), "holder_id": r.holder_id,
            "holder_name": c.get("holder_name"), "issuing_department": r.department,
            "issuing_department_name": c.get("issuing_department_name"), "issued_on": r.issued_on,
            "valid_until": r.valid_until, "status": r.status, "case_id": r.case_id, "item_code": c.get("item_code"),
            "document": f"/api/v1/licenses/{r.number}/document", "verify": f"/api/v1/licenses/{r.number}/verify"}


def document(store: Store, number: str, department: str | None = None) -> dict:
    """The license document: its content, its e-seal (another department's is as unknown as none), its status and
    the sealed records of its changes (revoked, corrected, replaced), each verifiable on its own."""
    with store.unit_of_work() as uow:
        row = uow.licenses.get(number)
        if row is None or department is not None and row.department != department:
            raise NotFound("number", number)
        changes = _records(uow, number)
    return {"content": row.content, "seal": row.seal, "status": row.status, "changes": changes}


def verify_number(store: Store, number: str, today: date) -> dict:
    with store.unit_of_work() as uow:
        row = uow.licenses.get(number)
        if row is None:
            raise NotFound("number", number)
        keys = sealkeys.keys_of(uow, row.department)
        changes = _records(uow, number)
    return licenses.verify_document({"content": row.content, "seal": row.seal}, row, keys, today, changes)


def verify_document(store: Store, document: dict, today: date) -> dict:
    """Verify a downloaded (maybe altered) document against the department's keys and the registry (with the
    registry's change records, and any the document carries)."""
    content = document["content"]
    number = str(content.get("number", ""))
    with store.unit_of_work() as uow:
        row = uow.licenses.get(number)
        keys = sealkeys.keys_of(uow, str(content.get("issuing_department") or ""))
        changes = _records(uow, number) if row is not None else []
    return licenses.verify_document(document, row, keys, today, changes)


def _records(uow, number: str) -> list[dict]:
    return [{"record": c.record, "seal": c.seal} for c in uow.licenses.changes_of(number)]


def seal_keys(store: Store, department: str, settings: ApprovalSettings, known: set[str], now: datetime) -> dict:
    """The department's public keys, current and retired, by key id (its first key is made if it has none)."""
    if department not in known:
        raise NotFound("department", department)
    current = store.run(sealkeys.current_key, department, settings.seal_keys, now)
    with store.unit_of_work() as uow:
        keys = sealkeys.keys_of(uow, department)
    return {"department": department, "algorithm": seals.ALGORITHM, "key_id": current.key_id,
            "public_key": current.public_key, "keys": [k.public_view() for k in reversed(keys)]}
