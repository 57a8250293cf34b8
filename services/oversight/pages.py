"""The supervisors' page (电子监察): today's intake, cases near or past their limits, ratings, the ledger.

Server-rendered HTML. A supervisor signs in once with a token; the cookie holds a session id (see signin.py).
"""
from __future__ import annotations

import time
from datetime import date
from html import escape

from werkzeug.wrappers import Request, Response

from services.oversight import commitments, signin
from services.oversight.handlers import Context
from services.oversight.periods import Period
from services.oversight.render import ledger_table, page, survey_html
from services.oversight.reports import ledger_report, survey_report
from services.oversight.views import warning_dict
from shared.api import caller_address
from shared.config import Client, Settings
from shared.errors import TooManyAttempts
from shared.messaging import Store
from shared.staff import Principal, csrf_token, staff_principal

COOKIE = signin.COOKIE
SCOPES = {"case": "整件", "item": "事项", "rectification": "差评整改", "commitment": "容缺补交"}
LEVELS = {"yellow": "黄牌", "red": "红牌"}


def supervisor(request: Request, settings: Settings, store: Store) -> Client | None:
    """A supervisor's bearer token (API clients), a signed-in supervisor (staff account), or the session a token
    sign-in gave (the cookie holds its id)."""
    person = staff_principal(request, settings)
    if person is not None and person.role == "supervisor":
        return person.as_client()
    header = request.headers.get("Authorization", "")
    if header.startswith("Bearer "):
        client = settings.client_for_token(header[7:].strip())
        return client if client is not None and client.role == "supervisor" else None
    session_id = request.cookies.get(COOKIE, "")
    if not session_id:
        return None
    with store.unit_of_work() as uow:
        return signin.signed_in(uow, session_id, settings, time.time())


def login_page(error: str = "", status: int = 200, headers: dict | None = None) -> Response:
    message = f'<p class="red" role="alert">{escape(error)}</p>' if error else ""
    body = ('<h1>电子监察 · 登录</h1>' + message +
            '<form method="post" action="/oversight/login"><label>监察人员访问令牌 '
            '<input type="password" name="token" autocomplete="off" required></label> '
            '<button type="submit">登录</button></form>'
            '<p>有工作人员账号的，请<a href="/staff/signin?next=/oversight">用账号登录</a>。</p>')
    return Response(page("电子监察 · 登录", body), status=status, mimetype="text/html",
                    headers={"Cache-Control": "no-store", **(headers or {})})


def login(request: Request, settings: Settings, store: Store) -> Response:
    """A wrong token is counted (committed) before the 401; too many from one address, and it waits (429)."""
    token = (request.form.get("token") or "").strip()
    try:
        outcome = store.run(signin.sign_in, token, caller_address(request), settings, time.time())
    except TooManyAttempts as refused:
        return login_page(f"错误尝试过多，请于{refused.retry_after}秒后再试", 429,
                          {"Retry-After": str(refused.retry_after)})
    if outcome.session_id is None:
        return login_page("令牌无效或无监察权限", 401)
    response = Response(status=303, headers={"Location": "/oversight", "Cache-Control": "no-store"})
    response.set_cookie(COOKIE, outcome.session_id, httponly=True, samesite="Strict", path="/oversight",
                        max_age=int(settings.oversight.session_hours * 3600), secure=signin.secure_cookie(settings))
    return response


def logout(request: Request, settings: Settings, store: Store) -> Response:
    """The session ends here, server-side; the cookie is cleared too."""
    store.run(signin.sign_out, request.cookies.get(COOKIE, ""))
    response = redirect_to_login()
    response.delete_cookie(COOKIE, path="/oversight", httponly=True, samesite="Strict",
                           secure=signin.secure_cookie(settings))
    return response


def redirect_to_login() -> Response:
    return Response(status=303, headers={"Location": "/oversight/login"})


