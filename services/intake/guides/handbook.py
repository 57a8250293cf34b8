"""The handbook (一本通): every matter of the catalog on one page, with links to its guide and sheets."""
from __future__ import annotations

from shared.catalog import Catalog
from shared.i18n import N_

from .labels import CHANNELS_SHORT, LIFE_CYCLES, days_t, label
from .markup import Label, Markup, el, join, lbl, name, nowrap, page, plain, section, t, table

TITLE = N_("乌审旗“高效办成一件事”办事指南一本通")


def render_handbook(catalog: Catalog, switch: Markup = Markup(""), notice: Markup = Markup("")) -> str:
    """One row per matter, grouped by applicant type (individual, enterprise)."""
    from shared.i18n import current
    groups = [section(t("{kind}事项", kind=Label(label(LIFE_CYCLES, kind))), _table(catalog, kind), id=kind)
              for kind in ("individual", "enterprise")]
    intro = el("p", t("共 {count} 个“一件事”。一次告知、一表申请、一窗受理、一次办成。", count=len(catalog.matters)),
               class_="note")
    text_title = plain(TITLE, "zh") if current() == "zh" else f"{plain(TITLE, current())} · {plain(TITLE, 'zh')}"
    return page(t(TITLE), join([intro, *groups]), subtitle=t("一件事一次办 · 线上线下同源发布"),
                footer=t("目录版本 {version}", version=catalog.version), kind="handbook", text_title=text_title,
                switch=switch, notice=notice)


def _table(catalog: Catalog, kind: str):
    rows = ([el("a", name(m.name), href=f"{m.code}/index.html"), name(catalog.departments[m.lead_department].name)
             if m.lead_department in catalog.departments else m.lead_department,
             nowrap(t("{count} 项", count=len(m.items))), nowrap(days_t(m.promised_days)),
             join([part for n, c in enumerate(m.channels)
                   for part in (["、", lbl(label(CHANNELS_SHORT, c))] if n else [lbl(label(CHANNELS_SHORT, c))])]),
             nowrap(join([el("a", t("空表样表"), href=f"{m.code}/form/index.html"), " · ",
                          el("a", t("告知单"), href=f"{m.code}/notice/index.html")]))]
            for m in catalog.matters.values() if m.life_cycle == kind)
    return table([t("一件事"), t("牵头部门"), t("涉及事项"), t("承诺时限"), t("办理渠道"), t("打印")], rows,
                 class_="matters")
