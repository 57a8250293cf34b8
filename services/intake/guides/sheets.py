"""Print sheets of one matter: the blank form sample (空表样表) and the one-time notice sheet (一次性告知单),
in Chinese or as the Mongolian–Chinese edition (ADR 0030)."""
from __future__ import annotations

from .guide_page import deferral, footer, qr_figure, situation_names, titled, unfetched
from .labels import FIELD_TYPES, days_t, label, spec_t, yuan_t
from .markup import Markup, Name, el, facts, join, lbl, name, nowrap, page, section, t, table

BOX = "□"


def render_form(detail: dict, form: dict, switch: Markup = Markup(""), notice: Markup = Markup("")) -> str:
    """The merged form (every situation's fields) as a blank paper form."""
    rows = ([n, field_label(code, f, form), answer_space(f), field_hint(detail, f)]
            for n, (code, f) in enumerate(form["properties"].items(), 1))
    body = join([
        el("p", t("带 "), el("span", "*", class_="mark"), t(" 的为必填项；同一内容只填一次，各部门共享使用。"),
           class_="note"),
        table([t("序号"), t("填报项"), t("填写内容"), t("说明")], rows, class_="form-sample"),
        signature(t("申请人（签字/盖章）"), t("填表日期")),
    ])
    return page(join([form["title"], t("（空表样表）")]), body, subtitle=name(detail["name"]), nav=_nav(),
                footer=footer(detail), kind="form", text_title=form["title"] + "（空表样表）", switch=switch,
                notice=notice)


def field_label(code: str, field: dict, form: dict) -> Markup:
    required = code in form.get("required", [])
    return join([name(field["title"]), el("span", " *", class_="mark") if required else None])


def answer_space(field: dict) -> Markup:
    """Tick boxes for choices, a date line for dates, an empty cell otherwise."""
    if "enum" in field:
        return el("div", *(el("span", BOX, " ", name(str(value))) for value in field["enum"]), class_="choices")
    if field["type"] == "boolean":
        return el("div", el("span", BOX, " ", t("是")), el("span", BOX, " ", t("否")), class_="choices")
    if field.get("format") == "date":
        return t("　　　　年　　月　　日")
    return el("div", "", class_="blank")


def field_hint(detail: dict, field: dict) -> Markup:
    kind = t("日期") if field.get("format") == "date" else t("单选") if "enum" in field else lbl(
        label(FIELD_TYPES, field["type"]))
    limits = [t("不超过 {n} 字", n=field["maxLength"]) if "maxLength" in field else None,
              t("不小于 {n}", n=f"{field['minimum']:g}") if "minimum" in field else None,
              t("不大于 {n}", n=f"{field['maximum']:g}") if "maximum" in field else None]
    when = situation_names(detail, field_situations(detail, field["x-items"]))
    parts = [kind, *filter(None, limits), join([t("适用："), when])]
    return join([part for n, v in enumerate(parts) for part in ([Markup("；"), v] if n else [v])])


def field_situations(detail: dict, item_codes: list[str]) -> list[str]:
    """Situations in which any of the items asking a field applies; empty when one always applies."""
    selecting = [i["situations"] for i in detail["items"] if i["code"] in item_codes]
    if not selecting or any(not s for s in selecting):
        return []
    return [s["code"] for s in detail["situations"] if any(s["code"] in sel for sel in selecting)]


def render_notice(detail: dict, qr: Markup, switch: Markup = Markup(""), notice: Markup = Markup("")) -> str:
    """Everything the applicant must know, once, on one printable sheet."""
    return page(t("{name}一次性告知单", name=Name(detail["name"])), notice_body(detail, qr),
                subtitle=t("牵头部门：{department}", department=Name(detail["lead_department"]["name"])),
                nav=_nav(), footer=footer(detail), kind="notice", text_title=titled("{name}一次性告知单", detail),
                switch=switch, notice=notice)


def notice_body(detail: dict, qr: Markup) -> Markup:
    """The notice sheet's content (without the page around it): the window workbench prints it too."""
    rows = ([n, material_cell(m), nowrap(spec_t(m["spec"]["form"], m["spec"]["copies"])), lbl(m["source_text"]),
             deferral(m), situation_names(detail, m["situations"]), BOX] for n, m in enumerate(detail["materials"], 1))
    body = join([
        el("div", el("p", t("申请人：＿＿＿＿＿＿＿＿  您申请办理的“{name}”所需材料及要求一次性告知如下。"
                           "除本单所列外，不会要求您提交其他材料；材料不全或不符的，窗口将一次性出具补正告知。"
                           "来源为电子证照库或部门共享的材料由我们调取，您无需提交；", name=Name(detail["name"])),
                     unfetched()),
           qr_figure(qr), class_="with-qr"),
        section(t("申请材料"), table([t("序号"), t("材料名称"), t("形式及份数"), t("来源"), t("容缺受理"), t("适用情形"),
                                      t("已收")], rows, class_="materials")),
        section(t("办理要求"), facts(_requirements(detail))),
        signature(t("告知人（综合窗口）"), t("申请人签收")),
    ])
    return body


def material_cell(material: dict) -> Markup:
    """The material's name with its acceptance conditions underneath."""
    conditions = material["acceptance_conditions"]
    return join([name(material["name"]), el("div", name(conditions), class_="note") if conditions else None])


def _requirements(detail: dict) -> list[tuple[Markup, Markup]]:
    fee = detail["fees"]
    deferrable = any(m["deferrable"] for m in detail["materials"])
    listed = [lbl(c["label"]) for c in detail["channels"]], [lbl(d["label"]) for d in detail["delivery_methods"]]
    return [(t("承诺办结时限"), join([days_t(detail["limits"]["matter_days"]), t("（自受理之日起，按工作日计算）")])),
            (t("收费"), t("免费") if fee["payable"] == 0 else yuan_t(fee["payable"])),
            (t("办理渠道"), _joined(listed[0])),
            (t("结果送达"), _joined(listed[1])),
            *([(t("容缺承诺"), t("容缺材料须签署承诺书，并在期限内补交；逾期未补交的，按承诺书约定处理。"))]
              if deferrable else [])]


def _joined(values: list[Markup]) -> Markup:
    return join([part for n, v in enumerate(values) for part in (["、", v] if n else [v])])


def signature(left: Markup, right: Markup) -> Markup:
    return el("div", el("span", left, "：＿＿＿＿＿＿＿＿"), el("span", right, "：＿＿＿＿年＿＿月＿＿日"),
              class_="sign")


def _nav() -> Markup:
    return join([el("a", t("返回办事指南"), href="../index.html"), el("a", t("一本通"), href="../../index.html")])
