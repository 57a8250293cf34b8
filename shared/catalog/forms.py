"""The one form (一表申请) of a matter, as JSON Schema draft 2020-12: each field asked once."""
from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from .catalog import Catalog
from .model import FieldConstraints, FieldOverride, FormField, Item

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
JSON_TYPES = {"string": "string", "integer": "integer", "number": "number", "boolean": "boolean",
              "date": "string", "enum": "string"}
NO_OVERRIDE = FieldOverride()
_N = TypeVar("_N", int, float)


def merged_form(catalog: Catalog, matter_code: str, situations: Iterable[str] = ()) -> dict[str, Any]:
    """The unified form for the applicable items; `x-items` names the items asking each field."""
    matter = catalog.matter(matter_code)
    users = field_users(catalog.items_for(matter_code, situations))
    fields = {code: merged_field(catalog.fields[code], items) for code, items in users.items()
              if code in catalog.fields}
    return {
        "$schema": SCHEMA_DIALECT,
        "$id": f"urn:yici:catalog:{catalog.version}:matter:{matter.code}:form",
        "title": f"{matter.name}申请表",
        "type": "object",
        "properties": {code: field_schema(field, users[code]) for code, field in fields.items()},
        "required": [code for code, field in fields.items() if field.required],
        "additionalProperties": False,
    }


def field_users(items: Iterable[Item]) -> dict[str, list[Item]]:
    """Field code -> the items that ask it, in order of first use."""
    users: dict[str, list[Item]] = {}
    for item in items:
        for code in item.fields:
            users.setdefault(code, []).append(item)
    return users


def merged_field(field: FormField, items: list[Item]) -> FormField:
    """The shared field as all its items want it: required if any item requires it, tightest constraints."""
    overrides = [item.field_overrides.get(field.code, NO_OVERRIDE) for item in items]
    required = any(field.required if o.required is None else o.required for o in overrides)
    constraints = field.constraints
    for override in overrides:
        constraints = tighten(constraints, override.constraints) if override.constraints else constraints
    return field.model_copy(update={"required": required, "constraints": constraints})


def tighten(a: FieldConstraints, b: FieldConstraints) -> FieldConstraints:
    """Constraints satisfying both a and b (where they can be combined)."""
    return FieldConstraints(
        max_length=_pick(min, a.max_length, b.max_length), min_length=_pick(max, a.min_length, b.min_length),
        minimum=_pick(max, a.minimum, b.minimum), maximum=_pick(min, a.maximum, b.maximum),
        pattern=a.pattern or b.pattern, format=a.format or b.format,
        enum=[v for v in a.enum if v in b.enum] if a.enum and b.enum else a.enum or b.enum,
    )


def _pick(choose: Callable[[_N, _N], _N], a: _N | None, b: _N | None) -> _N | None:
    return choose(a, b) if a is not None and b is not None else a if a is not None else b


def field_schema(field: FormField, items: list[Item]) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": JSON_TYPES[field.type], "title": field.label}
    if field.description:
        schema["description"] = field.description
    if field.type == "date":
        schema["format"] = "date"
    schema.update(_constraint_keywords(field.constraints))
    return {**schema, "x-pii": field.pii, "x-items": [item.code for item in items]}


def _constraint_keywords(c: FieldConstraints) -> dict[str, Any]:
    keywords = {"maxLength": c.max_length, "minLength": c.min_length, "pattern": c.pattern,
                "minimum": c.minimum, "maximum": c.maximum, "enum": c.enum}
    keywords["x-format"] = c.format
    return {k: _plain(v) for k, v in keywords.items() if v is not None}


def _plain(value: Any) -> Any:
    return int(value) if isinstance(value, float) and value.is_integer() else value
