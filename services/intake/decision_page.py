"""The printable written decision of a rejection (不予许可决定书), A4, as the applicant fetches it with the
lookup code: reasons, legal basis, remedies, the items already approved and their licenses (still valid), the
deciding department, the date, and the department's e-seal (number, key id, signature) to verify it by."""
from __future__ import annotations

from html import escape

STYLE = """body{font-family:"Noto Serif CJK SC","Songti SC","SimSun",serif;margin:0 auto;padding:1.5rem;
max-width:48rem;color:#000;line-height:1.8}h1{text-align:center;font-size:1.6rem;letter-spacing:.3rem}
.number{text-align:center}.seal{margin-top:2rem;text-align:right}.sig{font-family:monospace;font-size:.7rem;
word-break:break-all;color:#444}table{border-collapse:collapse;width:100%}td,th{border:1px solid #000;padding:.3rem}
@page{size:A4;margin:25mm 20mm}@media print{body{max-width:none;padding:0}.noprint{display:none}}"""


def _list(values: list[str]) -> str:
    return "".join(f"<li>{escape(v)}</li>" for v in values)


def _approved(items: list[dict]) -> str:
    if not items:
        return "<p>本案无已准予许可的事项。</p>"
    rows = "".join(f"<tr><td>{escape(i.get('item_name') or i['item_code'])}</td><td>{escape(i['department'])}</td>"
                   f"<td>{escape('、'.join(i.get('licenses') or []) or '（不发证照）')}</td></tr>" for i in items)
    return ("<p>本案下列事项已准予许可，其证照继续有效，不受本决定影响：</p>"
            f"<table class=approved><tr><th>事项</th><th>部门</th><th>证照编号</th></tr>{rows}</table>")


def _seal(document: dict) -> str:
    seal = document.get("seal") or {}
    if not seal:
        return ""
    return (f"<p class=sig>电子印章：{escape(str(seal.get('algorithm')))} 密钥 {escape(str(seal.get('key_id')))}"
            f"<br>签名：{escape(str(seal.get('signature')))}</p>")


def decision_page(case_id: str, matter_name: str, rejection: dict) -> str:
    """The decision as HTML (print it for paper)."""
    document = rejection.get("decision_document") or {}
    content = document.get("content") or {}
    remedies = "".join(f"<p>{escape(r['zh'])}。</p>" for r in content.get("remedies") or [])
    department = content.get("issuing_department_name") or rejection.get("department") or ""
    body = (f"<h1>{escape(content.get('title') or '不予行政许可决定书')}</h1>"
            f"<p class=number>{escape(content.get('number') or '')}</p>"
            f"<p>办件编号：{escape(case_id)}　申请事项：{escape(matter_name)}</p>"
            f"<p>经审查，你（单位）申请的“{escape(rejection.get('item_name') or rejection['item_code'])}”"
            f"不符合法定条件，本机关决定不予许可。理由如下：</p><ol class=reasons>{_list(rejection['reasons'])}</ol>"
            f"<p class=basis>法律依据：{escape(rejection.get('legal_basis') or '')}</p>"
            f"<h2>已准予许可的事项</h2>{_approved(rejection.get('approved_items') or [])}"
            f"<h2>救济途径</h2><div class=remedies>{remedies}</div>"
            f"<div class=seal><p>{escape(department)}（电子印章）</p>"
            f"<p>{escape(rejection.get('decided_on') or content.get('issued_on') or '')}</p></div>{_seal(document)}")
    return (f'<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>不予行政许可决定书</title><style>{STYLE}</style></head><body>{body}</body></html>")
