"""Rules of intake's world: case identity, idempotent submission, status that never goes backwards."""
from __future__ import annotations

import base64
import hashlib
import json
import secrets
import uuid
from datetime import date
from typing import Any

from services.intake.commands import SubmitCase
from shared.catalog import Catalog, Matter, UnknownMatter
from shared.errors import Conflict, Invalid, problem
from shared.identifiers import check_credit_code, check_mobile, check_resident_id

CASE_ORDER = {"submitted": 0, "correction_requested": 1, "accepted": 2, "in_approval": 3,
              "withdrawn": 4, "rejected": 5, "completed": 5, "delivered": 6}
ITEM_ORDER = {"pending": 0, "requested": 1, "supplement_requested": 2, "approved": 3, "rejected": 3,
              "cancelled": 3}
OPEN_STATUSES = ("submitted", "correction_requested", "accepted", "in_approval")  # a case still withdrawable


def holder_of(applicant: Any) -> str | None:
    """Whose e-licenses count for this case: the company's credit code or the person's ID number (a company
    being founded has no credit code yet: its founder's ID number)."""
    number = applicant.credit_code if applicant.kind == "company" and applicant.credit_code else applicant.id_number
    return (number or "").upper() or None


def holder_kind(applicant: Any) -> str:
    """company: holder_id is the company's credit code; person: an ID number (a person's, or a founder's)."""
    return "company" if applicant.kind == "company" and applicant.credit_code else "person"


def new_case_id(today: date) -> str:
    token = base64.b32encode(uuid.uuid4().bytes).decode()[:10]
    return f"YC{today:%Y%m%d}{token}"


def new_lookup_code() -> str:
    return f"{secrets.randbelow(10**6):06d}"


def request_hash(command: SubmitCase) -> str:
    canonical = json.dumps(command.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def check_replay(existing: Any, digest: str) -> None:
    """A repeated Idempotency-Key must come with the same body as the case it made."""
    if existing.request_hash != digest:
        raise Conflict("Idempotency-Key", "idempotency_conflict", "该幂等键已用于内容不同的请求",
                       "this Idempotency-Key was used with a different body")


def merge_materials(current: list[dict[str, Any]], new: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A material supplied again replaces the one given before under its code."""
    by_code = {m["code"]: m for m in current}
    by_code.update({m["code"]: m for m in new})
    return list(by_code.values())


def advance(current: str, new: str, order: dict[str, int]) -> str:
    """Statuses only move forward, so events that arrive late or twice change nothing."""
    return new if order.get(new, 0) > order.get(current, 0) else current


def check_submission(catalog: Catalog, command: SubmitCase) -> tuple[Matter, list[dict[str, Any]]]:
    """Rules the whole body must meet before a case exists; returns the matter and warnings."""
    try:
        matter = catalog.matter(command.matter_code)
    except UnknownMatter:
        raise Invalid([problem("matter_code", "unknown_matter", f"未知的一件事：{command.matter_code}",
                               f"unknown matter: {command.matter_code}")])
    problems = _matter_rules(matter, command)
    identity_problems, warnings = _identity_rules(command)
    if problems or identity_problems:
        raise Invalid(problems + identity_problems)
    return matter, warnings


def _matter_rules(matter: Matter, command: SubmitCase) -> list[dict[str, Any]]:
    problems = []
    known = {s.code for s in matter.situations}
    for n, code in enumerate(command.situations):
        if code not in known:
            problems.append(problem(f"situations.{n}", "unknown_situation", f"该事项没有此办理情形：{code}",
                                    f"unknown situation for this matter: {code}"))
    if command.channel not in matter.channels:
        problems.append(problem("channel", "channel_not_allowed", "该事项不支持此受理渠道",
                                f"channel must be one of {matter.channels}"))
    if command.delivery.method not in matter.delivery_methods:
        problems.append(problem("delivery.method", "delivery_not_allowed", "该事项不支持此送达方式",
                                f"delivery method must be one of {matter.delivery_methods}"))
    return problems


def _identity_rules(command: SubmitCase) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    checks = []
    a = command.applicant
    if a.id_number:
        checks.append(("applicant.id_number", check_resident_id(a.id_number)))
    if a.credit_code:
        checks.append(("applicant.credit_code", check_credit_code(a.credit_code)))
    if a.phone:
        checks.append(("applicant.phone", check_mobile(a.phone)))
    errors = [_as_problem(f, p) for f, c in checks for p in c.errors]
    warnings = [_as_problem(f, p) for f, c in checks for p in c.warnings]
    return errors, warnings


def _as_problem(field: str, p: Any) -> dict[str, Any]:
    return problem(field, p.code, p.message_zh, p.message_en)
