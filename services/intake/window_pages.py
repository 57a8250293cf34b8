"""The window workbench (综合窗口, /window): the clerk's home (find a matter, the window's case queue), consultation
(the guide and the one-time notice sheet, printable), taking an application (the one form from the matter's JSON
Schema, uploads, the e-license library, pre-review), the case page (accept, with deferred materials under a
commitment the clerk witnesses, or the one correction notice) and the printable receipt and notice.

Every rule is the API's: the body is checked by `SubmitCase` and `domain.check_submission`, stored by
`handlers.submit_case`, pre-reviewed by `acceptance.review_of`, accepted by `handlers.clerk_accept` and noticed by
`handlers.clerk_notice`; files go through the blob store and `handlers.record_file` as `POST /api/v1/files` does.
What the clerk does is recorded under `principal.actor`; reads of personal data are audited as the API's are.
"""
from __future__ import annotations

import uuid
from types import SimpleNamespace
from typing import Any, Callable
from urllib.parse import quote, urlencode

from werkzeug.wrappers import Request, Response

from services.intake import acceptance, guides, handlers, pages
from services.intake.commands import Applicant, ClerkNotice, Delivery, SubmitCase, Supplement
from services.intake.domain import check_submission, holder_of
from services.intake.files import BlobStore
from services.intake.guides.guide_page import guide_body
from services.intake.guides.labels import CHANNELS_SHORT, DELIVERY, LIFE_CYCLES, SOURCES, spec_text
from services.intake.guides.qr import qr_inline
from services.intake.guides.sheets import notice_body
from services.intake.handlers import Context
from services.intake.pages import ITEM_ZH, STATUS_ZH
from services.intake.views import case_view_and_holder, window_queue
from services.intake.window_form import (
    APPLICANT_FIELDS,
    by_field,
    form_fields,
    materials_problems,
    read_form,
    shown,
)
from shared.api import ApiError, validate
from shared.audit_edge import Auditor, with_audit
from shared.catalog import Catalog
from shared.catalog.forms import merged_form
from shared.catalog.materials import material_list
from shared.config import Settings
from shared.errors import Conflict, NotFound, Refusal
from shared.messaging import Store
from shared.staff import Principal, check_csrf, csrf_token, require_staff
from shared.web.pages import redirect, render

CLERK = ("window_clerk",)
VIEWERS = ("window_clerk", "supervisor", "administrator")
REVIEWABLE = ("submitted", "correction_requested")
DEFERRABLE_CODES = ("material.missing_deferrable", "material.not_in_library")


def page(handler: Callable[..., Response]) -> Callable[..., Response]:
    """A refusal of the person (wrong role, a stale or missing CSRF token) as an HTML page, with its status."""
    def guarded(request: Request, *args: Any) -> Response:
        try:
            return handler(request, *args)
        except ApiError as refused:
            if refused.status not in (401, 403):
                raise
            return render("window/refused.html", status=refused.status,
                          messages=[p["message_zh"] for p in refused.problems], principal=None, csrf="")
    guarded.__name__ = handler.__name__
    guarded.__doc__ = handler.__doc__
    return guarded


def _who(request: Request, settings: Settings, roles: tuple[str, ...] = VIEWERS) -> Principal:
    return require_staff(request, settings, *roles)


def _base(who: Principal, **context: Any) -> dict:
    return {"principal": who, "csrf": csrf_token(who), "can_act": who.role in CLERK, "status_zh": STATUS_ZH,
            **context}


# -- home: find a matter, the window's queue ------------------------------------------------------------------

