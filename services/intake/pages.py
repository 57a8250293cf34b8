"""Pages for people: the applicant's status page (phone-friendly) and the printable acceptance receipt."""
from __future__ import annotations

from html import escape
from urllib.parse import quote

import segno

STATUS_ZH = {"submitted": "已提交，待初审", "correction_requested": "需补正材料", "accepted": "已受理",
             "in_approval": "部门并联审批中", "completed": "已办结", "delivered": "已送达", "rejected": "不予许可",
             "withdrawn": "已撤回", "not_accepted": "逾期未补正，不予受理"}
ITEM_ZH = {"pending": "待办", "requested": "审批中", "approved": "已通过", "rejected": "未通过",
           "supplement_requested": "待补正", "cancelled": "已取消"}
STYLE = """body{font-family:"Noto Sans CJK SC","WenQuanYi Zen Hei","PingFang SC",sans-serif;margin:0;padding:1rem;
max-width:40rem;color:#222}h1{font-size:1.3rem}table{border-collapse:collapse;width:100%}td,th{border:1px solid #bbb;
padding:.4rem;text-align:left;font-size:.95rem}.status{font-size:1.2rem;font-weight:bold;color:#0a5}
@page{size:A4;margin:18mm}@media print{body{max-width:none}}"""


def track_url(base_url: str, case_id: str, lookup_code: str) -> str:
    return f"{base_url.rstrip('/')}/track/{quote(case_id)}?code={quote(lookup_code)}"


def qr_svg(url: str) -> str:
    return segno.make(url, error="m").svg_inline(scale=4)


