"""Rules of intake's world: case identity, idempotent submission, status that never goes backwards."""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import uuid
from datetime import date
from typing import Any

from services.intake.commands import SubmitCase
from shared.catalog import Catalog, Matter, UnknownMatter
from shared.errors import Conflict, Invalid, problem
from shared.identifiers import Check, check_credit_code, check_mobile, check_resident_id
from shared.places import TakingPoint, point_problems

CASE_ORDER = {"submitted": 0, "correction_requested": 1, "not_accepted": 2, "accepted": 2, "in_approval": 3,
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


LOOKUP_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # no 0/O, 1/I/L: read off a receipt and typed without doubt
LOOKUP_LENGTH = 12  # 31^12, about 2^59: hopeless to guess even without the attempt limits
MAX_IDEMPOTENCY_KEY = 200


def new_lookup_code() -> str:
    return "".join(secrets.choice(LOOKUP_ALPHABET) for _ in range(LOOKUP_LENGTH))


def lookup_code_matches(given: str, expected: str) -> bool:
    """Typed as printed or in lower case, with spaces or hyphens; the six-digit codes of older cases still count."""
    cleaned = "".join(given.split()).replace("-", "").upper()
    return hmac.compare_digest(cleaned.encode("utf-8", "surrogateescape"), expected.encode())


def idempotency_key_problems(key: str | None) -> list[dict[str, Any]]:
    """An Idempotency-Key, when sent, names one submission: never blank, at most MAX_IDEMPOTENCY_KEY characters."""
    if key is None or (key.strip() and len(key) <= MAX_IDEMPOTENCY_KEY):
        return []
    return [problem("Idempotency-Key", "invalid_idempotency_key",
                    f"幂等键不能为空，且不超过{MAX_IDEMPOTENCY_KEY}个字符",
                    f"the Idempotency-Key must be 1 to {MAX_IDEMPOTENCY_KEY} characters, not blank")]


def foreign_files(materials: list[Any], owners: dict[str, str], allowed: set[str]) -> list[dict[str, Any]]:
    """Problems for materials that name a file uploaded by a client not in `allowed` (the file's owner may use
    it; so may a clerk handling the same case). A reference nobody uploaded is pre-review's to report."""
    return [problem(f"materials.{n}.file_ref", "file_not_yours", "该文件不是由本系统（本申请方）上传的，不能引用",
                    "this file was uploaded by another client and cannot be used here")
            for n, m in enumerate(materials) if m.file_ref in owners and owners[m.file_ref] not in allowed]


def check_hall(hall: str | None, known: tuple[str, ...] | list[str]) -> list[dict[str, Any]]:
    """A pickup hall must be one the county named (its name goes into a government-signed SMS)."""
    if hall is None or hall in known:
        return []
    return [problem("delivery.hall", "unknown_hall", "请选择本旗公布的领取地点",
                    f"the hall must be one of: {'、'.join(known)}")]


def request_hash(command: SubmitCase) -> str:
    """The body's digest; a body without a taking point hashes as before the field existed."""
    body = command.model_dump(mode="json")
    if body.get("taking_point") is None:
        body.pop("taking_point", None)
    if body.get("language") == "zh":
        body.pop("language", None)  # the default: hashes as before the field existed
    canonical = json.dumps(body, sort_keys=True, ensure_ascii=False)
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


def check_submission(catalog: Catalog, command: SubmitCase, points: dict[str, TakingPoint] | None = None,
                     home: str = "150626") -> tuple[Matter, list[dict[str, Any]]]:
    """Rules the whole body must meet before a case exists; returns the matter and warnings. The taking point
    must be one of `points`, and outside the `home` banner the matter must be city-wide (全市通办)."""
    try:
        matter = catalog.matter(command.matter_code)
    except UnknownMatter:
        raise Invalid([problem("matter_code", "unknown_matter", f"未知的一件事：{command.matter_code}",
                               f"unknown matter: {command.matter_code}")])
    problems = _matter_rules(matter, command) + point_problems(
        command.taking_point, command.channel, points or {}, home, matter.citywide)
    identity_problems, warnings = _identity_rules(catalog, command)
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


def _identity_rules(catalog: Catalog, command: SubmitCase) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    checks = _form_id_numbers(catalog, command.form)
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


def form_id_number_problems(catalog: Catalog, form: dict[str, Any]) -> list[dict[str, Any]]:
    """A supplement's form values are held to the same checks as a submission's."""
    return [_as_problem(f, p) for f, c in _form_id_numbers(catalog, form) for p in c.errors]


def _form_id_numbers(catalog: Catalog, form: dict[str, Any]) -> list[tuple[str, Check]]:
    """Form fields that hold an ID number (format resident-id) are checked like the applicant's own."""
    return [(f"form.{code}", check_resident_id(value)) for code, value in form.items()
            if isinstance(value, str) and value and code in catalog.fields
            and catalog.fields[code].constraints.format == "resident-id"]


def _as_problem(field: str, p: Any) -> dict[str, Any]:
    return problem(field, p.code, p.message_zh, p.message_en)