def search(catalog: Catalog, text: str, life_cycle: str) -> list[dict]:
    """Matters whose name, audience, items or situations mention `text`, of one life cycle (个人 life events,
    法人 business events) when given."""
    found = []
    for m in catalog.matters.values():
        if life_cycle and m.life_cycle != life_cycle:
            continue
        words = " ".join([m.name, m.code, m.audience, *(s.label for s in m.situations),
                          *(catalog.items[c].name for c in m.items if c in catalog.items)])
        if text and text.lower() not in words.lower():
            continue
        found.append({"code": m.code, "name": m.name, "audience": m.audience, "promised_days": m.promised_days,
                      "life_cycle": LIFE_CYCLES.get(m.life_cycle, m.life_cycle),
                      "window": "window" in m.channels})
    return found


@page
def home(request: Request, store: Store, context: Context, settings: Settings) -> Response:
    who = _who(request, settings)
    text, kind = request.args.get("q", "").strip()[:50], request.args.get("kind", "")
    kind = kind if kind in LIFE_CYCLES else ""
    queue = window_queue(store)
    for row in queue:
        row["matter_name"] = _matter_name(context.catalog, row["matter_code"])
    return render("window/home.html", **_base(who, matters=search(context.catalog, text, kind), q=text, kind=kind,
                                              kinds=LIFE_CYCLES, queue=queue))


def _matter_name(catalog: Catalog, code: str) -> str:
    return catalog.matters[code].name if code in catalog.matters else code


# -- consultation: the guide and the notice sheet --------------------------------------------------------------

@page
def consult(request: Request, context: Context, settings: Settings, code: str) -> Response:
    who = _who(request, settings)
    situations = request.args.getlist("situation")
    detail = guides.matter_detail(context.catalog, code, situations)
    qr = qr_inline(settings.base_url("intake"), code, f"{detail['name']}办事指南二维码")
    return render("window/consult.html", **_base(who, detail=detail, chosen=situations,
                                                 guide=str(guide_body(detail, qr)), query=_situation_query(situations)))


@page
def notice_sheet(request: Request, context: Context, settings: Settings, code: str) -> Response:
    who = _who(request, settings)
    situations = request.args.getlist("situation")
    detail = guides.matter_detail(context.catalog, code, situations)
    qr = qr_inline(settings.base_url("intake"), code, f"{detail['name']}办事指南二维码")
    return render("window/notice_sheet.html", **_base(who, detail=detail, sheet=str(notice_body(detail, qr)),
                                                      query=_situation_query(situations)))


def _situation_query(situations: list[str]) -> str:
    return urlencode([("situation", s) for s in situations])


# -- taking an application ---------------------------------------------------------------------------------------

@page
def apply_form(request: Request, store: Store, context: Context, settings: Settings, code: str) -> Response:
    who = _who(request, settings, CLERK)
    situations = request.args.getlist("situation")
    guides.matter_detail(context.catalog, code, situations)  # an unknown matter or situation: 404 / 422
    values = {"applicant.kind": "person", "region_code": context.home, "taking_point": _hall_point(context),
              "delivery.method": context.catalog.matter(code).delivery_methods[0],
              "delivery.hall": context.halls[0] if context.halls else "", "idempotency": uuid.uuid4().hex}
    return _apply_page(who, context, code, situations, values, {}, {}, None)


@page
def apply_post(request: Request, store: Store, context: Context, settings: Settings, code: str) -> Response:
    """`action=review`: upload what was attached, check the application as the API would, and pre-review it
    (the library asked for the applicant) without storing a case; `action=submit`: the same, then store the case,
    held for this clerk (422 with the problems next to their fields when the API would refuse it)."""
    who = _who(request, settings, CLERK)
    check_csrf(request, who)
    form = request.form
    situations = form.getlist("situation")
    catalog = context.catalog
    guides.matter_detail(catalog, code, situations)
    entries = material_list(catalog, code, situations)
    schema = merged_form(catalog, code, situations)
    fields = form_fields(schema)
    values: dict[str, str] = {k: v for k, v in form.items() if k != "csrf"}
    refs, upload_problems = _uploads(request, store, settings, who, entries, values)
    body = _body(code, situations, fields, values, refs, entries)
    problems = upload_problems + _checked(body, context, [m["code"] for m in body["materials"]])
    review, held = None, dict[str, str]()
    if not problems:
        command = SubmitCase.model_validate(body)
        if form.get("action") == "submit":
            key = values.get("idempotency") or uuid.uuid4().hex
            try:
                _, case_id = store.run(handlers.submit_case, command, who.actor, f"window:{key}", context, True,
                                       retries=1)
            except Refusal as refused:
                problems = materials_problems(refused.problems, [m["code"] for m in body["materials"]])
            else:
                return redirect(f"/window/cases/{quote(case_id)}")
        if not problems:
            review, held = _dry_review(request, store, context, settings, command)
    status = 422 if problems else 200
    return _apply_page(who, context, code, situations, values, by_field(problems), refs, review, held, status)


