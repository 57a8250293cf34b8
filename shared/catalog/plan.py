"""The approval plan's shape: prerequisite edges and joint sessions among the applicable items."""
from __future__ import annotations

from collections.abc import Iterable

from .catalog import Catalog


def plan_edges(catalog: Catalog, matter_code: str, situations: Iterable[str] = ()) -> dict[str, list[str]]:
    """Each applicable item's prerequisites among the applicable items (others are dropped)."""
    items = catalog.items_for(matter_code, situations)
    applicable = {item.code for item in items}
    return {item.code: [p for p in item.prerequisites if p in applicable] for item in items}


def joint_sessions(catalog: Catalog, matter_code: str, situations: Iterable[str] = ()) -> dict[str, list[str]]:
    """Joint review/inspection id -> the applicable items it serves (only ids shared by two or more)."""
    sessions: dict[str, list[str]] = {}
    for item in catalog.items_for(matter_code, situations):
        if item.joint_session:
            sessions.setdefault(item.joint_session, []).append(item.code)
    return {session: items for session, items in sessions.items() if len(items) > 1}
