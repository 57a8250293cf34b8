"""The hall's hand-over screen (出件, /handover): find a completed case by the pickup code the applicant shows,
check the collector's ID, record the hand-over under the clerk's name, print the hand-over slip.

The rules are delivery's own use cases (`handover.find_by_code`, `handover.confirm_pickup`, which the JSON API's
`POST /api/v1/deliveries/{id}/pickup` runs too); what the clerk does is recorded under `principal.actor`."""
from __future__ import annotations

from typing import Any, Callable
from urllib.parse import quote

from werkzeug.wrappers import Request, Response

from services.delivery import handover
from services.delivery.handlers import Context
from shared.api import ApiError, caller_address
from shared.audit_edge import Auditor, with_audit
from shared.config import Settings
from shared.errors import Conflict, Invalid, NotFound, TooManyAttempts
from shared.messaging import Store
from shared.staff import Principal, check_csrf, csrf_token, require_staff
from shared.web.pages import redirect, render

ROLES = ("delivery_clerk", "window_clerk")


def page(handler: Callable[..., Response]) -> Callable[..., Response]:
    """A refusal of the person (wrong role, a stale CSRF token) as an HTML page with its status."""
    def guarded(request: Request, *args: Any) -> Response:
        try:
            return handler(request, *args)
        except ApiError as refused:
            if refused.status not in (401, 403):
                raise
            return render("window/refused.html", status=refused.status, principal=None, csrf="",
                          messages=[p["message_zh"] for p in refused.problems])
    guarded.__name__, guarded.__doc__ = handler.__name__, handler.__doc__
    return guarded


def _who(request: Request, settings: Settings) -> Principal:
    return require_staff(request, settings, *ROLES)


def _render(template: str, who: Principal, status: int = 200, **context: Any) -> Response:
    return render(template, status=status, principal=who, csrf=csrf_token(who), **context)


@page
def start(request: Request, settings: Settings) -> Response:
    who = _who(request, settings)
    return _render("handover/find.html", who, code="", errors={})


@page
def find(request: Request, store: Store, context: Context, settings: Settings) -> Response:
    who = _who(request, settings)
    check_csrf(request, who)
    code = request.form.get("pickup_code", "").strip()
    if not code.isdigit() or len(code) not in (6, 8):
        return _render("handover/find.html", who, 422, code=code,
                       errors={"pickup_code": ["取件码为8位数字（早期为6位）"]})
    try:
        found = store.run(handover.find_by_code, code, who.actor, context, caller_address(request))
    except TooManyAttempts as refused:
        return _render("handover/find.html", who, 429, code=code, errors={"pickup_code": [
            p["message_zh"] for p in refused.problems]})
    if not found:
        return _render("handover/find.html", who, 422, code=code,
                       errors={"pickup_code": ["没有待领取的办件使用此取件码，请核对"]})
    Auditor("delivery", settings).record(store, request, "case.delivery.read", "handover",
                                         case_id=found[0].case_id)
    return _render("handover/confirm.html", who, code=code, deliveries=[_shown(r) for r in found], errors={})


def _shown(row) -> dict:
    d = row.details
    return {"case_id": row.case_id, "kind": row.kind, "matter_name": d.get("matter_name"), "items": d.get("items", []),
            "licenses": d.get("licenses", []), "hall": d.get("hall"), "document_number": d.get("document_number"),
            "person": bool(d.get("collectors")), "status": row.status, "collector": d.get("collector"),
            "handed_over_by": d.get("handed_over_by"), "handed_over_at": d.get("handed_over_at")}


@page
def confirm(request: Request, store: Store, context: Context, settings: Settings) -> Response:
    """The right code and the collector's ID (checked by the use case): handed over under the clerk's name."""
    who = _who(request, settings)
    check_csrf(request, who)
    form = request.form
    case_id, code, id_number = (form.get(k, "").strip() for k in ("case_id", "pickup_code", "id_number"))
    audit = Auditor("delivery", settings).event(request, "case.handed_over", "handover", case_id=case_id,
                                                subject=id_number or None, outcome="picked_up")
    try:
        store.run(with_audit(handover.confirm_pickup, audit), case_id, code, who.actor, context,
                  caller_address(request), id_number, True).answer()
    except (Invalid, Conflict, NotFound, TooManyAttempts) as refused:
        errors: dict[str, list[str]] = {}
        for p in refused.problems:
            errors.setdefault(p["field"], []).append(p["message_zh"])
        with store.unit_of_work() as uow:
            row = uow.deliveries.get(case_id)
        status = 429 if isinstance(refused, TooManyAttempts) else 409 if isinstance(refused, Conflict) else 422
        return _render("handover/confirm.html", who, status, code=code, id_number=id_number, errors=errors,
                       deliveries=[_shown(row)] if row is not None else [])
    return redirect(f"/handover/{quote(case_id)}/slip")


@page
def slip(request: Request, store: Store, settings: Settings, case_id: str) -> Response:
    """The printable hand-over slip (出件单) of a case handed over at the hall."""
    who = _who(request, settings)
    with store.unit_of_work() as uow:
        row = uow.deliveries.get(case_id)
    if row is None or not row.details.get("handed_over_by"):
        raise NotFound("case_id", case_id, "not_handed_over", "该办件尚未交付", "the result was not handed over")
    Auditor("delivery", settings).record(store, request, "case.delivery.read", "handover", case_id=case_id)
    return _render("handover/slip.html", who, delivery=_shown(row))