def _hall_point(context: Context) -> str:
    points = [p for p in context.settings.taking_points if p.channel == "window" and p.banner == context.home]
    return points[0].code if points else ""


def _uploads(request: Request, store: Store, settings: Settings, who: Principal, entries, values: dict[str, str]
             ) -> tuple[dict[str, dict], list[dict]]:
    """Files attached to this post, stored as `POST /api/v1/files` stores them (uploaded by the clerk), and the
    ones attached before (kept in the page as hidden fields)."""
    refs: dict[str, dict] = {}
    problems: list[dict] = []
    blobs = BlobStore(settings.data_dir / "blobs", settings.intake.max_file_bytes)
    for entry in entries:
        before = values.get(f"ref.{entry.code}", "")
        if before:
            refs[entry.code] = {"file_ref": before, "sha256": values.get(f"sha.{entry.code}") or None}
        answer = _stored_upload(request, entry.code, blobs, store, who, problems)
        if answer is None:
            continue
        refs[entry.code] = {"file_ref": answer["file_ref"], "sha256": answer["sha256"]}
        values[f"ref.{entry.code}"], values[f"sha.{entry.code}"] = answer["file_ref"], answer["sha256"]
    return refs, problems


def _body(code: str, situations: list[str], fields, values: dict[str, str], refs: dict[str, dict], entries
          ) -> dict[str, Any]:
    """The body `POST /api/v1/cases` would get from a front end, made of the posted fields."""
    applicant = {k: values.get(f"applicant.{k}", "").strip() for k in APPLICANT_FIELDS}
    applicant = {k: v for k, v in applicant.items() if v or k in ("kind", "name")}
    delivery = {k: values.get(f"delivery.{k}", "").strip() for k in ("method", "hall", "address")}
    delivery = {k: v for k, v in delivery.items() if v or k == "method"}
    if delivery.get("method") != "pickup":
        delivery.pop("hall", None)
    materials = [{"code": e.code, **{k: v for k, v in refs[e.code].items() if v}} for e in entries if e.code in refs]
    return {"matter_code": code, "channel": "window", "region_code": values.get("region_code", "").strip(),
            "applicant": applicant, "situations": situations, "form": read_form(fields, values),
            "materials": materials, "delivery": delivery,
            "taking_point": values.get("taking_point", "").strip() or None}


def _checked(body: dict, context: Context, codes: list[str]) -> list[dict]:
    """The API's refusals of this body (pydantic, then the submission rules), problem by field. Where the API
    would stop at the body's shape, the submission rules (ID numbers, phone, situations…) are still run on what
    was typed, so the clerk sees every problem at once."""
    problems: list[dict] = []
    try:
        command = validate(SubmitCase, body)
    except ApiError as refused:
        problems = list(refused.problems)
        command = SubmitCase.model_construct(**{
            **body, "applicant": Applicant.model_construct(**body["applicant"]),
            "delivery": Delivery.model_construct(**body["delivery"])})
    try:
        check_submission(context.catalog, command, context.settings.points(), context.home)
    except Refusal as refused:
        named = {p["field"] for p in problems}
        problems += [p for p in refused.problems if p["field"] not in named]
    except (AttributeError, TypeError, ValueError):  # a body too far from the shape to check further
        pass
    return materials_problems(problems, codes)


