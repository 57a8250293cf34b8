"""The one material list (一套材料) of a matter: merged and de-duplicated across its items."""
from __future__ import annotations

from collections.abc import Iterable

from pydantic import BaseModel, ConfigDict, computed_field

from .catalog import Catalog
from .model import Material, MaterialSpec
from .plan import plan_edges


class MaterialEntry(BaseModel):
    """One line of the merged list, with the items that need it."""

    model_config = ConfigDict(frozen=True)
    code: str
    name: str
    spec: MaterialSpec
    source: str
    license_type: str | None
    deferrable: bool
    commitment_allowed: bool
    supply_days: int | None
    acceptance_conditions: str
    items: list[str]

    @computed_field  # type: ignore[prop-decorator]  # pydantic's documented idiom
    @property
    def from_registry(self) -> bool:
        """The license registry can supply it: the applicant need not bring it."""
        return self.source == "license_registry"

    @computed_field  # type: ignore[prop-decorator]  # pydantic's documented idiom
    @property
    def applicant_supplies(self) -> bool:
        """Neither the license registry nor another department's data supplies it."""
        return self.source == "applicant"


def material_list(catalog: Catalog, matter_code: str, situations: Iterable[str] = ()) -> list[MaterialEntry]:
    """Every material of the applicable items once, in order of first use; a license an item's prerequisite
    issues inside the plan is delivered there, not asked of anyone (a matter never demands what it issues)."""
    situations = list(situations)
    delivered = delivered_in_plan(catalog, matter_code, situations)
    users: dict[str, list[str]] = {}
    for item in catalog.items_for(matter_code, situations):
        for code in item.materials:
            if (item.code, code) not in delivered:
                users.setdefault(code, []).append(item.code)
    return [_entry(catalog.materials[code], items) for code, items in users.items() if code in catalog.materials]


def _entry(material: Material, items: list[str]) -> MaterialEntry:
    return MaterialEntry(**material.model_dump(exclude={"spec"}), spec=material.spec, items=items)


def upstream(catalog: Catalog, matter_code: str, situations: Iterable[str] = ()) -> dict[str, set[str]]:
    """Each applicable item's prerequisites inside the plan, transitively."""
    edges = plan_edges(catalog, matter_code, situations)
    found: dict[str, set[str]] = {}

    def walk(code: str) -> set[str]:
        if code not in found:
            found[code] = set()  # a cycle (refused by lint) stops here
            found[code] = {p for pre in edges.get(code, []) for p in (pre, *walk(pre))}
        return found[code]

    for code in edges:
        walk(code)
    return found


def delivered_in_plan(catalog: Catalog, matter_code: str, situations: Iterable[str] = ()) -> set[tuple[str, str]]:
    """(item, material) pairs where a prerequisite of the item in this plan issues the material's license."""
    situations = list(situations)
    before = upstream(catalog, matter_code, situations)
    issued_by = {code: catalog.items[code].license_type for code in before}
    pairs = set()
    for item in catalog.items_for(matter_code, situations):
        for code in item.materials:
            material = catalog.materials.get(code)
            if material and material.license_type and any(
                    issued_by.get(pre) == material.license_type for pre in before.get(item.code, ())):
                pairs.add((item.code, code))
    return pairs
