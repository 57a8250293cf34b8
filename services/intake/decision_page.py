"""The printable written decision of a rejection (不予许可决定书), A4, as the applicant fetches it with the
lookup code: reasons, legal basis, remedies, the items already approved and their licenses (still valid), the
deciding department, the date, and the department's e-seal (number, key id, signature) to verify it by.

The form's own words are translated (Mongolian beside Chinese in the Mongolian edition, ADR 0030); the
department's reasons, legal basis and remedies are its own words and stay as written (Chinese): the decision
that binds is the Chinese text, which the Mongolian edition says.
"""
from __future__ import annotations

from html import escape

from shared.i18n import HTML_LANG, noting_drafts, using

from .guides.markup import Name, name, t

STYLE = """body{font-family:"Noto Serif CJK SC","Songti SC","SimSun",serif;margin:0 auto;padding:1.5rem;
max-width:48rem;color:#000;line-height:1.8}h1{text-align:center;font-size:1.6rem;letter-spacing:.3rem}
.number{text-align:center}.seal{margin-top:2rem;text-align:right}.sig{font-family:monospace;font-size:.7rem;
word-break:break-all;color:#444}table{border-collapse:collapse;width:100%}td,th{border:1px solid #000;padding:.3rem}
.mn,[lang|="mn"]{font-family:"Noto Sans Mongolian","Mongolian Baiti",sans-serif;letter-spacing:0}
.bi{display:inline-flex;align-items:flex-start;gap:.4em;max-width:100%;vertical-align:top}
.bi>.mn{writing-mode:vertical-lr;text-orientation:mixed;max-height:14em;line-height:1.5;flex:0 0 auto}
.draft{border:1px dashed #000;padding:.3rem .6rem;font-size:.9rem}.lang-switch{font-family:sans-serif}
@page{size:A4;margin:25mm 20mm}@media print{body{max-width:none;padding:0}.noprint,.lang-switch{display:none}
.bi>.mn{max-height:12em}}"""


def _list(values: list[str]) -> str:
    return "".join(f"<li>{escape(v)}</li>" for v in values)


def _approved(items: list[dict]) -> str:
    if not items:
        return f"<p>{t('本案无已准予许可的事项。')}</p>"
    rows = "".join(f"<tr><td>{name(i.get('item_name') or i['item_code'])}</td><td>{escape(i['department'])}</td>"
                   f"<td>{escape('、'.join(i.get('licenses') or [])) if i.get('licenses') else t('（不发证照）')}</td>"
                   f"</tr>" for i in items)
    return (f"<p>{t('本案下列事项已准予许可，其证照继续有效，不受本决定影响：')}</p>"
            f"<table class=approved><tr><th>{t('事项')}</th><th>{t('部门')}</th><th>{t('证照编号')}</th></tr>"
            f"{rows}</table>")


def _seal(document: dict) -> str:
    seal = document.get("seal") or {}
    if not seal:
        return ""
    return (f"<p class=sig>{t('电子印章：')}{escape(str(seal.get('algorithm')))} {t('密钥')} "
            f"{escape(str(seal.get('key_id')))}<br>{t('签名：')}{escape(str(seal.get('signature')))}</p>")


def decision_page(case_id: str, matter_name: str, rejection: dict, lang: str = "zh", switch: str = "") -> str:
    """The decision as HTML (print it for paper); `switch` is the language switch (not printed)."""
    with using(lang) as chosen, noting_drafts() as drafts:
        body = _body(case_id, matter_name, rejection)
        binding = (f'<p class="draft">{t("本决定书以中文文本为准；蒙古文为译文草稿，尚待旗语言文字工作部门审定。")}</p>'
                   if chosen != "zh" and drafts else "")
    return (f'<!doctype html><html lang="{HTML_LANG["zh"]}"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>不予行政许可决定书</title><style>{STYLE}</style></head><body>{switch}{binding}{body}</body></html>")


def _body(case_id: str, matter_name: str, rejection: dict) -> str:
    document = rejection.get("decision_document") or {}
    content = document.get("content") or {}
    remedies = "".join(f"<p>{escape(r['zh'])}。</p>" for r in content.get("remedies") or [])
    department = content.get("issuing_department_name") or rejection.get("department") or ""
    reasoned = t("经审查，你（单位）申请的“{item}”不符合法定条件，本机关决定不予许可。理由如下：",
                 item=Name(rejection.get("item_name") or rejection["item_code"]))
    heading = escape(content["title"]) if content.get("title") else t("不予行政许可决定书")
    return (f"<h1>{heading}</h1>"
            f"<p class=number>{escape(content.get('number') or '')}</p>"
            f"<p>{t('办件编号：')}{escape(case_id)}　{t('申请事项：')}{name(matter_name)}</p>"
            f"<p>{reasoned}</p>"
            f"<ol class=reasons>{_list(rejection['reasons'])}</ol>"
            f"<p class=basis>{t('法律依据：')}{escape(rejection.get('legal_basis') or '')}</p>"
            f"<h2>{t('已准予许可的事项')}</h2>{_approved(rejection.get('approved_items') or [])}"
            f"<h2>{t('救济途径')}</h2><div class=remedies>{remedies}</div>"
            f"<div class=seal><p>{escape(department)}{t('（电子印章）')}</p>"
            f"<p>{escape(rejection.get('decided_on') or content.get('issued_on') or '')}</p></div>{_seal(document)}")
