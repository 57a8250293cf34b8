"""Time limits of a matter: the promise, the critical path, the longest item, the sum."""
from __future__ import annotations

from collections.abc import Iterable

from pydantic import BaseModel, ConfigDict, Field

from .catalog import Catalog
from .graph import longest_path
from .plan import plan_edges

__all__ = ["Limits", "limits", "plan_edges"]


class Limits(BaseModel):
    """All in working days, for the items that apply to the chosen situations."""

    model_config = ConfigDict(frozen=True)
    matter_days: int = Field(description="the matter's promised limit")
    critical_path_days: int = Field(description="longest prerequisite chain, by promised_days")
    critical_path: list[str]
    longest_item_days: int
    longest_item: str | None
    summed_days: int = Field(description="the items' promised limits added up (handled one by one)")


def limits(catalog: Catalog, matter_code: str, situations: Iterable[str] = ()) -> Limits:
    situations = list(situations)
    items = catalog.items_for(matter_code, situations)
    days = {item.code: item.promised_days for item in items}
    path_days, path = longest_path(days, plan_edges(catalog, matter_code, situations))
    longest = max(items, key=lambda item: item.promised_days, default=None)
    return Limits(
        matter_days=catalog.matter(matter_code).promised_days,
        critical_path_days=path_days, critical_path=path,
        longest_item_days=longest.promised_days if longest else 0,
        longest_item=longest.code if longest else None,
        summed_days=sum(days.values()),
    )