def _dry_review(request: Request, store: Store, context: Context, settings: Settings, command: SubmitCase
                ) -> tuple[Any, dict[str, str]]:
    """Pre-review of the application as it stands, not stored: the library and exchange asked for the applicant
    (an audited read of what they hold)."""
    body = command.model_dump(mode="json")
    holder = holder_of(command.applicant)
    draft = SimpleNamespace(case_id="", matter_code=command.matter_code, situations=command.situations,
                            form=body["form"], materials=body["materials"], commitment=False, holder_id=holder)
    review, answer = store.run(lambda uow: acceptance.review_of(uow, draft, context))
    Auditor("intake", settings).record(store, request, "library.lookup", "window_intake", subject=holder)
    return review, answer.found


def _apply_page(who: Principal, context: Context, code: str, situations: list[str], values: dict[str, str],
                errors: dict[str, list[str]], refs: dict[str, dict], review, held: dict[str, str] | None = None,
                status: int = 200) -> Response:
    catalog = context.catalog
    matter = catalog.matter(code)
    schema = merged_form(catalog, code, situations)
    deficiencies = by_field([d.as_dict() for d in review.deficiencies]) if review else {}
    materials = [{"code": e.code, "name": e.name, "spec": spec_text(e.spec.form, e.spec.copies),
                  "source": SOURCES.get(e.source, e.source), "from_library": e.source != "applicant",
                  "deferrable": e.deferrable, "supply_days": e.supply_days, "ref": refs.get(e.code),
                  "held_by": (held or {}).get(e.code)} for e in material_list(catalog, code, situations)]
    points = [p for p in context.settings.taking_points if p.channel == "window"]
    return render("window/apply.html", status=status, **_base(
        who, matter=matter, situations=situations, fields=form_fields(schema), values=values, errors=errors,
        deficiencies=deficiencies, review=review, materials=materials, halls=context.halls, points=points,
        delivery_labels=DELIVERY, shown=shown))


# -- the case page: accept or the one notice; receipt and notice ---------------------------------------------------

@page
def case_page(request: Request, store: Store, context: Context, settings: Settings, case_id: str,
              status: int = 200, problems: list[dict] | None = None) -> Response:
    who = _who(request, settings)
    view, holder = case_view_and_holder(store, case_id)
    Auditor("intake", settings).record(store, request, "case.read", "window_review", case_id=case_id, subject=holder)
    review = _stored_review(store, context, case_id) if view["status"] in REVIEWABLE else None
    with store.unit_of_work() as uow:
        case = uow.cases.get(case_id)
        applicant, form, materials = case.applicant, case.form, case.materials
        supply = _supply_targets(context.catalog, case)
    schema = merged_form(context.catalog, view["matter_code"], _situations(store, case_id))
    deficiencies = [d.as_dict() for d in review.deficiencies] if review else []
    offered = any(d["code"] in DEFERRABLE_CODES and _deferrable(context.catalog, d["target"]) for d in deficiencies)
    return render("window/case.html", status=status, **_base(
        who, view=view, applicant=applicant, form=form, materials=materials, fields=form_fields(schema),
        matter_name=_matter_name(context.catalog, view["matter_code"]), deficiencies=deficiencies,
        by_target=by_field(deficiencies), offered=offered, item_zh=ITEM_ZH, errors=by_field(problems or []),
        material_names={m: context.catalog.materials[m].name for m in context.catalog.materials},
        departments={c: d.name for c, d in context.catalog.departments.items()}, supply=supply,
        channel_zh=CHANNELS_SHORT, done=request.args.get("done", "")))


def _situations(store: Store, case_id: str) -> list[str]:
    with store.unit_of_work() as uow:
        return list(uow.cases.get(case_id).situations)


