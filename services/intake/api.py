"""HTTP edge of intake: read the request into a command, run one use case, answer with the case's view."""
from __future__ import annotations

import time
from urllib.parse import quote

from werkzeug.wrappers import Request, Response
from werkzeug.wsgi import wrap_file

from services.intake import decision_page, file_access, guides, handlers, pages, rating
from services.intake.commands import (
    ClerkAcceptance,
    ClerkNotice,
    DeferredFile,
    MaterialRef,
    RateFromPage,
    SubmitCase,
    Supplement,
    Withdrawal,
)
from services.intake.domain import idempotency_key_problems
from services.intake.files import BlobStore
from services.intake.handlers import Context
from services.intake.views import case_view, case_view_and_holder, matter_list, view_of, waiting_list
from shared.api import ApiError, caller_address, parse_json_body, problem, validate
from shared.attempts import Attempt
from shared.audit_edge import Auditor, stated_purpose, with_audit
from shared.config import Settings
from shared.errors import NotFound
from shared.events import AuditActor
from shared.file_links import LinkRefused, file_links
from shared.i18n import web as i18n_web
from shared.messaging import Store, UnitOfWork, utcnow

HTML = "text/html; charset=utf-8"


def submit_case(request: Request, store: Store, context: Context) -> tuple[int, dict]:
    """Two requests racing with one Idempotency-Key: the loser's insert fails, and its retry replays the winner."""
    key = request.headers.get("Idempotency-Key")
    problems = idempotency_key_problems(key)
    if problems:
        raise ApiError(400, problems)
    command = parse_json_body(request, SubmitCase)
    return store.run(_submitted, command, _client(request), key, context, retries=1 if key else 0)


def _submitted(uow: UnitOfWork, command: SubmitCase, client: str, key: str | None,
               context: Context) -> tuple[int, dict]:
    """The case's view as committed, read in the submission's own transaction."""
    status, case_id = handlers.submit_case(uow, command, client, key, context)
    return status, view_of(uow, case_id)


def get_case(request: Request, store: Store, settings: Settings, case_id: str) -> dict:
    """The case with the applicant's personal data: every read is audited."""
    found, holder = case_view_and_holder(store, case_id)
    _auditor(settings).record(store, request, "case.read", stated_purpose(request, "case_progress"),
                              case_id=case_id, subject=holder)
    return found


def supply(request: Request, store: Store, context: Context, case_id: str) -> dict:
    client = request.environ["yici.client"]
    store.run(handlers.supply, case_id, parse_json_body(request, Supplement), context, client.name, client.role)
    return case_view(store, case_id)


def supply_deferred(request: Request, store: Store, context: Context, case_id: str, material: str) -> dict:
    """One deferred material, as a supplement of that material alone (also after the case completed)."""
    client = request.environ["yici.client"]
    given = parse_json_body(request, DeferredFile).model_dump(exclude_none=True)
    supplement = Supplement(materials=[MaterialRef(code=material, **given)])
    store.run(handlers.supply, case_id, supplement, context, client.name, client.role)
    return case_view(store, case_id)


def withdraw(request: Request, store: Store, case_id: str) -> dict:
    store.run(handlers.withdraw, case_id, parse_json_body(request, Withdrawal))
    return case_view(store, case_id)


def receipt(request: Request, store: Store, context: Context, settings: Settings, case_id: str) -> Response:
    view, holder = case_view_and_holder(store, case_id)
    _auditor(settings).record(store, request, "case.receipt.read", stated_purpose(request, "receipt"),
                              case_id=case_id, subject=holder)
    name = context.catalog.matter(view["matter_code"]).name
    lang = i18n_web.chosen(request, view.get("language"))
    return Response(pages.receipt_page(view, name, settings.base_url("intake"), lang), mimetype=HTML)


def track(request: Request, store: Store, context: Context, case_id: str) -> Response:
    """Failed lookups are counted (committed) before the 404; too many, and the page answers 429 for a while."""
    attempt = Attempt("track", caller_address(request), case_id, "code")
    found = store.run(handlers.look_up, case_id, request.args.get("code", ""), attempt, time.time(), context)
    if found is None:
        raise NotFound("case_id", case_id)
    view = case_view(store, found)
    lang = i18n_web.chosen(request, view.get("language"))
    switch = i18n_web.switch_links(request, lang)
    return i18n_web.remember(request, Response(pages.status_page(view, request.args.get("code", ""), lang, switch),
                                               mimetype=HTML))


def decision(request: Request, store: Store, context: Context, case_id: str) -> Response:
    """The rejection's written decision, printable, for whoever holds the lookup code (checked as for /track)."""
    attempt = Attempt("track", caller_address(request), case_id, "code")
    found = store.run(handlers.look_up, case_id, request.args.get("code", ""), attempt, time.time(), context)
    view = case_view(store, found) if found is not None else None
    if view is None or not view["rejection"]:
        raise NotFound("case_id", case_id)
    name = context.catalog.matter(view["matter_code"]).name
    lang = i18n_web.chosen(request, view.get("language"))
    page = decision_page.decision_page(view["case_id"], name, view["rejection"], lang,
                                       i18n_web.switch_links(request, lang))
    return i18n_web.remember(request, Response(page, mimetype=HTML))


