"""The one material list (一套材料) of a matter: merged and de-duplicated across its items."""
from __future__ import annotations

from collections.abc import Iterable

from pydantic import BaseModel, ConfigDict, computed_field

from .catalog import Catalog
from .model import Material, MaterialSpec


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
    """Every material of the applicable items once, in order of first use."""
    users: dict[str, list[str]] = {}
    for item in catalog.items_for(matter_code, situations):
        for code in item.materials:
            users.setdefault(code, []).append(item.code)
    return [_entry(catalog.materials[code], items) for code, items in users.items() if code in catalog.materials]


def _entry(material: Material, items: list[str]) -> MaterialEntry:
    return MaterialEntry(**material.model_dump(exclude={"spec"}), spec=material.spec, items=items)
