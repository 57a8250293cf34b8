"""Print sheets of one matter: the blank form sample (空表样表) and the one-time notice sheet (一次性告知单)."""
from __future__ import annotations

from .guide_page import UNFETCHED, deferral, footer, qr_figure, situation_names
from .labels import FIELD_TYPES, days_text, label, yuan_text
from .markup import Markup, el, facts, join, nowrap, page, section, table

BOX = "□"


def render_form(detail: dict, form: dict) -> str:
    """The merged form (every situation's fields) as a blank paper form."""
    rows = ([n, field_label(code, f, form), answer_space(f), field_hint(detail, f)]
            for n, (code, f) in enumerate(form["properties"].items(), 1))
    body = join([
        el("p", "带 ", el("span", "*", class_="mark"), " 的为必填项；同一内容只填一次，各部门共享使用。", class_="note"),
        table(["序号", "填报项", "填写内容", "说明"], rows, class_="form-sample"),
        signature("申请人（签字/盖章）", "填表日期"),
    ])
    return page(form["title"] + "（空表样表）", body, subtitle=detail["name"], nav=_nav(), footer=footer(detail),
                kind="form")


def field_label(code: str, field: dict, form: dict) -> Markup:
    required = code in form.get("required", [])
    return join([field["title"], el("span", " *", class_="mark") if required else None])


def answer_space(field: dict) -> Markup:
    """Tick boxes for choices, a date line for dates, an empty cell otherwise."""
    if "enum" in field:
        return el("div", *(el("span", f"{BOX} {value}") for value in field["enum"]), class_="choices")
    if field["type"] == "boolean":
        return el("div", el("span", f"{BOX} 是"), el("span", f"{BOX} 否"), class_="choices")
    if field.get("format") == "date":
        return Markup("　　　　年　　月　　日")
    return el("div", "", class_="blank")


def field_hint(detail: dict, field: dict) -> str:
    kind = "日期" if field.get("format") == "date" else "单选" if "enum" in field else label(
        FIELD_TYPES, field["type"])
    limits = [f"不超过 {field['maxLength']} 字" if "maxLength" in field else "",
              f"不小于 {field['minimum']:g}" if "minimum" in field else "",
              f"不大于 {field['maximum']:g}" if "maximum" in field else ""]
    when = situation_names(detail, field_situations(detail, field["x-items"]))
    return "；".join([kind, *filter(None, limits), f"适用：{when}"])


def field_situations(detail: dict, item_codes: list[str]) -> list[str]:
    """Situations in which any of the items asking a field applies; empty when one always applies."""
    selecting = [i["situations"] for i in detail["items"] if i["code"] in item_codes]
    if not selecting or any(not s for s in selecting):
        return []
    return [s["code"] for s in detail["situations"] if any(s["code"] in sel for sel in selecting)]


def render_notice(detail: dict, qr: Markup) -> str:
    """Everything the applicant must know, once, on one printable sheet."""
    return page(f"{detail['name']}一次性告知单", notice_body(detail, qr),
                subtitle=f"牵头部门：{detail['lead_department']['name']}", nav=_nav(), footer=footer(detail),
                kind="notice")


def notice_body(detail: dict, qr: Markup) -> Markup:
    """The notice sheet's content (without the page around it): the window workbench prints it too."""
    rows = ([n, material_cell(m), nowrap(m["spec_text"]), m["source_text"], deferral(m), situation_names(detail, m["situations"]),
             BOX] for n, m in enumerate(detail["materials"], 1))
    body = join([
        el("div", el("p", f"申请人：＿＿＿＿＿＿＿＿  您申请办理的“{detail['name']}”所需材料及要求一次性告知如下。"
                "除本单所列外，不会要求您提交其他材料；材料不全或不符的，窗口将一次性出具补正告知。"
                "来源为电子证照库或部门共享的材料由我们调取，您无需提交；" + UNFETCHED),
           qr_figure(qr), class_="with-qr"),
        section("申请材料", table(["序号", "材料名称", "形式及份数", "来源", "容缺受理", "适用情形", "已收"], rows,
                                  class_="materials")),
        section("办理要求", facts(_requirements(detail))),
        signature("告知人（综合窗口）", "申请人签收"),
    ])
    return body


def material_cell(material: dict) -> Markup:
    """The material's name with its acceptance conditions underneath."""
    conditions = material["acceptance_conditions"]
    return join([material["name"], el("div", conditions, class_="note") if conditions else None])


def _requirements(detail: dict) -> list[tuple[str, str]]:
    fee = detail["fees"]
    deferrable = any(m["deferrable"] for m in detail["materials"])
    return [("承诺办结时限", days_text(detail["limits"]["matter_days"]) + "（自受理之日起，按工作日计算）"),
            ("收费", "免费" if fee["payable"] == 0 else yuan_text(fee["payable"])),
            ("办理渠道", "、".join(c["label"] for c in detail["channels"])),
            ("结果送达", "、".join(d["label"] for d in detail["delivery_methods"])),
            *([("容缺承诺", "容缺材料须签署承诺书，并在期限内补交；逾期未补交的，按承诺书约定处理。")]
              if deferrable else [])]


def signature(left: str, right: str) -> Markup:
    return el("div", el("span", f"{left}：＿＿＿＿＿＿＿＿"), el("span", f"{right}：＿＿＿＿年＿＿月＿＿日"),
              class_="sign")


def _nav() -> Markup:
    return join([el("a", "返回办事指南", href="../index.html"), el("a", "一本通", href="../../index.html")])