def rate(request: Request, store: Store, context: Context, case_id: str) -> Response:
    """The status page's rating form: the lookup code proves the applicant (wrong ones counted as on /track)."""
    command = validate(RateFromPage, request.form.to_dict())
    code = request.form.get("code", "")
    attempt = Attempt("track", caller_address(request), case_id, "code")
    if store.run(rating.rate, case_id, code, attempt, time.time(), command, context, utcnow()) is None:
        raise NotFound("case_id", case_id)
    return Response(status=303, headers={"Location": f"/track/{quote(case_id)}?code={quote(code)}"})


def upload(request: Request, store: Store, settings: Settings) -> tuple[int, dict]:
    """The body streamed into the blob store (checked as it arrives), then recorded."""
    blobs = BlobStore(settings.data_dir / "blobs", settings.intake.max_file_bytes)
    stored = blobs.save(request.stream, request.mimetype, request.headers.get("X-Content-SHA256"))
    return 201, store.run(handlers.record_file, stored, _client(request))


def read_file(request: Request, store: Store, settings: Settings, ref: str) -> Response:
    """A material, to its uploader or to a department requested an item of its case; each read audited."""
    client = request.environ["yici.client"]
    found, case_id, holder = store.run(file_access.readable, ref, client)
    _auditor(settings).record(store, request, _read_action(ref), stated_purpose(request, "material_review"),
                              case_id=case_id, subject=holder)
    return _file_response(request, settings, found)


def download_file(request: Request, store: Store, settings: Settings, ref: str) -> Response:
    """A material by the signed link of an approval request (no token); an altered or expired link is refused."""
    try:
        claims = file_links(settings).verify(request.args.get("link", ""), ref, utcnow())
    except LinkRefused as refused:
        status = 410 if refused.code == "expired" else 403
        raise ApiError(status, [problem("link", refused.code, "材料链接无效或已过期",
                                        f"the link is refused ({refused.code}) {refused.detail}".strip())]) from None
    found, case_id, holder = store.run(file_access.by_link, ref, claims)
    actor = AuditActor(kind="client", name=f"signed link ({claims.department})", role="department",
                       department=claims.department)
    _auditor(settings).record(store, request, _read_action(ref), "material_review", case_id=case_id, subject=holder,
                              actor=actor)
    return _file_response(request, settings, found)


def _read_action(ref: str) -> str:
    """The audit entry names the file read: `file.read:<file_ref>` (a stored ref is 33 characters)."""
    return f"file.read:{ref}"


def _file_response(request: Request, settings: Settings, found) -> Response:
    path = BlobStore(settings.data_dir / "blobs").path(found.file_ref, found.sha256)
    if not path.exists():
        raise NotFound("file_ref", found.file_ref)
    return Response(wrap_file(request.environ, path.open("rb")), mimetype=found.content_type, direct_passthrough=True,
                    headers={"Content-Disposition": f'attachment; filename="{found.file_ref}"',
                             "X-Content-SHA256": found.sha256, "X-Content-Type-Options": "nosniff",
                             "Content-Length": str(found.size), "Cache-Control": "no-store"})


def waiting(store: Store) -> dict:
    return waiting_list(store)


def clerk_accept(request: Request, store: Store, context: Context, settings: Settings, case_id: str) -> dict:
    """The acceptance and its audit entry commit together."""
    given = parse_json_body(request, ClerkAcceptance) if request.content_length else ClerkAcceptance()
    audit = _auditor(settings).event(request, "case.accepted", "window_review", case_id=case_id, outcome="accepted")
    store.run(with_audit(handlers.clerk_accept, audit), case_id, _client(request), context, given.commitment)
    return case_view(store, case_id)


def clerk_notice(request: Request, store: Store, context: Context, settings: Settings, case_id: str) -> dict:
    command = parse_json_body(request, ClerkNotice)
    audit = _auditor(settings).event(request, "case.correction_requested", "window_review", case_id=case_id,
                                     outcome="correction_requested")
    store.run(with_audit(handlers.clerk_notice, audit), case_id, command, context)
    return case_view(store, case_id)


def _auditor(settings: Settings) -> Auditor:
    return Auditor("intake", settings)


def _client(request: Request) -> str:
    """The name of the client (front end, clerk) the bearer token belongs to."""
    return request.environ["yici.client"].name


def matters(context: Context) -> dict:
    return matter_list(context.catalog)


def matter(request: Request, context: Context, code: str) -> dict:
    return guides.matter_detail(context.catalog, code, request.args.getlist("situation"))


def matter_form(request: Request, context: Context, code: str) -> dict:
    return guides.matter_form(context.catalog, code, request.args.getlist("situation"))


def guide(context: Context, settings: Settings, path: str) -> Response:
    return guides.guide_response(context.catalog, settings.base_url("intake"), path)
