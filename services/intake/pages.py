"""Pages for people: the applicant's status page (phone-friendly) and the printable acceptance receipt, in
Chinese or Mongolian beside Chinese (ADR 0030: the language asked for, else the applicant's, else Chinese)."""
from __future__ import annotations

from html import escape
from urllib.parse import quote

import segno

from shared.i18n import HTML_LANG, N_, noting_drafts, using

from .guides.markup import Label, Name, lbl, name, t

STATUS_ZH = {"submitted": N_("已提交，待初审"), "correction_requested": N_("需补正材料"), "accepted": N_("已受理"),
             "in_approval": N_("部门并联审批中"), "completed": N_("已办结"), "delivered": N_("已送达"),
             "rejected": N_("不予许可"), "withdrawn": N_("已撤回"), "not_accepted": N_("逾期未补正，不予受理")}
ITEM_ZH = {"pending": N_("待办"), "requested": N_("审批中"), "approved": N_("已通过"), "rejected": N_("未通过"),
           "supplement_requested": N_("待补正"), "cancelled": N_("已取消")}
STYLE = """body{font-family:"Noto Sans CJK SC","WenQuanYi Zen Hei","PingFang SC",sans-serif;margin:0;padding:1rem;
max-width:40rem;color:#222}h1{font-size:1.3rem}table{border-collapse:collapse;width:100%}td,th{border:1px solid #bbb;
padding:.4rem;text-align:left;font-size:.95rem}.status{font-size:1.2rem;font-weight:bold;color:#0a5}
.mn,[lang|="mn"]{font-family:"Noto Sans Mongolian","Mongolian Baiti",sans-serif}
.bi{display:inline-flex;align-items:flex-start;gap:.4em;max-width:100%;vertical-align:top}
.bi>.mn{writing-mode:vertical-lr;text-orientation:mixed;max-height:14em;line-height:1.5;flex:0 0 auto}
.lang-switch{font-size:.95rem}.draft{border:1px dashed #a31515;padding:.3rem .6rem;font-size:.9rem}
@page{size:A4;margin:18mm}@media print{body{max-width:none}.lang-switch{display:none}.bi>.mn{max-height:12em}}"""


def track_url(base_url: str, case_id: str, lookup_code: str) -> str:
    return f"{base_url.rstrip('/')}/track/{quote(case_id)}?code={quote(lookup_code)}"


def qr_svg(url: str) -> str:
    return segno.make(url, error="m").svg_inline(scale=4)


