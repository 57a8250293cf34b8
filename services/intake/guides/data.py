"""The matter as data: what `GET /api/v1/matters/{code}` and its `/form` return, and what the guides show."""
from __future__ import annotations

from collections.abc import Iterable

from shared.catalog import Catalog, Item, Matter, UnknownMatter
from shared.catalog.forms import merged_form
from shared.catalog.limits import limits
from shared.catalog.materials import MaterialEntry, material_list
from shared.catalog.reductions import reductions
from shared.errors import Invalid, NotFound, problem

from .labels import CHANNELS, DELIVERY, LEVELS, SOURCES, label, labelled, spec_text


def matter_detail(catalog: Catalog, code: str, situations: Iterable[str] = ()) -> dict:
    """Everything a guide shows; without situations, the whole matter (every situation's items)."""
    matter = checked_matter(catalog, code)
    chosen = checked_situations(matter, situations) or matter.situation_codes
    items = catalog.items_for(code, chosen)
    return {
        "catalog_version": catalog.version, "code": matter.code, "name": matter.name,
        "audience": matter.audience, "life_cycle": matter.life_cycle,
        "lead_department": _department(catalog, matter.lead_department),
        "departments": _departments(catalog, matter, items),
        "levels": labelled(LEVELS, matter.levels), "citywide": matter.citywide,
        "situations": [s.model_dump() for s in matter.situations], "situations_applied": chosen,
        "items": [_item(catalog, matter, item) for item in items],
        "materials": [_material(catalog, matter, e) for e in material_list(catalog, code, chosen)],
        "limits": _limits(catalog, code, chosen),
        "fees": _fees(matter, items),
        "channels": labelled(CHANNELS, matter.channels),
        "delivery_methods": labelled(DELIVERY, matter.delivery_methods),
        "reductions": reductions(catalog, code, chosen).model_dump(mode="json"),
        "guide": f"/guides/{matter.code}",
    }


def matter_form(catalog: Catalog, code: str, situations: Iterable[str] = ()) -> dict:
    """The one form for the chosen situations, as JSON Schema 2020-12."""
    matter = checked_matter(catalog, code)
    return merged_form(catalog, matter.code, checked_situations(matter, situations))


def checked_matter(catalog: Catalog, code: str) -> Matter:
    try:
        return catalog.matter(code)
    except UnknownMatter:
        raise NotFound("matter_code", code) from None


def checked_situations(matter: Matter, situations: Iterable[str]) -> list[str]:
    """The chosen situations, de-duplicated in order; refused with one problem per unknown situation."""
    chosen = list(dict.fromkeys(situations))
    unknown = [s for s in chosen if s not in matter.situation_codes]
    if unknown:
        raise Invalid([_unknown_situation(matter, s) for s in unknown])
    return chosen


def _unknown_situation(matter: Matter, situation: str) -> dict:
    known = ", ".join(matter.situation_codes) or "none"
    return problem("situation", "unknown_situation", f"“{matter.name}”没有办理情形：{situation}",
                   f"matter {matter.code!r} has no situation {situation!r} (known: {known})")


def item_situations(catalog: Catalog, matter: Matter, item_codes: list[str]) -> list[str]:
    """The situations under which any of these items applies; empty when one always applies."""
    selecting = [matter.situations_of(catalog.items[code]) for code in item_codes]
    if any(not s for s in selecting):
        return []
    return [s for s in matter.situation_codes if any(s in sel for sel in selecting)]


def _department(catalog: Catalog, code: str) -> dict:
    department = catalog.departments.get(code)
    return {"code": code, "name": department.name if department else code,
            "level": department.level if department else None}


def _departments(catalog: Catalog, matter: Matter, items: list[Item]) -> list[dict]:
    codes = dict.fromkeys([matter.lead_department, *(item.department for item in items)])
    return [{**_department(catalog, code), "lead": code == matter.lead_department} for code in codes]


def _item(catalog: Catalog, matter: Matter, item: Item) -> dict:
    return {"code": item.code, "name": item.name, "department": item.department,
            "department_name": _department(catalog, item.department)["name"], "item_type": item.item_type,
            "legal_days": item.legal_days, "promised_days": item.promised_days, "instant": item.instant,
            "excluded_steps": [step.model_dump() for step in item.excluded_steps],
            "prerequisites": [code for code in item.prerequisites if code in matter.items],
            "situations": matter.situations_of(item), "fee": item.fee,
            "joint_session": item.joint_session, "license_type": item.license_type}


def _material(catalog: Catalog, matter: Matter, entry: MaterialEntry) -> dict:
    return {**entry.model_dump(mode="json"), "spec_text": spec_text(entry.spec.form, entry.spec.copies),
            "source_text": label(SOURCES, entry.source),
            "situations": item_situations(catalog, matter, entry.items)}


def _limits(catalog: Catalog, code: str, situations: list[str]) -> dict:
    found = limits(catalog, code, situations)
    names = {c: catalog.items[c].name for c in [*found.critical_path, found.longest_item] if c}
    return {**found.model_dump(mode="json"), "unit": "working_days",
            "critical_path_names": [names[c] for c in found.critical_path],
            "longest_item_name": names.get(found.longest_item or "")}


def _fees(matter: Matter, items: list[Item]) -> dict:
    total = round(sum(item.fee for item in items), 2)
    return {"items": [{"item": i.code, "name": i.name, "fee": i.fee} for i in items if i.fee],
            "total": total, "waived": matter.fees_waived, "payable": 0 if matter.fees_waived else total}
