"""Changes of an issued e-license (rules, no I/O): revoked (吊销/撤销), corrected (更正), replaced (换发/补发).

Each change is kept as a record sealed by the issuing department like the license itself: the license's number,
the action, the reason, the day, the new license (replaced) and the SHA-256 of the license's content after the
change. A record whose seal fails, or that names another license, makes verification fail.
"""
from __future__ import annotations

import hashlib
from datetime import date
from typing import Any

from services.approval import seals
from services.approval.seals import SealKey
from shared.errors import Conflict, Invalid, problem

REVOKED, CORRECTED, REPLACED, VALID = "revoked", "corrected", "replaced", "valid"
STATUS_AFTER = {REVOKED: REVOKED, REPLACED: REPLACED, CORRECTED: VALID}
CORRECTABLE = ("title", "holder_name", "unit", "remarks", "valid_until")


def content_digest(content: dict) -> str:
    return hashlib.sha256(seals.canonical(content)).hexdigest()


def check_changeable(status: str, number: str) -> None:
    """Only a license in force is revoked, corrected or replaced (a revoked or replaced one is final)."""
    if status != VALID:
        raise Conflict("number", f"license_{status}", f"证照 {number} 已{_ZH.get(status, status)}，不能再变更",
                       f"license {number} is {status}: it can no longer be changed")


def corrected(content: dict, corrections: dict[str, Any]) -> dict:
    """The content with the corrected fields; a correction that changes nothing is refused."""
    changed = {k: v for k, v in corrections.items() if k in CORRECTABLE and content.get(k) != v}
    if not changed:
        raise Invalid([problem("corrections", "nothing_changed", "更正内容与原证照相同", "the corrections change nothing")])
    return {**content, **changed}


def replacement(content: dict, number: str, issued_on: date, corrections: dict[str, Any]) -> dict:
    """The new license's content: the old one's (with any corrections) under its new number, issued today."""
    fields = {k: v for k, v in corrections.items() if k in CORRECTABLE}
    return {**content, **fields, "number": number, "issued_on": issued_on.isoformat(), "replaces": content["number"]}


def record(number: str, action: str, reason: str, changed_on: date, department: str, content_after: dict,
           replaced_by: str | None = None, kind: str | None = None) -> dict:
    """The record's content, as sealed."""
    return {"record": "license_change", "number": number, "action": action, "reason": reason,
            "changed_on": changed_on.isoformat(), "issuing_department": department, "replaced_by": replaced_by,
            "kind": kind, "license_sha256": content_digest(content_after)}


def sealed(record_content: dict, key: SealKey) -> dict:
    return {"record": record_content, "seal": seals.seal(record_content, key)}


def check(number: str, sealed_record: dict, keys: list[SealKey]) -> str | None:
    """None when the record is sealed by one of the department's keys and is about license `number`."""
    content, seal = sealed_record.get("record") or {}, sealed_record.get("seal") or {}
    if content.get("record") != "license_change" or content.get("number") != number:
        return "other_license"
    if content.get("action") not in STATUS_AFTER:
        return "unknown_action"
    return seals.check(content, seal, keys, _date(content.get("changed_on")))


def summary(number: str, sealed_record: dict, keys: list[SealKey]) -> dict:
    """One change as verification shows it, with whether its record verifies."""
    content = sealed_record.get("record") or {}
    problem = check(number, sealed_record, keys)
    return {"action": content.get("action"), "reason": content.get("reason"), "changed_on": content.get("changed_on"),
            "replaced_by": content.get("replaced_by"), "record_valid": problem is None, "record_problem": problem}


def status_of(changes: list[dict]) -> str:
    """The status the sealed records give (the last verified revocation or replacement is final)."""
    status = VALID
    for change in changes:
        if change["record_valid"]:
            status = STATUS_AFTER[change["action"]] if status == VALID else status
    return status


_ZH = {REVOKED: "吊销", REPLACED: "换发"}


def _date(value) -> date | None:
    try:
        return date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None
