"""The guide (办事指南) of one matter, rendered from the same data as `GET /api/v1/matters/{code}`.

Every text goes through `t()` (gettext, ADR 0030): the Chinese edition is Chinese only, the Mongolian edition
shows each text in traditional Mongolian (vertical) beside the Chinese.
"""
from __future__ import annotations

from .labels import LIFE_CYCLES, days_t, label, spec_t, yuan_t
from .markup import Markup, Name, bullets, el, facts, join, lbl, name, names, nowrap, page, plain, section, t, table


def render_guide(detail: dict, qr: Markup, switch: Markup = Markup(""), notice: Markup = Markup("")) -> str:
    """The whole guide page; `qr` is the inline QR code of its public URL."""
    body = guide_body(detail, qr)
    nav = join([el("a", t("一本通（全部事项）"), href="../index.html"), el("a", t("空表样表"), href="form/index.html"),
                el("a", t("一次性告知单"), href="notice/index.html"), el("a", t("二维码"), href="qr.svg")])
    return page(t("{name}办事指南", name=Name(detail["name"])), body,
                subtitle=t("牵头部门：{department}", department=Name(detail["lead_department"]["name"])),
                nav=nav, footer=footer(detail), text_title=titled("{name}办事指南", detail), switch=switch,
                notice=notice)


def guide_body(detail: dict, qr: Markup) -> Markup:
    """The guide's sections (without the page around them): the window workbench shows them too."""
    return join([basics(detail, qr), situations(detail), items(detail), materials(detail),
                 time_limits(detail), fees(detail), channels(detail), reductions(detail)])


def titled(message: str, detail: dict) -> str:
    """The <title> text: Chinese, or Mongolian · Chinese in the Mongolian edition."""
    from shared.i18n import current
    zh = plain(message, "zh", name=Name(detail["name"]))
    return zh if current() == "zh" else f"{plain(message, current(), name=Name(detail['name']))} · {zh}"


def footer(detail: dict) -> Markup:
    return t("目录版本 {version} · 线上线下同源发布 · 事项编码 {code}", version=detail["catalog_version"],
             code=detail["code"])


def qr_figure(qr: Markup) -> Markup:
    return el("figure", qr, el("figcaption", t("扫码查看办事指南")), class_="qr")


def situation_names(detail: dict, codes: list[str]) -> Markup:
    """The labels of the given situations, or 所有情形 when the entry always applies."""
    labels = {s["code"]: s["label"] for s in detail["situations"]}
    if not codes:
        return t("所有情形")
    return join([part for n, c in enumerate(codes) for part in ([Markup("；"), name(labels.get(c, c))] if n
                                                                 else [name(labels.get(c, c))])])


def basics(detail: dict, qr: Markup) -> Markup:
    cooperating = [d["name"] for d in detail["departments"] if not d["lead"]]
    return section(t("基本信息"), el("div", facts([
        (t("服务对象"), name(detail["audience"])), (t("对象类型"), lbl(label(LIFE_CYCLES, detail["life_cycle"]))),
        (t("牵头部门"), name(detail["lead_department"]["name"])), (t("配合部门"), names(cooperating, empty="无")),
        (t("办理层级"), join(lbl(level["label"]) for level in detail["levels"])),
        (t("全市通办"), t("是") if detail["citywide"] else t("否")),
        (t("承诺办结时限"), days_t(detail["limits"]["matter_days"])),
    ], class_="basics"), qr_figure(qr), class_="with-qr"), id="basics")


def situations(detail: dict) -> Markup:
    if not detail["situations"]:
        return section(t("办理情形"), el("p", t("本事项不区分办理情形，所列事项均需办理。")), id="situations")
    return section(t("办理情形"), el("p", t("以下情形按实际勾选，未勾选的情形对应事项无需办理："), class_="note"),
                   bullets(name(s["label"]) for s in detail["situations"]), id="situations")


def items(detail: dict) -> Markup:
    by_code = {i["code"]: i["name"] for i in detail["items"]}
    rows = ([n, name(i["name"]), name(i["department_name"]), nowrap(lbl(i["item_type"])),
             nowrap(days_t(i["legal_days"])), nowrap(days_t(i["promised_days"])),
             names([by_code.get(p, p) for p in i["prerequisites"]], empty="无"),
             situation_names(detail, i["situations"])] for n, i in enumerate(detail["items"], 1))
    headers = [t("序号"), t("事项名称"), t("实施部门"), t("事项类型"), t("法定时限"), t("承诺时限"), t("前置事项"),
               t("适用情形")]
    return section(t("涉及事项与部门"), table(headers, rows, class_="items"), id="items")


