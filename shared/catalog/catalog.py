"""The Catalog aggregate: one version of all matters, items, departments, materials and fields."""
from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from .errors import UnknownMatter, UnknownSituation
from .model import Department, FormField, Item, Material, Matter


class Redefinition(BaseModel):
    """A code defined in more than one file; the first definition wins, lint reports the rest."""

    model_config = ConfigDict(frozen=True)
    kind: str
    code: str
    files: list[str]
    same: bool


class Catalog(BaseModel):
    model_config = ConfigDict(frozen=True)

    version: str
    status: Literal["draft", "published"]
    published_on: str | None = None
    digest: str | None = Field(default=None, description="content digest recorded when published")
    content_digest: str | None = Field(default=None, description="content digest of the files as loaded")
    departments: dict[str, Department] = {}
    items: dict[str, Item] = {}
    matters: dict[str, Matter] = {}
    materials: dict[str, Material] = {}
    fields: dict[str, FormField] = {}
    external_licenses: list[str] = Field(
        default=[], description="license types issued outside this catalog (ID card, marriage certificate…)")
    redefinitions: list[Redefinition] = []
    source: str | None = None

    @property
    def published(self) -> bool:
        return self.status == "published"

    @property
    def changed_since_published(self) -> bool:
        return self.published and self.digest != self.content_digest

    def matter(self, code: str) -> Matter:
        try:
            return self.matters[code]
        except KeyError:
            raise UnknownMatter(code) from None

    def items_for(self, matter_code: str, situations: Iterable[str] = ()) -> list[Item]:
        """The matter's applicable items in the matter's order.

        An item applies when its situations are empty or intersect the chosen ones.
        """
        matter = self.matter(matter_code)
        chosen = _checked_situations(matter, situations)
        items = (self.items[code] for code in matter.items if code in self.items)
        return [item for item in items if _applies(matter.situations_of(item), chosen)]

    def department_of(self, item_code: str) -> Department:
        return self.departments[self.items[item_code].department]

    def issued_licenses(self) -> set[str]:
        """License types some item of this catalog issues."""
        return {item.license_type for item in self.items.values() if item.license_type}


def _checked_situations(matter: Matter, situations: Iterable[str]) -> set[str]:
    chosen = set(situations)
    unknown = sorted(chosen - set(matter.situation_codes))
    if unknown:
        raise UnknownSituation(matter.code, unknown)
    return chosen


def _applies(selecting: list[str], chosen: set[str]) -> bool:
    return not selecting or bool(chosen & set(selecting))