def oversight_page(store: Store, context: Context, today: date, who: Client,
                   person: Principal | None = None) -> Response:
    with store.unit_of_work() as uow:
        warnings = [warning_dict(w) for w in uow.supervision.warnings("open", limit=200)]
        tasks = uow.supervision.rectifications("open")
        breaches = uow.commitments.listed("missed")[-50:]
        chain, latest = uow.audit.head(), uow.audit.latest(20)
    month = Period.containing("monthly", today)
    sections = [_intake(ledger_report(store, context, Period.containing("daily", today), "matter")),
                _warnings(warnings, context), _breaches(breaches, context), _ratings(survey_report(store, month), tasks, context),
                f'<section id="ledger"><h2>最新台账 · {escape(month.label)}（截至{today:%m月%d日}）</h2>'
                f'{ledger_table(ledger_report(store, context, month, "matter"))}'
                f'<p>完整台账：{_ledger_links()}</p></section>', _audit(chain, latest)]
    title = "乌审旗“一件事一次办” · 电子监察"
    body = (f'<h1>{escape(title)}</h1><p class=muted>{today.isoformat()} · 监察人员：'
            f'{escape(person.display_name if person else who.name)}</p>' + _signout(person)
            + _calendar_notice(context, today) + "".join(sections))
    return Response(page(title, body), mimetype="text/html", headers={"Cache-Control": "no-store"})


def _signout(person: Principal | None) -> str:
    """A staff account's sign-out ends its session everywhere (with the CSRF token); a token session's, here."""
    if person is None:
        return '<form method="post" action="/oversight/logout"><button type="submit">退出登录</button></form>'
    return ('<form method="post" action="/staff/signout"><input type="hidden" name="csrf" '
            f'value="{csrf_token(person)}"><button type="submit">退出登录</button></form>')


def _calendar_notice(context: Context, today: date) -> str:
    """Within 60 days of the end of the official working-day data (and after it), say so: deadlines counted
    past it are provisional (暂定) until the State Council's holiday notice for the next year is loaded."""
    end = context.calendar.covered_until()
    if context.calendar.coverage_warning(today) is None:
        return ""
    state = f"已于{end:%Y年%m月%d日}结束" if end < today else f"将于{end:%Y年%m月%d日}结束（剩{(end - today).days}天）"
    return (f'<p class="red" role="alert" id="calendar-notice">法定工作日历数据{state}：此后的办理时限按双休日'
            f'暂定计算，标注“暂定”。请在国务院办公厅发布{end.year + 1}年节假日安排通知后载入工作日历。</p>')


def _ledger_links() -> str:
    periods = (("weekly", "周报"), ("half-monthly", "半月报"), ("monthly", "月报"))
    groups = (("matter", "按一件事"), ("department", "按部门"), ("channel", "按渠道"), ("level", "按层级"), ("taking_point", "按受理点"))
    return " ".join(f'<a href="/oversight/ledger?period={p}&amp;by={g}">{pl}·{gl}</a>'
                    for p, pl in periods for g, gl in groups)


def ledger_page(store: Store, context: Context, period: Period, by: str) -> Response:
    from services.oversight.render import ledger_html
    return Response(ledger_html(ledger_report(store, context, period, by)), mimetype="text/html",
                    headers={"Cache-Control": "no-store"})


def _intake(report: dict) -> str:
    t = report["totals"]
    figures = "".join(f'<div class="figure">{label}<b>{t[key]}</b></div>' for key, label in
                      (("received", "今日收件"), ("accepted", "今日受理"), ("completed", "今日办结"),
                       ("rejected", "今日不予许可")))
    rows = "".join(f'<tr><td>{escape(r["label"])}</td><td class="n">{r["received"]}</td>'
                   f'<td class="n">{r["accepted"]}</td><td class="n">{r["completed"]}</td></tr>'
                   for r in report["rows"] if r["received"] or r["accepted"] or r["completed"])
    table = (f'<table><tr><th>一件事</th><th>收件</th><th>受理</th><th>办结</th></tr>{rows}</table>'
             if rows else '<p class="muted">今日暂无收件。</p>')
    return f'<section id="today"><h2>今日受理</h2><div class="figures">{figures}</div>{table}</section>'