def _page(title: str, body: str, switch: str = "", draft: bool = False) -> str:
    notice = (f'<p class="draft">{t("本页蒙古文为译文草稿，尚待旗语言文字工作部门审定；如有出入，以中文为准。")}</p>'
              if draft else "")
    return (f'<!doctype html><html lang="{HTML_LANG["zh"]}"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{escape(title)}</title><style>{STYLE}</style></head><body>{switch}{notice}{body}</body></html>")


def _in(lang: str, make) -> str:
    """Render `make()` in `lang`; the Mongolian edition says when it shows a draft translation."""
    with using(lang):
        with noting_drafts() as drafts:
            body = make()
        return body(bool(drafts)) if callable(body) else body


def _items_table(view: dict) -> str:
    rows = "".join(f"<tr><td>{name(i['name'])}</td><td>{escape(i['department'])}</td>"
                   f"<td>{lbl(ITEM_ZH.get(i['status'], i['status']))}</td></tr>"
                   for i in view["items"])
    return f"<table><tr><th>{t('事项')}</th><th>{t('部门')}</th><th>{t('状态')}</th></tr>{rows}</table>"


def _notice(view: dict) -> str:
    notice = view.get("notice")
    if not notice:
        return ""
    rows = "".join(f"<li>{escape(d['message_zh'])}</li>" for d in notice["deficiencies"])
    return f"<h2>{t('一次性补正告知（请于 {date} 前补正）', date=notice['due_date'])}</h2><ul>{rows}</ul>"


SCORES = {5: N_("非常满意"), 4: N_("满意"), 3: N_("基本满意"), 2: N_("不满意"), 1: N_("非常不满意")}
CONCLUDED = ("completed", "delivered", "rejected")


def _rating(view: dict) -> str:
    """好差评: the form once the case concluded, then the rating given and what a bad one led to."""
    rated, fixed = view.get("rating"), view.get("rectification")
    if fixed:
        return (f"<h2>{t('整改反馈')}</h2><p>{escape(fixed['department'])}（{escape(fixed['closed_on'])}）："
                f"{escape(fixed['note'])}</p>")
    if rated:
        said = Label(SCORES[rated["score"]])
        text = (t("您的评价：{score}，已转交相关部门整改，整改结果将在本页告知。", score=said) if rated["score"] <= 2
                else t("您的评价：{score}。", score=said))
        return f"<h2>{t('服务评价')}</h2><p>{text}</p>"
    if view["status"] not in CONCLUDED:
        return ""
    scores = "".join(f'<label><input type=radio name=score value={n} required> {lbl(label)}</label><br>'
                     for n, label in SCORES.items())
    items = "".join(f'<option value="{escape(i["item_code"])}">{escape(i["name"])}（{escape(i["department"])}）'
                    f"</option>" for i in view["items"])
    return (f'<h2>{t("服务评价（好差评）")}</h2><form class=rating method=post '
            f'action="/track/{quote(view["case_id"])}/rating">'
            f'<input type=hidden name=code value="{escape(view["lookup_code"])}">{scores}'
            f'<p><label>{t("评价的事项：")}<select name=item_code><option value="">{t("整件事")}</option>{items}</select>'
            f'</label></p><p><label>{t("意见建议：")}<br><textarea name=comment maxlength=500 rows=3></textarea>'
            f'</label></p><button type=submit>{t("提交评价")}</button></form>')


JOINT_ZH = {"inspection": N_("联合踏勘"), "review": N_("联合评审"), "acceptance": N_("联合验收")}


def _appointments(view: dict) -> str:
    """The joint inspections booked for the case: when, where, which departments come."""
    rows = "".join(
        "<li>" + t("{kind}：{date} {time}，地点 {place}，参加部门 {departments}",
                   kind=Label(JOINT_ZH.get(a["kind"], a["kind"])), date=a["date"], time=a["time"] or "",
                   place=a["place"] or "", departments="、".join(a["departments"]))
        + "</li>" for a in view.get("joint_appointments") or [])
    return f"<h2>{t('现场踏勘预约')}</h2><ul>{rows}</ul>" if rows else ""


def _taken_at(view: dict) -> str:
    point = view.get("taking_point")
    return f"<p>{t('受理地点：')}{escape(point['name'])}</p>" if point else ""


def _supplements(view: dict) -> str:
    """A department's open supplement request: what it asks, why, by when, and how to supply."""
    blocks = []
    for s in view.get("supplement_requests") or []:
        ways = "".join(f"<li>{escape(w['zh'])}</li>" for w in s["ways_to_supply"])
        title = t("审批部门要求补正：{item}（请于 {date} 前补正，期间审批时限暂停计算）",
                  item=Name(s["item_name"] or s["item_code"]), date=s["due_date"])
        blocks.append(f"<h2>{title}</h2><ul class=reasons>"
                      + "".join(f"<li>{escape(r)}</li>" for r in s["reasons"])
                      + f"</ul><p>{t('补正方式：')}</p><ul>{ways}</ul>")
    return "".join(blocks)


def _rejection(view: dict, code: str) -> str:
    if not view.get("rejection"):
        return ""
    href = f"/track/{quote(view['case_id'])}/decision?code={quote(code)}"
    return f'<p><a class=decision href="{escape(href)}">{t("查看并打印不予行政许可决定书")}</a></p>'


def status_page(view: dict, code: str = "", lang: str = "zh", switch: str = "") -> str:
    def make():
        deadline = view["deadline"]["date"] or None
        due = (t("承诺办结时限：{days} 个工作日，截止 {date}", days=view["promised_days"], date=str(deadline))
               if deadline else t("承诺办结时限：{days} 个工作日，截止受理后计算", days=view["promised_days"]))
        body = (f"<h1>{t('办件进度查询')}</h1><p>{t('办件编号：')}{escape(view['case_id'])}</p>"
                f"<p class=status>{lbl(STATUS_ZH.get(view['status'], view['status']))}</p>"
                f"<p>{due}</p>"
                f"{_taken_at(view)}{_notice(view)}{_supplements(view)}{_rejection(view, code)}{_appointments(view)}"
                f"{_items_table(view)}{_rating(view)}")
        return lambda draft: _page(_title("办件进度查询"), body, switch, draft)
    return _in(lang, make)


def receipt_page(view: dict, matter_name: str, base_url: str, lang: str = "zh") -> str:
    def make():
        body = receipt_body(view, matter_name, base_url)
        return lambda draft: _page(_title("受理回执"), body, "", draft)
    return _in(lang, make)


def notice_body(view: dict) -> str:
    """The case's correction notice as the status page shows it (the window workbench prints it too)."""
    return _notice(view)


def receipt_body(view: dict, matter_name: str, base_url: str) -> str:
    """The receipt's content (without the page around it), in the current language: the window workbench prints
    it too."""
    url = track_url(base_url, view["case_id"], view["lookup_code"])
    deferred = "".join(f"<li>{t('{name}：{date} 前补交', name=Name(d['name']), date=d['due_date'])}</li>"
                       for d in view.get("deferred_materials") or [])
    promised = t("承诺办结：{days} 个工作日（{date} 前）", days=view["promised_days"],
                 date=str(view["deadline"]["date"] or ""))
    return (f"<h1>{t('受理回执')}</h1><p>{t('事项：')}{name(matter_name)}</p>"
            f"<p>{t('办件编号：')}{escape(view['case_id'])}</p>"
            f"<p>{t('查询码：')}{escape(view['lookup_code'])}</p>"
            f"<p>{t('受理日期：')}{escape(str(view['accepted_on'] or ''))}</p>"
            f"{_taken_at(view)}"
            f"<p>{promised}</p>"
            + (f"<h2>{t('容缺材料')}</h2><ul>{deferred}</ul>" if deferred else "")
            + f"{_items_table(view)}<p>{t('扫码查询办理进度：')}</p><div class=qr>{qr_svg(url)}</div>")


def _title(message: str) -> str:
    """The <title>: Chinese, or Mongolian · Chinese."""
    from shared.i18n import current, gettext
    return message if current() == "zh" else f"{gettext(message)} · {message}"
