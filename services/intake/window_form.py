"""The window workbench's application form: the one form's JSON Schema as HTML fields, the posted fields back into
the body `POST /api/v1/cases` takes, and problems placed next to their fields.

Nothing here decides whether an application is right: the body is validated by the same pydantic model
(`SubmitCase`), the same submission rules (`domain.check_submission`: ID numbers, situations, channel, taking
point) and the same pre-review (`acceptance.review_of`: the form's JSON Schema, the materials, the library) as
the API's."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

APPLICANT_FIELDS = ("kind", "name", "id_number", "credit_code", "legal_representative", "phone")


@dataclass(frozen=True)
class FormField:
    """One question of the one form, as the page shows it."""
    code: str
    title: str
    kind: str  # text, integer, number, date, enum, boolean
    required: bool
    options: list[str] = field(default_factory=list)
    max_length: int | None = None
    description: str = ""

    @property
    def name(self) -> str:
        return f"form.{self.code}"

    @property
    def input_id(self) -> str:
        return f"f-{self.code}"


def form_fields(schema: dict) -> list[FormField]:
    """The schema's properties in order, with what an input needs (type, choices, length, required)."""
    required = set(schema.get("required", []))
    found = []
    for code, spec in schema.get("properties", {}).items():
        kind = ("enum" if "enum" in spec else "date" if spec.get("format") == "date" else
                {"integer": "integer", "number": "number", "boolean": "boolean"}.get(spec.get("type", ""), "text"))
        found.append(FormField(code, spec.get("title", code), kind, code in required, list(spec.get("enum", [])),
                               spec.get("maxLength"), spec.get("description", "")))
    return found


def read_form(fields: list[FormField], posted: Mapping[str, str]) -> dict[str, Any]:
    """The posted values as JSON values: blanks left out (the schema says whether they were required), numbers
    as numbers when they read as numbers (otherwise kept as typed, for the schema to refuse), 是/否 as booleans."""
    values: dict[str, Any] = {}
    for f in fields:
        raw = (posted.get(f.name) or "").strip()
        if raw == "":
            continue
        values[f.code] = _typed(f.kind, raw)
    return values


def _typed(kind: str, raw: str) -> Any:
    if kind == "boolean":
        return {"true": True, "false": False}.get(raw, raw)
    if kind in ("integer", "number"):
        try:
            return int(raw)
        except ValueError:
            pass
        if kind == "number":
            try:
                return float(raw)
            except ValueError:
                return raw
    return raw


def shown(value: Any) -> str:
    """A form value as the input shows it again."""
    if value is True:
        return "true"
    if value is False:
        return "false"
    return "" if value is None else str(value)


def by_field(problems: list[dict]) -> dict[str, list[str]]:
    """Problems (API problems or pre-review deficiencies) by the field they name, in Chinese. A nested name
    (`materials.3.file_ref`, `applicant.id_number`) is also filed under the name the page uses."""
    found: dict[str, list[str]] = {}
    for p in problems:
        name = p.get("field") or p.get("target") or "body"
        message = p.get("message_zh") or ""
        found.setdefault(name, []).append(message)
    return found


def materials_problems(problems: list[dict], codes: list[str]) -> list[dict]:
    """API problems about `materials.<n>…` (by position in the body) renamed to `materials.<code>`."""
    renamed = []
    for p in problems:
        parts = p.get("field", "").split(".")
        if len(parts) >= 2 and parts[0] == "materials" and parts[1].isdigit() and int(parts[1]) < len(codes):
            p = {**p, "field": f"materials.{codes[int(parts[1])]}"}
        renamed.append(p)
    return renamed