def _warnings(warnings: list[dict], context: Context) -> str:
    if not warnings:
        return '<section id="warnings"><h2>临近或超过时限的案件</h2><p class="muted">暂无预警。</p></section>'
    rows = "".join(
        f'<tr class="warning-{w["level"]}"><td>{escape(w["case_id"])}</td>'
        f'<td>{escape(SCOPES[w["scope"]])}{escape(" " + _subject(context, w) if w["subject"] else "")}</td>'
        f'<td><span class="{w["level"]}">{LEVELS[w["level"]]}</span></td>'
        f'<td>{escape(_department(context, w["department"]))}</td><td>{w["due_date"]}'
        f'{"（暂定）" if w["provisional"] else ""}</td><td class="n">{w["used_share"]:.0%}</td></tr>'
        for w in sorted(warnings, key=lambda w: (w["level"] != "red", w["due_date"])))
    return ('<section id="warnings"><h2>临近或超过时限的案件</h2><table><tr><th>案件</th><th>对象</th>'
            f'<th>预警</th><th>责任部门</th><th>办结时限</th><th>已用时限</th></tr>{rows}</table></section>')


def _breaches(rows: list, context: Context) -> str:
    """承诺失信: deferred materials not supplied by their deadline, with the follow-up the catalog names."""
    body = "".join(f'<tr><td>{escape(r.case_id)}</td><td>{escape(r.material_name)}</td><td>{r.due_date}</td>'
                   f'<td>{escape(_department(context, r.department))}</td>'
                   f'<td>{escape(commitments.breach_view(r)["follow_up_zh"] or "")}</td>'
                   f'<td>{r.supplied_on or "未补交"}</td></tr>' for r in rows)
    table = (f'<table class="breaches"><tr><th>案件</th><th>容缺材料</th><th>承诺期限</th><th>牵头部门</th>'
             f'<th>失信处理</th><th>补交日期</th></tr>{body}</table>' if rows else '<p class="muted">暂无承诺失信。</p>')
    return f'<section id="breaches"><h2>承诺失信</h2>{table}</section>'


def _ratings(survey: dict, tasks: list, context: Context) -> str:
    rows = "".join(f'<tr><td>{escape(t.case_id)}</td><td class="n">{t.score}</td>'
                   f'<td>{escape(_department(context, t.department))}</td><td>{t.due_date}</td></tr>' for t in tasks)
    table = (f'<h3>差评整改（未办结）</h3><table class="rectifications"><tr><th>案件</th><th>评分</th>'
             f'<th>整改部门</th><th>整改期限</th></tr>{rows}</table>' if tasks else '<p class="muted">暂无待整改差评。</p>')
    return (f'<section id="ratings"><h2>好差评 · {escape(survey["period"]["label"])}</h2>'
            f'{survey_html(survey)}{table}</section>')


def _audit(chain: tuple[int, str], latest: list) -> str:
    """The audit trail's head (compare it with the one published on /metrics) and its latest entries."""
    rows = "".join(f'<tr><td class="n">{r.seq}</td><td>{escape(r.occurred_at[:19])}</td><td>{escape(r.actor_name)}'
                   f'（{escape(r.actor_role)}）</td><td>{escape(r.action)}</td><td>{escape(r.case_id or "—")}</td>'
                   f'<td>{escape(r.purpose)}</td></tr>' for r in latest)
    table = (f'<table class="audit"><tr><th>序号</th><th>时间（UTC）</th><th>访问者</th><th>操作</th><th>案件</th>'
             f'<th>用途</th></tr>{rows}</table>' if rows else '<p class="muted">暂无审计记录。</p>')
    return (f'<section id="audit"><h2>审计日志</h2><p class=muted>共 {chain[0]} 条，链头 <code>{chain[1]}</code>'
            f'（按案件、人员、时段查询：/api/v1/audit；校验：yici audit verify）</p>{table}</section>')


def _subject(context: Context, warning: dict) -> str:
    catalog, subject = context.catalog, warning["subject"]
    entity = (catalog.items.get(subject) if warning["scope"] == "item" else
              catalog.materials.get(subject) if warning["scope"] == "commitment" else None)
    return entity.name if entity else subject


def _department(context: Context, code: str) -> str:
    department = context.catalog.departments.get(code)
    return department.name if department else code