def _page(title: str, body: str) -> str:
    return (f'<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{escape(title)}</title><style>{STYLE}</style></head><body>{body}</body></html>")


def _items_table(view: dict) -> str:
    rows = "".join(f"<tr><td>{escape(i['name'])}</td><td>{escape(i['department'])}</td>"
                   f"<td>{escape(ITEM_ZH.get(i['status'], i['status']))}</td></tr>" for i in view["items"])
    return f"<table><tr><th>事项</th><th>部门</th><th>状态</th></tr>{rows}</table>"


def _notice(view: dict) -> str:
    notice = view.get("notice")
    if not notice:
        return ""
    rows = "".join(f"<li>{escape(d['message_zh'])}</li>" for d in notice["deficiencies"])
    return f"<h2>一次性补正告知（请于 {escape(notice['due_date'])} 前补正）</h2><ul>{rows}</ul>"


SCORES = {5: "非常满意", 4: "满意", 3: "基本满意", 2: "不满意", 1: "非常不满意"}
CONCLUDED = ("completed", "delivered", "rejected")


def _rating(view: dict) -> str:
    """好差评: the form once the case concluded, then the rating given and what a bad one led to."""
    rated, fixed = view.get("rating"), view.get("rectification")
    if fixed:
        return (f"<h2>整改反馈</h2><p>{escape(fixed['department'])}（{escape(fixed['closed_on'])}）："
                f"{escape(fixed['note'])}</p>")
    if rated:
        after = "，已转交相关部门整改，整改结果将在本页告知" if rated["score"] <= 2 else ""
        return f"<h2>服务评价</h2><p>您的评价：{SCORES[rated['score']]}{after}。</p>"
    if view["status"] not in CONCLUDED:
        return ""
    scores = "".join(f'<label><input type=radio name=score value={n} required> {label}</label><br>'
                     for n, label in SCORES.items())
    items = "".join(f'<option value="{escape(i["item_code"])}">{escape(i["name"])}（{escape(i["department"])}）'
                    f"</option>" for i in view["items"])
    return (f'<h2>服务评价（好差评）</h2><form class=rating method=post action="/track/{quote(view["case_id"])}/rating">'
            f'<input type=hidden name=code value="{escape(view["lookup_code"])}">{scores}'
            f'<p><label>评价的事项：<select name=item_code><option value="">整件事</option>{items}</select></label></p>'
            f'<p><label>意见建议：<br><textarea name=comment maxlength=500 rows=3></textarea></label></p>'
            f"<button type=submit>提交评价</button></form>")


JOINT_ZH = {"inspection": "联合踏勘", "review": "联合评审", "acceptance": "联合验收"}


def _appointments(view: dict) -> str:
    """The joint inspections booked for the case: when, where, which departments come."""
    rows = "".join(f"<li>{escape(JOINT_ZH.get(a['kind'], a['kind']))}：{escape(a['date'])} {escape(a['time'] or '')}，"
                   f"地点 {escape(a['place'] or '另行通知')}，参加部门 {escape('、'.join(a['departments']))}</li>"
                   for a in view.get("joint_appointments") or [])
    return f"<h2>现场踏勘预约</h2><ul>{rows}</ul>" if rows else ""


def _taken_at(view: dict) -> str:
    point = view.get("taking_point")
    return f"<p>受理地点：{escape(point['name'])}</p>" if point else ""


def _supplements(view: dict) -> str:
    """A department's open supplement request: what it asks, why, by when, and how to supply."""
    blocks = []
    for s in view.get("supplement_requests") or []:
        ways = "".join(f"<li>{escape(w['zh'])}</li>" for w in s["ways_to_supply"])
        blocks.append(f"<h2>审批部门要求补正：{escape(s['item_name'] or s['item_code'])}（请于 "
                      f"{escape(s['due_date'])} 前补正，期间审批时限暂停计算）</h2><ul class=reasons>"
                      + "".join(f"<li>{escape(r)}</li>" for r in s["reasons"]) + f"</ul><p>补正方式：</p><ul>{ways}</ul>")
    return "".join(blocks)


def _rejection(view: dict, code: str) -> str:
    if not view.get("rejection"):
        return ""
    href = f"/track/{quote(view['case_id'])}/decision?code={quote(code)}"
    return f'<p><a class=decision href="{escape(href)}">查看并打印不予行政许可决定书</a></p>'


def status_page(view: dict, code: str = "") -> str:
    deadline = view["deadline"]["date"] or "受理后计算"
    body = (f"<h1>办件进度查询</h1><p>办件编号：{escape(view['case_id'])}</p>"
            f"<p class=status>{escape(STATUS_ZH.get(view['status'], view['status']))}</p>"
            f"<p>承诺办结时限：{view['promised_days']} 个工作日，截止 {escape(str(deadline))}</p>"
            f"{_taken_at(view)}{_notice(view)}{_supplements(view)}{_rejection(view, code)}{_appointments(view)}"
            f"{_items_table(view)}{_rating(view)}")
    return _page("办件进度查询", body)


def receipt_page(view: dict, matter_name: str, base_url: str) -> str:
    return _page("受理回执", receipt_body(view, matter_name, base_url))


def notice_body(view: dict) -> str:
    """The case's correction notice as the status page shows it (the window workbench prints it too)."""
    return _notice(view)


def receipt_body(view: dict, matter_name: str, base_url: str) -> str:
    """The receipt's content (without the page around it): the window workbench prints it too."""
    url = track_url(base_url, view["case_id"], view["lookup_code"])
    deferred = "".join(f"<li>{escape(d['name'])}：{escape(d['due_date'])} 前补交</li>"
                       for d in view.get("deferred_materials") or [])
    body = (f"<h1>受理回执</h1><p>事项：{escape(matter_name)}</p><p>办件编号：{escape(view['case_id'])}</p>"
            f"<p>查询码：{escape(view['lookup_code'])}</p><p>受理日期：{escape(str(view['accepted_on'] or ''))}</p>"
            f"{_taken_at(view)}"
            f"<p>承诺办结：{view['promised_days']} 个工作日（{escape(str(view['deadline']['date'] or ''))} 前）</p>"
            + (f"<h2>容缺材料</h2><ul>{deferred}</ul>" if deferred else "")
            + f"{_items_table(view)}<p>扫码查询办理进度：</p><div class=qr>{qr_svg(url)}</div>")
    return body
