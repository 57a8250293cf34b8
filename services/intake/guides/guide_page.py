"""The guide (办事指南) of one matter, rendered from the same data as `GET /api/v1/matters/{code}`."""
from __future__ import annotations

from .labels import LIFE_CYCLES, days_text, label, yuan_text
from .markup import Markup, bullets, el, facts, join, nowrap, page, section, table


def render_guide(detail: dict, qr: Markup) -> str:
    """The whole guide page; `qr` is the inline QR code of its public URL."""
    body = guide_body(detail, qr)
    nav = join([el("a", "一本通（全部事项）", href="../index.html"), el("a", "空表样表", href="form/index.html"),
                el("a", "一次性告知单", href="notice/index.html"), el("a", "二维码", href="qr.svg")])
    return page(f"{detail['name']}办事指南", body, subtitle=f"牵头部门：{detail['lead_department']['name']}",
                nav=nav, footer=footer(detail))


def guide_body(detail: dict, qr: Markup) -> Markup:
    """The guide's sections (without the page around them): the window workbench shows them too."""
    return join([basics(detail, qr), situations(detail), items(detail), materials(detail),
                 time_limits(detail), fees(detail), channels(detail), reductions(detail)])


def footer(detail: dict) -> str:
    return f"目录版本 {detail['catalog_version']} · 线上线下同源发布 · 事项编码 {detail['code']}"


def qr_figure(qr: Markup) -> Markup:
    return el("figure", qr, el("figcaption", "扫码查看办事指南"), class_="qr")


def situation_names(detail: dict, codes: list[str]) -> str:
    """The labels of the given situations, or 所有情形 when the entry always applies."""
    labels = {s["code"]: s["label"] for s in detail["situations"]}
    return "；".join(labels.get(c, c) for c in codes) if codes else "所有情形"


def basics(detail: dict, qr: Markup) -> Markup:
    cooperating = [d["name"] for d in detail["departments"] if not d["lead"]]
    return section("基本信息", el("div", facts([
        ("服务对象", detail["audience"]), ("对象类型", label(LIFE_CYCLES, detail["life_cycle"])),
        ("牵头部门", detail["lead_department"]["name"]), ("配合部门", "、".join(cooperating) or "无"),
        ("办理层级", "、".join(level["label"] for level in detail["levels"])),
        ("全市通办", "是" if detail["citywide"] else "否"),
        ("承诺办结时限", days_text(detail["limits"]["matter_days"])),
    ], class_="basics"), qr_figure(qr), class_="with-qr"), id="basics")


def situations(detail: dict) -> Markup:
    if not detail["situations"]:
        return section("办理情形", el("p", "本事项不区分办理情形，所列事项均需办理。"), id="situations")
    return section("办理情形", el("p", "以下情形按实际勾选，未勾选的情形对应事项无需办理：", class_="note"),
                   bullets(s["label"] for s in detail["situations"]), id="situations")


def items(detail: dict) -> Markup:
    names = {i["code"]: i["name"] for i in detail["items"]}
    rows = ([n, i["name"], i["department_name"], nowrap(i["item_type"]), nowrap(days_text(i["legal_days"])),
             nowrap(days_text(i["promised_days"])), "、".join(names.get(p, p) for p in i["prerequisites"]) or "无",
             situation_names(detail, i["situations"])] for n, i in enumerate(detail["items"], 1))
    headers = ["序号", "事项名称", "实施部门", "事项类型", "法定时限", "承诺时限", "前置事项", "适用情形"]
    return section("涉及事项与部门", table(headers, rows, class_="items"), id="items")


UNFETCHED = ("其中确实无法调取的（库中无您名下的该证照，或证照库暂时无法访问且超过等待时限），补正告知将逐项说明原因，"
             "您上传该材料的电子件或扫描件即可，不会因此视为材料缺失。")


def materials(detail: dict) -> Markup:
    rows = ([n, m["name"], nowrap(m["spec_text"]), m["source_text"], deferral(m), m["acceptance_conditions"] or "—",
             situation_names(detail, m["situations"])] for n, m in enumerate(detail["materials"], 1))
    headers = ["序号", "材料名称", "材料形式及份数", "来源", "容缺受理", "受理条件", "适用情形"]
    note = el("p", "一套材料：多个事项共用的材料只需提交一次；电子证照库或部门共享可获取的材料免于提交。"
                   + UNFETCHED + "标注“容缺”的材料可在受理后按期补交。", class_="note")
    return section("申请材料（一次性告知）", note, table(headers, rows, class_="materials"), id="materials")


def deferral(material: dict) -> Markup:
    """容缺 mark: whether it may be missing at acceptance, under a commitment, and the supply deadline."""
    if not material["deferrable"]:
        return Markup("—")
    words = ["容缺"] + (["可承诺"] if material["commitment_allowed"] else [])
    days = material["supply_days"]
    suffix = f"，受理后 {days} 个工作日内补交" if days is not None else ""
    return join([el("span", "、".join(words), class_="mark"), suffix])


def time_limits(detail: dict) -> Markup:
    found = detail["limits"]
    excluded = [f"{i['name']}：{s['name']}" for i in detail["items"] for s in i["excluded_steps"]]
    return section("办理时限", facts([
        ("一件事承诺办结时限", days_text(found["matter_days"])),
        ("关键路径", f"{' → '.join(found['critical_path_names']) or '—'}（{days_text(found['critical_path_days'])}）"),
        ("耗时最长的单个事项", f"{found['longest_item_name'] or '—'}（{days_text(found['longest_item_days'])}）"),
        ("各事项分别办理合计", days_text(found["summed_days"])),
        ("不计入时限的环节", "；".join(excluded) or "无"),
    ]), el("p", "时限按工作日计算（法定节假日及周末除外，调休上班日计入）。", class_="note"), id="limits")


def fees(detail: dict) -> Markup:
    fee = detail["fees"]
    rows = [(f["name"], yuan_text(f["fee"])) for f in fee["items"]]
    summary = "不收费" if fee["total"] == 0 else (
        f"合计 {yuan_text(fee['total'])}，由政府承担，申请人免费办理" if fee["waived"] else f"合计 {yuan_text(fee['total'])}")
    return section("收费标准", facts(rows) if rows else Markup(""), el("p", summary), id="fees")


def channels(detail: dict) -> Markup:
    return section("办理渠道与结果送达",
                   facts([("办理渠道", "、".join(c["label"] for c in detail["channels"])),
                          ("送达方式", "、".join(d["label"] for d in detail["delivery_methods"]))]), id="channels")


def reductions(detail: dict) -> Markup:
    rows = ([r["label"], f"{r['before']:g} {r['unit']}", f"{r['after']:g} {r['unit']}", f"{r['saved']:g}"]
            for r in _reduction_rows(detail["reductions"]))
    return section("“五减”成效", table(["指标", "逐项分别办理", "一件事办理", "减少"], rows, class_="reductions"),
                   id="reductions")


def _reduction_rows(found: dict) -> list[dict]:
    return [found[key] for key in ("time", "steps", "form_fields", "materials", "cost", "visits")]