def _deferrable(catalog: Catalog, target: str) -> bool:
    code = target.removeprefix("materials.")
    return code in catalog.materials and catalog.materials[code].deferrable


def _stored_review(store: Store, context: Context, case_id: str):
    def reviewed(uow):
        case = uow.cases.get(case_id)
        if case is None:
            raise NotFound("case_id", case_id)
        return acceptance.review_of(uow, case, context)[0]
    return store.run(reviewed)


@page
def accept(request: Request, store: Store, context: Context, settings: Settings, case_id: str) -> Response:
    """The clerk accepts; `commitment=yes`: the applicant signed the commitment in the clerk's presence."""
    who = _who(request, settings, CLERK)
    check_csrf(request, who)
    commitment = request.form.get("commitment") == "yes"
    audit = Auditor("intake", settings).event(request, "case.accepted", "window_review", case_id=case_id,
                                              outcome="accepted")
    try:
        store.run(with_audit(handlers.clerk_accept, audit), case_id, who.actor, context, commitment)
    except (Conflict, NotFound) as refused:
        return case_page(request, store, context, settings, case_id, 409 if isinstance(refused, Conflict) else 404,
                         refused.problems)
    return redirect(f"/window/cases/{quote(case_id)}?done=accepted")


@page
def notice(request: Request, store: Store, context: Context, settings: Settings, case_id: str) -> Response:
    """The one correction notice: the pre-review's deficiencies the clerk kept, and one of the clerk's own."""
    who = _who(request, settings, CLERK)
    check_csrf(request, who)
    review = _stored_review(store, context, case_id)
    kept = set(request.form.getlist("deficiency"))
    chosen = [{"target": d.target, "message_zh": d.message_zh, "message_en": d.message_en}
              for n, d in enumerate(review.deficiencies) if str(n) in kept]
    extra_target = request.form.get("extra_target", "").strip()
    extra = request.form.get("extra_message", "").strip()
    if extra:
        chosen.append({"target": extra_target or "materials", "message_zh": extra})
    try:
        command = validate(ClerkNotice, {"deficiencies": chosen})
        audit = Auditor("intake", settings).event(request, "case.correction_requested", "window_review",
                                                  case_id=case_id, outcome="correction_requested")
        store.run(with_audit(handlers.clerk_notice, audit), case_id, command, context)
    except ApiError as refused:
        problems = [{**p, "field": "deficiencies"} for p in refused.problems]
        return case_page(request, store, context, settings, case_id, 422, problems)
    except Conflict as refused:
        return case_page(request, store, context, settings, case_id, 409, refused.problems)
    return redirect(f"/window/cases/{quote(case_id)}?done=notice")


@page
def receipt(request: Request, store: Store, context: Context, settings: Settings, case_id: str) -> Response:
    """The printable 受理回执 (the same content as `GET /api/v1/cases/{id}/receipt`), audited as that read."""
    who = _who(request, settings)
    view, holder = case_view_and_holder(store, case_id)
    if not view["accepted_on"]:
        raise NotFound("case_id", case_id, "not_accepted", "该办件尚未受理，没有受理回执", "the case is not accepted")
    Auditor("intake", settings).record(store, request, "case.receipt.read", "receipt", case_id=case_id,
                                       subject=holder)
    name = _matter_name(context.catalog, view["matter_code"])
    return render("window/receipt.html", **_base(
        who, view=view, body=pages.receipt_body(view, name, settings.base_url("intake")), matter_name=name))


