"""Ledger and survey as CSV and HTML (server-rendered, no scripts, no build step)."""
from __future__ import annotations

import csv
import io
from html import escape

from services.oversight.ledger import REDUCTIONS

COLUMNS = [("received", "收件"), ("accepted", "受理"), ("corrected", "补正"), ("completed", "办结"),
           ("rejected", "不予许可"), ("on_time_rate", "按时办结率"), ("average_working_days", "平均用时（工作日）"),
           ("warnings_yellow", "黄牌预警"), ("warnings_red", "红牌预警"), ("ratings", "评价数"),
           ("average_rating", "平均评分"), ("bad_ratings", "差评数"), ("not_accepted", "不予受理"),
           ("commitments_missed", "承诺失信")]
REDUCTION_LABELS = {"time_days": "减时限（工作日）", "steps": "减环节", "form_fields": "减填报项",
                    "materials": "减材料（份）", "cost_yuan": "减成本（元）", "visits": "减跑动（次）"}
GROUP_LABELS = {"matter": "一件事", "department": "部门", "channel": "受理渠道", "level": "层级", "taking_point": "受理点"}
STYLE = """
body{font-family:"Noto Sans CJK SC","Noto Sans SC","WenQuanYi Zen Hei",sans-serif;margin:1.5rem;color:#1b1b1b}
h1{font-size:1.5rem}h2{font-size:1.15rem;margin-top:2rem;border-bottom:2px solid #b71c1c;padding-bottom:.2rem}
table{border-collapse:collapse;margin:.5rem 0;font-size:.9rem}th,td{border:1px solid #ccc;padding:.3rem .5rem}
th{background:#f3f3f3}td.n{text-align:right}tr.total td{font-weight:bold;background:#fafafa}
.red{color:#fff;background:#c62828;padding:0 .4rem;border-radius:3px}tr.warning-red td{background:#fdecea}
.yellow{background:#f9a825;padding:0 .4rem;border-radius:3px}.muted{color:#666;font-size:.85rem}
.figures{display:flex;gap:1rem;flex-wrap:wrap}.figure{border:1px solid #ddd;padding:.6rem 1rem;min-width:8rem}
.figure b{display:block;font-size:1.6rem}
"""


def page(title: str, body: str) -> str:
    return (f'<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>{escape(title)}</title>'
            f'<meta name="viewport" content="width=device-width, initial-scale=1"><style>{STYLE}</style></head>'
            f'<body>{body}</body></html>')


def cell(value) -> str:
    if value is None:
        return '<td class="n">—</td>'
    if isinstance(value, (int, float)):
        return f'<td class="n">{value:g}</td>'
    return f"<td>{escape(str(value))}</td>"


def _ratio_cell(key: str, value) -> str:
    if key == "on_time_rate" and value is not None:
        return f'<td class="n">{value:.1%}</td>'
    if key in ("average_working_days", "average_rating") and value is not None:
        return f'<td class="n">{value:.2f}</td>'
    return cell(value)


def ledger_table(report: dict) -> str:
    head = "".join(f"<th>{escape(label)}</th>" for _, label in COLUMNS)
    head += "".join(f"<th>{escape(REDUCTION_LABELS[k])}</th>" for k in REDUCTIONS)
    rows = [_row(r["label"], r) for r in report["rows"]] + [_row("合计", report["totals"], "total")]
    group = escape(GROUP_LABELS[report["by"]])
    return (f'<table class="ledger" data-by="{escape(report["by"])}"><thead><tr><th>{group}</th>{head}</tr></thead>'
            f'<tbody>{"".join(rows)}</tbody></table>')


def _row(label: str, figures: dict, css: str = "") -> str:
    cells = "".join(_ratio_cell(k, figures[k]) for k, _ in COLUMNS)
    cells += "".join(cell(figures["reductions"][k]) for k in REDUCTIONS)
    return f'<tr class="{css}"><td>{escape(label)}</td>{cells}</tr>'


def ledger_html(report: dict) -> str:
    period = report["period"]
    title = f"乌审旗“一件事一次办”台账 · {period['label']} · 按{GROUP_LABELS[report['by']]}"
    body = (f"<h1>{escape(title)}</h1><p class=muted>{escape(period['start'])} 至 {escape(period['end'])}</p>"
            f"{ledger_table(report)}<h2>口径说明</h2><p class=muted>{escape(report['definitions'])}</p>")
    return page(title, body)


def ledger_csv(report: dict) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([f"{GROUP_LABELS[report['by']]}({report['by']})", "代码(key)"]
                    + [f"{label}({key})" for key, label in COLUMNS]
                    + [f"{REDUCTION_LABELS[k]}({k})" for k in REDUCTIONS])
    for row in report["rows"] + [{"label": "合计", "key": "total", **report["totals"]}]:
        writer.writerow([row["label"], row["key"]] + [_csv(row[k]) for k, _ in COLUMNS]
                        + [_csv(row["reductions"][k]) for k in REDUCTIONS])
    return "\ufeff" + out.getvalue()


def _csv(value) -> str:
    return "" if value is None else f"{value:g}" if isinstance(value, (int, float)) else str(value)


def survey_html(survey: dict) -> str:
    rows = "".join(f"<tr><td>{escape(d['label'])}（{d['score']}分）</td>{cell(d['count'])}</tr>"
                   for d in survey["distribution"])
    dims = "".join(f"<tr><td>{escape(d['label'])}</td>{cell(d['ratings'])}{_ratio_cell('average_rating', d['average'])}</tr>"
                   for d in survey["dimensions"])
    rate = "—" if survey["satisfaction_rate"] is None else f"{survey['satisfaction_rate']:.1%}"
    return (f'<div class="figures"><div class="figure">评价数<b>{survey["ratings"]}</b></div>'
            f'<div class="figure">满意率<b>{rate}</b></div>'
            f'<div class="figure">平均分<b>{survey["average"] if survey["average"] is not None else "—"}</b></div></div>'
            f'<table class="survey"><tr><th>评价</th><th>件数</th></tr>{rows}</table>'
            f'<table class="dimensions"><tr><th>评价维度</th><th>件数</th><th>平均分</th></tr>{dims}</table>')
