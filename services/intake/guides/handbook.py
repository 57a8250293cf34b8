"""The handbook (一本通): every matter of the catalog on one page, with links to its guide and sheets."""
from __future__ import annotations

from shared.catalog import Catalog

from .labels import CHANNELS_SHORT, LIFE_CYCLES, days_text, label
from .markup import el, join, nowrap, page, section, table


def render_handbook(catalog: Catalog) -> str:
    """One row per matter, grouped by applicant type (individual, enterprise)."""
    groups = [section(f"{label(LIFE_CYCLES, kind)}事项", _table(catalog, kind), id=kind)
              for kind in ("individual", "enterprise")]
    intro = el("p", f"共 {len(catalog.matters)} 个“一件事”。一次告知、一表申请、一窗受理、一次办成。", class_="note")
    return page("乌审旗“高效办成一件事”办事指南一本通", join([intro, *groups]),
                subtitle="一件事一次办 · 线上线下同源发布", footer=f"目录版本 {catalog.version}", kind="handbook")


def _table(catalog: Catalog, kind: str):
    rows = ([el("a", m.name, href=f"{m.code}/index.html"), catalog.departments[m.lead_department].name
             if m.lead_department in catalog.departments else m.lead_department,
             nowrap(f"{len(m.items)} 项"), nowrap(days_text(m.promised_days)),
             "、".join(label(CHANNELS_SHORT, c) for c in m.channels),
             nowrap(join([el("a", "空表样表", href=f"{m.code}/form/index.html"), " · ",
                          el("a", "告知单", href=f"{m.code}/notice/index.html")]))]
            for m in catalog.matters.values() if m.life_cycle == kind)
    return table(["一件事", "牵头部门", "涉及事项", "承诺时限", "办理渠道", "打印"], rows, class_="matters")