@page
def notice_print(request: Request, store: Store, context: Context, settings: Settings, case_id: str) -> Response:
    """The printable correction notice (一次性补正告知书) of the case."""
    who = _who(request, settings)
    view, holder = case_view_and_holder(store, case_id)
    if not view["notice"]:
        raise NotFound("case_id", case_id, "no_notice", "该办件没有补正告知", "the case has no correction notice")
    Auditor("intake", settings).record(store, request, "case.notice.read", "window_review", case_id=case_id,
                                       subject=holder)
    with store.unit_of_work() as uow:
        applicant_name = uow.cases.get(case_id).applicant["name"]
    return render("window/notice_print.html", **_base(
        who, view=view, body=pages.notice_body(view), applicant_name=applicant_name,
        matter_name=_matter_name(context.catalog, view["matter_code"])))


@page
def supplement(request: Request, store: Store, context: Context, settings: Settings, case_id: str) -> Response:
    """The applicant brings at the window what the notice asked for, or a deferred material: the files scanned
    and the fields typed by the clerk go to the API's supplement use case (`handlers.supply`, role clerk), which
    reviews the answer to a notice again (accepted, or still wanting) or marks deferred materials supplied."""
    who = _who(request, settings, CLERK)
    check_csrf(request, who)
    with store.unit_of_work() as uow:
        case = uow.cases.get(case_id)
        if case is None:
            raise NotFound("case_id", case_id)
        wanted = _supply_targets(context.catalog, case)
    blobs = BlobStore(settings.data_dir / "blobs", settings.intake.max_file_bytes)
    materials: list[dict] = []
    problems: list[dict] = []
    for code in wanted["materials"]:
        answer = _stored_upload(request, code, blobs, store, who, problems)
        if answer is None:
            continue
        materials.append({"code": code, "file_ref": answer["file_ref"], "sha256": answer["sha256"]})
    fields = [f for f in form_fields(merged_form(context.catalog, case.matter_code, case.situations))
              if f.code in wanted["form"]]
    body = {"form": read_form(fields, request.form), "materials": materials,
            "commitment": request.form.get("commitment") == "yes"}
    if not problems and not (body["form"] or materials or body["commitment"]):
        problems = [{"field": "supplement", "message_zh": "请上传补正材料、填写补正内容或勾选签署承诺"}]
    if not problems:
        try:
            store.run(handlers.supply, case_id, validate(Supplement, body), context, who.actor, "clerk",
                      who.actor)
        except ApiError as refused:
            problems = list(refused.problems)
        except Refusal as refused:
            problems = list(refused.problems)
    if problems:
        return case_page(request, store, context, settings, case_id, 422, problems)
    return redirect(f"/window/cases/{quote(case_id)}?done=supplied")


def _supply_targets(catalog: Catalog, case) -> dict[str, list[str]]:
    """What the window may take for the case now: the notice's materials and fields, or the deferred materials
    still to come."""
    if case.status == "correction_requested" and case.notice:
        targets = [d["target"] for d in case.notice.get("deficiencies", [])]
        return {"materials": [t.removeprefix("materials.") for t in targets
                              if t.startswith("materials.") and t.removeprefix("materials.") in catalog.materials],
                "form": [t.removeprefix("form.") for t in targets if t.startswith("form.")],
                "offered": list(case.notice.get("commitment_offered") or [])}
    if case.status in ("accepted", "in_approval", "completed", "delivered"):
        return {"materials": [d["code"] for d in case.deferred or [] if not d.get("supplied")], "form": [],
                "offered": []}
    return {"materials": [], "form": [], "offered": []}


def _stored_upload(request: Request, code: str, blobs: BlobStore, store: Store, who: Principal,
                   problems: list[dict]) -> dict | None:
    """The scan uploaded for material `code`, kept and recorded as the clerk's (its file_ref and sha256); None
    when none was sent, or when the blob store refused it (its problems added under `materials.<code>`)."""
    upload = request.files.get(f"file.{code}")
    if upload is None or not upload.filename:
        return None
    try:
        stored = blobs.save(upload.stream, upload.mimetype or "application/octet-stream")
    except ApiError as refused:
        problems += [{**p, "field": f"materials.{code}"} for p in refused.problems]
        return None
    return store.run(handlers.record_file, stored, who.actor)