def unfetched() -> Markup:
    return t("其中确实无法调取的（库中无您名下的该证照，或证照库暂时无法访问且超过等待时限），补正告知将逐项说明原因，"
             "您上传该材料的电子件或扫描件即可，不会因此视为材料缺失。")


def materials(detail: dict) -> Markup:
    rows = ([n, name(m["name"]), nowrap(spec_t(m["spec"]["form"], m["spec"]["copies"])), lbl(m["source_text"]),
             deferral(m), name(m["acceptance_conditions"]) if m["acceptance_conditions"] else "—",
             situation_names(detail, m["situations"])]
            for n, m in enumerate(detail["materials"], 1))
    headers = [t("序号"), t("材料名称"), t("材料形式及份数"), t("来源"), t("容缺受理"), t("受理条件"), t("适用情形")]
    note = el("p", t("一套材料：多个事项共用的材料只需提交一次；电子证照库或部门共享可获取的材料免于提交。"), unfetched(),
              t("标注“容缺”的材料可在受理后按期补交。"), class_="note")
    return section(t("申请材料（一次性告知）"), note, table(headers, rows, class_="materials"), id="materials")


def deferral(material: dict) -> Markup:
    """容缺 mark: whether it may be missing at acceptance, under a commitment, and the supply deadline."""
    if not material["deferrable"]:
        return Markup("—")
    words = t("容缺、可承诺") if material["commitment_allowed"] else t("容缺")
    days = material["supply_days"]
    suffix = t("，受理后 {days} 个工作日内补交", days=days) if days is not None else None
    return join([el("span", words, class_="mark"), suffix])


def time_limits(detail: dict) -> Markup:
    found = detail["limits"]
    excluded = [join([name(i["name"]), "：", s["name"]]) for i in detail["items"] for s in i["excluded_steps"]]
    path = join([part for n, v in enumerate(found["critical_path_names"]) for part in ([" → ", name(v)] if n
                                                                                        else [name(v)])])
    return section(t("办理时限"), facts([
        (t("一件事承诺办结时限"), days_t(found["matter_days"])),
        (t("关键路径"), join([path or "—", "（", days_t(found["critical_path_days"]), "）"])),
        (t("耗时最长的单个事项"), join([name(found["longest_item_name"]) if found["longest_item_name"] else "—", "（",
                                    days_t(found["longest_item_days"]), "）"])),
        (t("各事项分别办理合计"), days_t(found["summed_days"])),
        (t("不计入时限的环节"), join(part for n, v in enumerate(excluded) for part in ([Markup("；"), v] if n else [v]))
         if excluded else t("无")),
    ]), el("p", t("时限按工作日计算（法定节假日及周末除外，调休上班日计入）。"), class_="note"), id="limits")


def fees(detail: dict) -> Markup:
    fee = detail["fees"]
    rows = [(name(f["name"]), yuan_t(f["fee"])) for f in fee["items"]]
    total = f"{fee['total']:g}"
    summary = t("不收费") if fee["total"] == 0 else (
        t("合计 {total} 元，由政府承担，申请人免费办理", total=total) if fee["waived"] else t("合计 {total} 元", total=total))
    return section(t("收费标准"), facts(rows) if rows else Markup(""), el("p", summary), id="fees")


def channels(detail: dict) -> Markup:
    return section(t("办理渠道与结果送达"),
                   facts([(t("办理渠道"), labels_joined(c["label"] for c in detail["channels"])),
                          (t("送达方式"), labels_joined(d["label"] for d in detail["delivery_methods"]))]),
                   id="channels")


def labels_joined(values) -> Markup:
    found = [lbl(v) for v in values]
    return join([part for n, v in enumerate(found) for part in (["、", v] if n else [v])])


def reductions(detail: dict) -> Markup:
    rows = ([lbl(r["label"]), join([f"{r['before']:g} ", lbl(r["unit"])]), join([f"{r['after']:g} ", lbl(r["unit"])]),
             f"{r['saved']:g}"]
            for r in _reduction_rows(detail["reductions"]))
    return section(t("“五减”成效"), table([t("指标"), t("逐项分别办理"), t("一件事办理"), t("减少")], rows,
                                          class_="reductions"), id="reductions")


def _reduction_rows(found: dict) -> list[dict]:
    return [found[key] for key in ("time", "steps", "form_fields", "materials", "cost", "visits")]
