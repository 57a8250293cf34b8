"""The issuing department revokes (吊销/撤销), corrects (更正) or replaces (换发/补发) its e-license.

Each change is kept with a record sealed by the department's current key, announced as license_changed (intake
forgets a revoked license and follows a replacement) and audited, all in one transaction.
"""
from __future__ import annotations

from datetime import date
from typing import Callable

from services.approval import license_changes, licenses, sealkeys, seals
from services.approval.commands import ChangeLicense, CorrectLicense, ReplaceLicense
from services.approval.handlers import Context
from services.approval.license_changes import CORRECTED, REPLACED, REVOKED
from shared.errors import NotFound
from shared.events import AuditRecorded, LicenseChanged
from shared.messaging import UnitOfWork, utcnow

Audit = Callable[[str, str], AuditRecorded]
"""The audit entry of the change, given the license's case and holder."""


def revoke(uow: UnitOfWork, department: str, number: str, command: ChangeLicense, context: Context,
           audit: Audit) -> dict:
    row = _own_license(uow, department, number)
    record = license_changes.record(number, REVOKED, command.reason, context.today(), department, row.content)
    _change(uow, row, {"status": REVOKED}, record, command.clerk, context, audit)
    return _answer(record, REVOKED)


def correct(uow: UnitOfWork, department: str, number: str, command: CorrectLicense, context: Context,
            audit: Audit) -> dict:
    """The content corrected and sealed again under the same number; copies held before no longer match."""
    row = _own_license(uow, department, number)
    content = license_changes.corrected(row.content, command.corrections.model_dump(mode="json", exclude_unset=True))
    values = {"content": content, "seal": seals.seal(content, _key(uow, department, context)),
              "valid_until": _day(content.get("valid_until"))}
    record = license_changes.record(number, CORRECTED, command.reason, context.today(), department, content)
    _change(uow, row, values, record, command.clerk, context, audit)
    return _answer(record, "valid")


def replace(uow: UnitOfWork, department: str, number: str, command: ReplaceLicense, context: Context,
            audit: Audit) -> dict:
    """A new license (new number, issued today, same validity unless corrected) replaces this one."""
    row = _own_license(uow, department, number)
    today, request_id = context.today(), f"{row.case_id}:replacement:{number}"
    entry = context.catalog.departments.get(department)
    new_number = licenses.license_number(entry.key if entry else department.upper(), today, request_id)
    corrections = command.corrections.model_dump(mode="json", exclude_unset=True) if command.corrections else {}
    content = license_changes.replacement(row.content, new_number, today, corrections)
    uow.licenses.add({"number": new_number, "holder_id": row.holder_id, "license_type": row.license_type,
                      "department": department, "request_id": request_id, "case_id": row.case_id,
                      "issued_on": today, "valid_until": _day(content.get("valid_until")), "status": "valid",
                      "content": content, "seal": seals.seal(content, _key(uow, department, context))})
    record = license_changes.record(number, REPLACED, command.reason, today, department, row.content, new_number,
                                    command.kind)
    _change(uow, row, {"status": REPLACED}, record, command.clerk, context, audit, content.get("valid_until"))
    return _answer(record, REPLACED)


def _own_license(uow: UnitOfWork, department: str, number: str):
    """The department's license, locked (another department's is as unknown as none), still changeable."""
    row = uow.licenses.get(number, for_update=True)
    if row is None or row.department != department:
        raise NotFound("number", number)
    license_changes.check_changeable(row.status, number)
    return row


def _change(uow: UnitOfWork, row, values: dict, record: dict, clerk: str, context: Context, audit: Audit,
            valid_until: str | None = None) -> None:
    sealed = license_changes.sealed(record, _key(uow, row.department, context))
    uow.licenses.change(row.number, values, record, sealed["seal"], clerk)
    until = valid_until if record["action"] == REPLACED else values.get("valid_until", row.valid_until)
    uow.emit(LicenseChanged(case_id=row.case_id, payload={
        "number": row.number, "action": record["action"], "reason": record["reason"],
        "changed_on": record["changed_on"], "department": row.department, "license_type": row.license_type,
        "holder_id": row.holder_id, "replaced_by": record["replaced_by"], "valid_until": until}))
    uow.emit(audit(row.case_id, row.holder_id))


def _key(uow: UnitOfWork, department: str, context: Context):
    return sealkeys.current_key(uow, department, context.settings.seal_keys, utcnow())


def _answer(record: dict, status: str) -> dict:
    number = record["number"]
    return {"number": number, "action": record["action"], "status": status, "reason": record["reason"],
            "changed_on": record["changed_on"], "replaced_by": record["replaced_by"],
            "verify": f"/api/v1/licenses/{number}/verify"}


def _day(value) -> date | None:
    return date.fromisoformat(value) if isinstance(value, str) else value
