"""The applicant's online application (一网通办) under /apply: sign in by mobile number and a one-time SMS code (or
the regional platform's single sign-on), choose a matter, answer the situation questions, fill the one form,
upload materials, review, sign the commitment where offered, submit; then the applicant's own cases: track one,
answer a correction notice or a department's supplement request, rate the service.

Every rule is the API's: the same pydantic models (commands.py), the same submission checks (domain.py), the
same form validation pre-review uses (review.check_form), the same use cases (handlers.submit_case, supply,
record_file; rating.rate). Channel `online`; the actor is the applicant's masked number (applicants.Applicant).
The multi-step application carries what was entered in a signed hidden field (the draft), checked again on
submission like any other body.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
from dataclasses import dataclass, field
from typing import Any, Callable
from urllib.parse import quote, urlencode

from pydantic import ValidationError
from werkzeug.datastructures import FileStorage
from werkzeug.wrappers import Request, Response

from services.delivery.ports import Notifier, SmsMessage
from services.intake import applicants, handlers, rating
from services.intake.applicants import Applicant
from services.intake.commands import MaterialRef, RateFromPage, SubmitCase, Supplement
from services.intake.domain import check_hall, check_submission
from services.intake.files import BlobStore
from services.intake.handlers import Context
from services.intake.library import Wanted, with_registry
from services.intake.pages import ITEM_ZH, JOINT_ZH, SCORES, STATUS_ZH, track_url
from services.intake.review import check_form, library_entries
from services.intake.views import view_of
from shared.api import caller_address, problem, problems_from_validation
from shared.attempts import Attempt
from shared.audit_edge import Auditor
from shared.catalog import Matter, UnknownMatter
from shared.catalog.forms import merged_form
from shared.catalog.materials import MaterialEntry, material_list
from shared.config import Settings
from shared.errors import Conflict, Gone, NotFound, Refusal, TooManyAttempts
from shared.events import AuditActor
from shared.logging import get_logger
from shared.messaging import Store, UnitOfWork, utcnow
from shared.staff import same_origin
from shared.web.pages import redirect, render

log = get_logger(__name__)
LIFE_CYCLES = {"individual": "个人办事（生育、入学、就业、退休等人生大事）",
               "enterprise": "企业办事（开办、变更、经营、注销等企业大事）"}
DELIVERY_ZH = {"pickup": "窗口领取", "mail": "免费邮寄", "online": "网上送达（电子证照）"}
SOURCE_ZH = {"license_registry": "电子证照库", "shared": "部门共享数据", "applicant": "申请人提供"}
CODE_ERRORS = {"wrong": "验证码错误，请核对短信中的6位数字", "expired": "验证码已过期（5分钟内有效），请重新获取",
               "too_many": "验证码错误次数过多，已失效，请重新获取", "used": "该验证码已使用，请重新获取",
               "unknown": "验证码已失效，请重新获取"}
MOBILE = "^1[0-9]{10}$"  # the catalog's pattern of a mobile number field
STATUS = {"wrong": 400, "expired": 400, "too_many": 429, "used": 400, "unknown": 400}


class PageRefusal(Refusal):
    """A page's own refusal (a missing anti-forgery token, an altered draft, a refused single sign-on)."""

    def __init__(self, status: int, field: str, code: str, message_zh: str, message_en: str):
        super().__init__([problem(field, code, message_zh, message_en)])
        self.status = status


class SignIn(Exception):
    """No valid applicant session: the page redirects to /apply?next=…"""

    def __init__(self, next_path: str):
        super().__init__("applicant sign-in required")
        self.next_path = next_path


@dataclass
class Edge:
    """What a page needs of the service: the store, intake's context, the settings and the SMS port."""
    store: Store
    context: Context
    settings: Settings
    notifier: Notifier

    @property
    def key(self) -> bytes:
        return applicants.secret(self.settings)


@dataclass
class Visit:
    """One request: the signed-in applicant (or None), the anti-forgery binding, cookies to set."""
    request: Request
    applicant: Applicant | None
    binding: str
    cookies: list[tuple[str, str, int]] = field(default_factory=list)

    def csrf(self, key: bytes) -> str:
        return applicants.csrf_token(key, self.binding)


def page(handler: Callable[..., Response]) -> Callable[..., Response]:
    """Runs a page: finds the applicant and the CSRF binding, checks a POST's token and origin, renders refusals
    as pages (with their status) and sets the cookies the page asked for."""
    def run(request: Request, edge: Edge, *args: Any) -> Response:
        visit = _visit(request, edge)
        try:
            if request.method == "POST":
                same_origin(request)
                _check_csrf(request, edge, visit)
            response = handler(visit, edge, *args)
        except SignIn as needed:
            response = redirect("/apply?" + urlencode({"next": needed.next_path}))
        except TooManyAttempts as refused:
            response = _refused(visit, edge, 429, refused.problems)
            response.headers["Retry-After"] = str(refused.retry_after)
        except NotFound as refused:
            response = _refused(visit, edge, 404, refused.problems)
        except ValidationError as invalid:  # a body the API's models refuse (as the API would: 422)
            response = _refused(visit, edge, 422, problems_from_validation(invalid))
        except Refusal as refused:
            response = _refused(visit, edge, _status(refused), refused.problems)
        for name, value, age in visit.cookies:
            _set_cookie(response, request, name, value, age)
        return response
    run.__name__ = handler.__name__
    run.__doc__ = handler.__doc__
    return run


def _status(refused: Refusal) -> int:
    if isinstance(refused, PageRefusal):
        return refused.status
    return 409 if isinstance(refused, Conflict) else 410 if isinstance(refused, Gone) else 422


def _visit(request: Request, edge: Edge) -> Visit:
    with edge.store.unit_of_work() as uow:
        found = applicants.session_of(uow, request.cookies.get(applicants.SESSION_COOKIE, ""), edge.key)
    if found is not None:
        return Visit(request, found, found.session_id)
    pre = request.cookies.get(applicants.PRE_COOKIE, "")
    visit = Visit(request, None, pre)
    if not (16 <= len(pre) <= 64):
        visit.binding = secrets.token_urlsafe(24)
        visit.cookies.append((applicants.PRE_COOKIE, visit.binding, 3600))
    return visit


def _check_csrf(request: Request, edge: Edge, visit: Visit) -> None:
    offered = request.form.get("csrf", "")
    if not visit.binding or not hmac.compare_digest(offered.encode(), visit.csrf(edge.key).encode()):
        raise PageRefusal(403, "csrf", "csrf_failed", "页面已过期或请求来源不明，请返回上一页刷新后重试",
                          "missing or wrong anti-forgery token")


def _set_cookie(response: Response, request: Request, name: str, value: str, age: int) -> None:
    response.set_cookie(name, value, max_age=age if value else 0, path="/apply", httponly=True,
                        samesite="Strict", secure=request.scheme == "https")


def _refused(visit: Visit, edge: Edge, status: int, problems: list[dict[str, Any]]) -> Response:
    return _render(visit, edge, "apply/refused.html", status, problems=problems, title="无法办理")


def _render(visit: Visit, edge: Edge, template: str, status: int = 200, **context: Any) -> Response:
    return render(template, status=status, applicant=visit.applicant, csrf=visit.csrf(edge.key),
                  simulated_sms=_simulated(edge.settings), **context)


def _simulated(settings: Settings) -> bool:
    """The simulated SMS gateway's outbox page is offered only in the embedded default."""
    return settings.mode == "embedded" and settings.delivery.sms_adapter == "simulated"


def _signed_in(visit: Visit) -> Applicant:
    if visit.applicant is None:
        raise SignIn(visit.request.full_path.rstrip("?") if visit.request.method == "GET" else "/apply")
    return visit.applicant


def _next(value: str) -> str:
    """Only a path of the online application itself (no open redirect)."""
    return value if value.startswith("/apply") and not value.startswith("//") and "\\" not in value else "/apply"


# ---- sign-in ------------------------------------------------------------------------------------------------

@page
def home(visit: Visit, edge: Edge) -> Response:
    """Signed in: what to do next. Otherwise the sign-in (phone and code, or the regional platform)."""
    return _render(visit, edge, "apply/home.html", next=_next(visit.request.args.get("next", "")),
                   sso=edge.settings.intake.applicants.sign_in == "regional_sso", phone="", errors={})


@page
def request_code(visit: Visit, edge: Edge) -> Response:
    """Send a code to the number typed: through the SMS port, after the challenge is committed."""
    target = _next(visit.request.form.get("next", ""))
    try:
        phone = applicants.checked_phone(visit.request.form.get("phone", ""))
    except Refusal as refused:
        return _render(visit, edge, "apply/home.html", 422, next=target, sso=False, phone="",
                       errors=_by_field(refused.problems))
    try:
        sent = _send_code(edge, visit.request, phone)
    except TooManyAttempts as refused:
        response = _render(visit, edge, "apply/home.html", 429, next=target, sso=False, phone="",
                           errors=_by_field(refused.problems))
        response.headers["Retry-After"] = str(refused.retry_after)
        return response
    return redirect("/apply/verify?" + urlencode({"c": sent, "next": target}))


def _send_code(edge: Edge, request: Request, phone: str) -> str:
    limits = edge.settings.intake.applicants
    sent = edge.store.run(applicants.request_code, phone, edge.key, limits, time.time(), caller_address(request),
                          edge.context.attempt_limits)
    text = applicants.sign_in_text(edge.settings.delivery.sms_signature, sent.code, limits.code_ttl_seconds // 60)
    edge.notifier.send(SmsMessage(f"signin:{sent.challenge_id}", phone, text))
    log.info("applicant sign-in code sent")  # never the number, never the code
    return sent.challenge_id


@page
def verify_form(visit: Visit, edge: Edge) -> Response:
    challenge = visit.request.args.get("c", "")
    with edge.store.unit_of_work() as uow:
        phone = applicants.challenge_phone(uow, challenge)
    if phone is None:
        return redirect("/apply")
    return _verify_page(visit, edge, challenge, phone, _next(visit.request.args.get("next", "")), "")


def _verify_page(visit: Visit, edge: Edge, challenge: str, phone: str, target: str, error: str,
                 status: int = 200) -> Response:
    return _render(visit, edge, "apply/verify.html", status, challenge=challenge, masked=applicants.mask(phone),
                   next=target, error=error, minutes=edge.settings.intake.applicants.code_ttl_seconds // 60)


@page
def verify(visit: Visit, edge: Edge) -> Response:
    """A right code starts the applicant's session (a signed cookie); a wrong one is counted."""
    form = visit.request.form
    challenge, target = form.get("c", ""), _next(form.get("next", ""))
    result = edge.store.run(applicants.verify_code, challenge, form.get("code", ""), edge.key,
                            edge.settings.intake.applicants, time.time())
    if result.applicant is None:
        with edge.store.unit_of_work() as uow:
            phone = applicants.challenge_phone(uow, challenge)
        if phone is None:
            return redirect("/apply")
        message = CODE_ERRORS[result.error] + (f"（还可尝试{result.left}次）" if result.left else "")
        return _verify_page(visit, edge, challenge, phone, target, message, STATUS[result.error])
    visit.cookies.append((applicants.SESSION_COOKIE, applicants.cookie_value(result.applicant, edge.key),
                          int(edge.settings.intake.applicants.session_hours * 3600)))
    visit.cookies.append((applicants.PRE_COOKIE, "", 0))
    return redirect(target if target != "/apply" else "/apply/matters")


@page
def resend(visit: Visit, edge: Edge) -> Response:
    """Another code to the same number (throttled: `resend_seconds` apart, `codes_per_hour` an hour)."""
    form = visit.request.form
    challenge, target = form.get("c", ""), _next(form.get("next", ""))
    with edge.store.unit_of_work() as uow:
        phone = applicants.challenge_phone(uow, challenge)
    if phone is None:
        return redirect("/apply")
    try:
        sent = _send_code(edge, visit.request, phone)
    except TooManyAttempts as refused:
        response = _verify_page(visit, edge, challenge, phone, target, refused.problems[0]["message_zh"], 429)
        response.headers["Retry-After"] = str(refused.retry_after)
        return response
    return redirect("/apply/verify?" + urlencode({"c": sent, "next": target}))


@page
def sign_out(visit: Visit, edge: Edge) -> Response:
    if visit.applicant is not None:
        edge.store.run(applicants.sign_out, visit.applicant)
    visit.cookies.append((applicants.SESSION_COOKIE, "", 0))
    return redirect("/apply")


@page
def sso_start(visit: Visit, edge: Edge) -> Response:
    """The regional platform's sign-in (intake.applicants.sign_in: regional_sso): off to its page, with a state
    bound to this browser's pre-sign-in cookie."""
    if edge.settings.intake.applicants.sign_in != "regional_sso":
        raise NotFound("sign_in", "regional_sso")
    adapter = applicants.regional_sign_on(edge.settings)
    return_to = edge.settings.base_url("intake") + "/apply/sso/callback"
    return redirect(adapter.authorize_url(visit.csrf(edge.key), return_to))


@page
def sso_callback(visit: Visit, edge: Edge) -> Response:
    if edge.settings.intake.applicants.sign_in != "regional_sso":
        raise NotFound("sign_in", "regional_sso")
    params = visit.request.args
    state = params.get("state", "")
    if not visit.binding or not hmac.compare_digest(state.encode(), visit.csrf(edge.key).encode()):
        raise PageRefusal(403, "state", "state_mismatch", "登录请求已过期，请重新登录", "the state does not match")
    verified = applicants.regional_sign_on(edge.settings).complete(params, state)
    if verified is None:
        raise PageRefusal(401, "sign_in", "sso_refused", "统一身份认证平台未能确认您的身份，请重试",
                          "the regional platform did not confirm the sign-in")
    applicants.checked_phone(verified.phone)
    started = edge.store.run(applicants.start_session, verified, edge.key, edge.settings.intake.applicants,
                             time.time())
    visit.cookies.append((applicants.SESSION_COOKIE, applicants.cookie_value(started, edge.key),
                          int(edge.settings.intake.applicants.session_hours * 3600)))
    visit.cookies.append((applicants.PRE_COOKIE, "", 0))
    return redirect("/apply/matters")


@page
def sms_outbox(visit: Visit, edge: Edge, gateway_sent: Callable[[str], list[Any]]) -> Response:
    """The simulated SMS gateway of the embedded default: the texts the number of a sign-in challenge received,
    as that phone would show them (the challenge id is known only to the browser that asked for the code)."""
    if not _simulated(edge.settings):
        raise NotFound("path", "/apply/sms-outbox")
    challenge = visit.request.args.get("c", "")
    with edge.store.unit_of_work() as uow:
        phone = applicants.challenge_phone(uow, challenge)
    if phone is None:
        raise NotFound("c", challenge)
    texts = [m for m in gateway_sent("signin:") if m.phone == phone][-5:]
    return _render(visit, edge, "apply/sms_outbox.html", masked=applicants.mask(phone), texts=list(reversed(texts)),
                   challenge=challenge, next=_next(visit.request.args.get("next", "")))


# ---- choosing a matter, the one form, review, submission ---------------------------------------------------

def _online(edge: Edge, code: str) -> Matter:
    try:
        matter = edge.context.catalog.matter(code)
    except UnknownMatter:
        raise NotFound("matter_code", code) from None
    if "online" not in matter.channels:
        raise NotFound("matter_code", code)
    return matter


@page
def matters(visit: Visit, edge: Edge) -> Response:
    """The matters taken online, by life event (个人) and business event (企业)."""
    _signed_in(visit)
    groups = {kind: [m for m in edge.context.catalog.matters.values()
                     if m.life_cycle == kind and "online" in m.channels] for kind in LIFE_CYCLES}
    return _render(visit, edge, "apply/matters.html", groups=groups, labels=LIFE_CYCLES)


@page
def start(visit: Visit, edge: Edge, code: str) -> Response:
    """The situation questions and who applies."""
    _signed_in(visit)
    matter = _online(edge, code)
    return _render(visit, edge, "apply/start.html", matter=matter, errors={}, chosen=[],
                   who={"kind": "person" if matter.life_cycle == "individual" else "company"})


def _applicant_from(form: Any, applicant: Applicant) -> dict[str, Any]:
    kind = form.get("kind", "person")
    found = {"kind": kind, "name": form.get("name", "").strip(), "phone": applicant.phone}
    for name in ("id_number", "credit_code", "legal_representative"):
        value = form.get(name, "").strip().upper() if name != "legal_representative" else form.get(name, "").strip()
        if value:
            found[name] = value
    return found


@page
def begin(visit: Visit, edge: Edge, code: str) -> Response:
    """Situations and applicant checked (the API's model and identity rules), then the one form."""
    applicant = _signed_in(visit)
    matter = _online(edge, code)
    form = visit.request.form
    chosen = [s for s in form.getlist("situation") if s]
    draft = {"id": secrets.token_urlsafe(12), "matter_code": matter.code, "situations": chosen,
             "applicant": _applicant_from(form, applicant), "form": {}, "materials": {},
             "delivery": {"method": matter.delivery_methods[0]}, "commitment": False}
    errors = _problems(edge, draft, applicant, only=("applicant", "situations"))
    schema = merged_form(edge.context.catalog, matter.code, chosen) if not errors else {}
    draft["form"] = {name: applicant.phone for name, spec in schema.get("properties", {}).items()
                     if spec.get("pattern") == MOBILE}  # the verified number, changeable
    if errors:
        return _render(visit, edge, "apply/start.html", 422, matter=matter, errors=errors, chosen=chosen,
                       who=draft["applicant"])
    return _form_page(visit, edge, matter, draft, {})


def _form_page(visit: Visit, edge: Edge, matter: Matter, draft: dict[str, Any], errors: dict[str, str],
               status: int = 200) -> Response:
    schema = merged_form(edge.context.catalog, matter.code, draft["situations"])
    return _render(visit, edge, "apply/form.html", status, matter=matter, draft=draft, sealed=_seal(edge, draft),
                   schema=schema, required=set(schema.get("required", [])), errors=errors,
                   materials=_materials(edge, draft), halls=edge.context.halls, delivery_zh=DELIVERY_ZH)


@dataclass(frozen=True)
class MaterialLine:
    entry: MaterialEntry
    file: dict[str, Any] | None
    held_by: str | None  # the library or exchange that already holds it for this applicant

    @property
    def needed(self) -> bool:
        return self.file is None and self.held_by is None


def _materials(edge: Edge, draft: dict[str, Any]) -> list[MaterialLine]:
    """The matter's materials for the chosen situations; for each, what was uploaded and whether the e-license
    library (or the shared-data exchange) already holds it for this applicant, as pre-review will ask."""
    catalog = edge.context.catalog
    entries = material_list(catalog, draft["matter_code"], draft["situations"])
    wanted = [Wanted(e.code, e.license_type if e.source == "license_registry" else None)
              for e in library_entries(catalog, draft["matter_code"], draft["situations"])]
    holder = _holder(draft["applicant"])
    with edge.store.unit_of_work() as uow:
        found = with_registry(edge.context.library(), uow.cases).fetch(holder, wanted, edge.context.today()).found
    return [MaterialLine(e, draft["materials"].get(e.code), found.get(e.code)) for e in entries]


def _holder(applicant: dict[str, Any]) -> str | None:
    number = applicant.get("credit_code") if applicant.get("kind") == "company" and applicant.get("credit_code") \
        else applicant.get("id_number")
    return str(number).upper() if number else None


def _form_values(schema: dict[str, Any], form: Any) -> dict[str, Any]:
    """The form's fields as the JSON the API takes: numbers as numbers (an unreadable one is kept as typed, for
    the schema to refuse), empty fields left out (the schema says which are required)."""
    values: dict[str, Any] = {}
    for name, spec in schema.get("properties", {}).items():
        raw = form.get(f"form.{name}", "").strip()
        if raw == "":
            continue
        if spec.get("type") in ("integer", "number"):
            try:
                values[name] = int(raw) if spec["type"] == "integer" else float(raw)
            except ValueError:
                values[name] = raw
        elif spec.get("type") == "boolean":
            values[name] = raw in ("true", "on", "1")
        else:
            values[name] = raw
    return values


@page
def fill(visit: Visit, edge: Edge, code: str) -> Response:
    """The one form posted with its uploads: checked as the API checks a submission, then the review page."""
    applicant = _signed_in(visit)
    matter = _online(edge, code)
    request = visit.request
    draft = _unseal(edge, request.form.get("draft", ""), matter.code)
    schema = merged_form(edge.context.catalog, matter.code, draft["situations"])
    draft["form"] = _form_values(schema, request.form)
    method = request.form.get("delivery_method", "")
    draft["delivery"] = {"method": method, **({"hall": request.form.get("hall", "")} if method == "pickup" else {}),
                         **({"address": request.form.get("address", "").strip()} if method == "mail" else {})}
    errors = _uploads(edge, applicant, draft, request.files)
    if request.form.get("back"):  # 返回修改 from the review page
        return _form_page(visit, edge, matter, draft, errors)
    errors.update(_problems(edge, draft, applicant))
    if errors:
        return _form_page(visit, edge, matter, draft, errors, 422)
    lines = _materials(edge, draft)
    offered = [line for line in lines if line.needed and line.entry.deferrable and line.entry.commitment_allowed]
    return _render(visit, edge, "apply/review.html", matter=matter, draft=draft, sealed=_seal(edge, draft),
                   schema=schema, materials=lines, offered=offered, delivery_zh=DELIVERY_ZH,
                   missing=[line for line in lines if line.needed])


def _uploads(edge: Edge, applicant: Applicant, draft: dict[str, Any], files: Any) -> dict[str, str]:
    """Each file posted for a material, stored and recorded by the files use case under the applicant."""
    errors: dict[str, str] = {}
    known = {e.code for e in material_list(edge.context.catalog, draft["matter_code"], draft["situations"])}
    for name, upload in files.items(multi=True):
        code = name.removeprefix("file.")
        if not isinstance(upload, FileStorage) or not upload.filename or code not in known:
            continue
        stored = _store_file(edge, applicant, upload, f"materials.{code}", errors)
        if stored is not None:
            draft["materials"][code] = stored
    return errors


def _store_file(edge: Edge, applicant: Applicant, upload: FileStorage, target: str,
                errors: dict[str, str]) -> dict[str, Any] | None:
    blobs = BlobStore(edge.settings.data_dir / "blobs", edge.settings.intake.max_file_bytes)
    stored, problems = blobs.save_or_problems(upload.stream, upload.mimetype or "application/octet-stream")
    if stored is None:
        errors[target] = problems[0]["message_zh"]
        return None
    recorded: dict[str, Any] = edge.store.run(handlers.record_file, stored, applicant.actor)
    return {"file_ref": recorded["file_ref"], "sha256": recorded["sha256"], "name": (upload.filename or "")[:100]}


def _command(draft: dict[str, Any], commitment: bool) -> SubmitCase:
    materials = [{"code": code, "file_ref": f["file_ref"], "sha256": f["sha256"]}
                 for code, f in draft["materials"].items()]
    return SubmitCase.model_validate({
        "matter_code": draft["matter_code"], "channel": "online", "region_code": "150626",
        "applicant": draft["applicant"], "situations": draft["situations"], "form": draft["form"],
        "materials": materials, "delivery": draft["delivery"], "commitment": commitment})


def _problems(edge: Edge, draft: dict[str, Any], applicant: Applicant,
              only: tuple[str, ...] = ()) -> dict[str, str]:
    """The API's checks of a submission, by field: the body's model, the submission rules, the pickup hall, and
    the one form's JSON Schema as pre-review applies it."""
    found: list[dict[str, Any]] = []
    try:
        command = _command(draft, False)
    except ValidationError as invalid:
        found = problems_from_validation(invalid)
    else:
        try:
            check_submission(edge.context.catalog, command, edge.context.settings.points(), edge.context.home)
        except Refusal as refused:
            found = refused.problems
        found += check_hall(command.delivery.hall, edge.context.halls)
        if not only:
            schema = merged_form(edge.context.catalog, draft["matter_code"], draft["situations"])
            found += [{"field": d.target, "message_zh": d.message_zh} for d in check_form(schema, draft["form"])]
    errors = _by_field(found)
    if only:
        errors = {k: v for k, v in errors.items() if k.startswith(only) or k == "body"}
    return errors


def _by_field(problems: list[dict[str, Any]]) -> dict[str, str]:
    """One message per field (the first), the field named as the page names its inputs."""
    errors: dict[str, str] = {}
    for p in problems:
        name = str(p.get("field", "body")).removeprefix("body.")
        name = "situations" if name.startswith("situations.") else WHOLE.get(name, name)
        errors.setdefault(name, _chinese(p))
    return errors


WHOLE = {"applicant": "applicant.id_number", "delivery": "delivery.address"}  # a rule about the whole part


def _chinese(found: dict[str, Any]) -> str:
    """The Chinese message alone: a model rule's own Chinese half, without the English detail in brackets."""
    english = str(found.get("message_en", ""))
    if found.get("code") == "value_error" and " / " in english:
        return english.split(" / ", 1)[1]
    message = str(found.get("message_zh", ""))
    if message.endswith("）") and "（" in message and message.rsplit("（", 1)[1][:-1].isascii():
        return message.rsplit("（", 1)[0]
    return message


@page
def submit(visit: Visit, edge: Edge, code: str) -> Response:
    """The same submission use case the API runs; the case is bound to the applicant's verified number. The
    draft's id is the Idempotency-Key: a second click answers with the same case."""
    applicant = _signed_in(visit)
    matter = _online(edge, code)
    draft = _unseal(edge, visit.request.form.get("draft", ""), matter.code)
    draft["applicant"]["phone"] = applicant.phone
    command = _command(draft, visit.request.form.get("commitment") == "yes")
    case_id = edge.store.run(_submit_bound, command, applicant, draft["id"], edge.context,
                             retries=1)
    return redirect(f"/apply/cases/{quote(case_id)}/receipt")


def _submit_bound(uow: UnitOfWork, command: SubmitCase, applicant: Applicant, key: str, context: Context) -> str:
    _, case_id = handlers.submit_case(uow, command, applicant.actor, key, context)
    uow.applicants.bind(case_id, applicant.phone_key)
    return case_id


def _seal(edge: Edge, draft: dict[str, Any]) -> str:
    raw = base64.urlsafe_b64encode(json.dumps(draft, ensure_ascii=False, sort_keys=True).encode()).decode()
    return f"{raw}.{hmac.new(edge.key, b'draft.' + raw.encode(), hashlib.sha256).hexdigest()[:32]}"


def _unseal(edge: Edge, sealed: str, matter_code: str) -> dict[str, Any]:
    raw, _, mac = sealed.rpartition(".")
    expected = hmac.new(edge.key, b"draft." + raw.encode(), hashlib.sha256).hexdigest()[:32]
    try:
        draft = json.loads(base64.urlsafe_b64decode(raw.encode())) if hmac.compare_digest(mac, expected) else None
    except ValueError:
        draft = None
    if not isinstance(draft, dict) or draft.get("matter_code") != matter_code:
        raise PageRefusal(400, "draft", "draft_invalid", "申请内容已失效，请重新填写", "the draft is invalid")
    return draft


# ---- my cases ----------------------------------------------------------------------------------------------

def _own_view(visit: Visit, edge: Edge, case_id: str) -> tuple[Applicant, dict[str, Any]]:
    """The case, only to the applicant whose verified number it is bound to (another's is not found, 404);
    each read audited under the applicant."""
    applicant = _signed_in(visit)
    with edge.store.unit_of_work() as uow:
        if not applicants.owns(uow, applicant, case_id):
            raise NotFound("case_id", case_id)
        view = view_of(uow, case_id)
        holder = uow.cases.get(case_id).holder_id
    Auditor("intake", edge.settings).record(edge.store, visit.request, "case.read", "case_progress",
                                            case_id=case_id, subject=holder, actor=_actor(applicant))
    return applicant, view


def _actor(applicant: Applicant) -> AuditActor:
    return AuditActor(kind="client", name=applicant.actor, role="applicant")


@page
def my_cases(visit: Visit, edge: Edge) -> Response:
    applicant = _signed_in(visit)
    with edge.store.unit_of_work() as uow:
        views = [view_of(uow, case_id) for case_id in uow.applicants.cases_of(applicant.phone_key)]
    return _render(visit, edge, "apply/cases.html", cases=views, names=_matter_names(edge), status_zh=STATUS_ZH)


def _matter_names(edge: Edge) -> dict[str, str]:
    return {code: m.name for code, m in edge.context.catalog.matters.items()}


@page
def case_page(visit: Visit, edge: Edge, case_id: str) -> Response:
    _, view = _own_view(visit, edge, case_id)
    return _case_page(visit, edge, view, {})


def _case_page(visit: Visit, edge: Edge, view: dict[str, Any], errors: dict[str, str],
               status: int = 200) -> Response:
    catalog = edge.context.catalog
    matter = catalog.matter(view["matter_code"])
    own = {e.code: e.name for e in material_list(catalog, matter.code, matter.situation_codes)}
    names = {code: m.name for code, m in catalog.materials.items()} | own
    schema = merged_form(catalog, matter.code, matter.situation_codes)
    return _render(visit, edge, "apply/case.html", status, view=view, errors=errors,
                   matter_name=_matter_names(edge).get(view["matter_code"], view["matter_code"]),
                   status_zh=STATUS_ZH, item_zh=ITEM_ZH, scores=SCORES, material_names=names, matter_materials=own,
                   joint_zh=JOINT_ZH,
                   fields=schema.get("properties", {}), concluded=view["status"] in rating.CONCLUDED)


@page
def receipt(visit: Visit, edge: Edge, case_id: str) -> Response:
    _, view = _own_view(visit, edge, case_id)
    link = track_url(edge.settings.base_url("intake"), view["case_id"], view["lookup_code"])
    return _render(visit, edge, "apply/receipt.html", view=view, link=link, status_zh=STATUS_ZH, item_zh=ITEM_ZH,
                   matter_name=_matter_names(edge).get(view["matter_code"], view["matter_code"]))


@page
def answer(visit: Visit, edge: Edge, case_id: str) -> Response:
    """The answer to the correction notice, or to a department's supplement request: the same supply use case
    the API runs, with the files uploaded here under the applicant."""
    applicant, view = _own_view(visit, edge, case_id)
    request = visit.request
    errors: dict[str, str] = {}
    materials = []
    for name, upload in request.files.items(multi=True):
        if not isinstance(upload, FileStorage) or not upload.filename:
            continue
        if name == "supplement_file":  # a department's request: the material the applicant chose
            code = request.form.get("material_code", "")
        elif name.startswith("file."):
            code = name.removeprefix("file.")
        else:
            continue
        stored = _store_file(edge, applicant, upload, f"materials.{code}", errors)
        if stored is not None:
            materials.append(MaterialRef(code=code, file_ref=stored["file_ref"], sha256=stored["sha256"]))
    matter = edge.context.catalog.matter(view["matter_code"])
    values = _form_values(merged_form(edge.context.catalog, matter.code, matter.situation_codes), request.form)
    if errors:
        return _case_page(visit, edge, view, errors, 422)
    item = request.form.get("item_code") or None
    try:
        supplement = Supplement(form=values, materials=materials, item_code=item,
                                note=request.form.get("note", "").strip()[:500],
                                commitment=request.form.get("commitment") == "yes")
        edge.store.run(handlers.supply, case_id, supplement, edge.context, applicant.actor, "frontend")
    except ValidationError as invalid:
        return _case_page(visit, edge, view, _by_field(problems_from_validation(invalid)), 422)
    except Refusal as refused:
        return _case_page(visit, edge, view, _by_field(refused.problems), _status(refused))
    return redirect(f"/apply/cases/{quote(case_id)}")


@page
def rate(visit: Visit, edge: Edge, case_id: str) -> Response:
    """好差评: the status page's rating use case, with the case's own lookup code (the case is the applicant's)."""
    _, view = _own_view(visit, edge, case_id)
    try:
        command = RateFromPage.model_validate(visit.request.form.to_dict())
    except ValidationError as invalid:
        return _case_page(visit, edge, view, _by_field(problems_from_validation(invalid)), 422)
    attempt = Attempt("track", caller_address(visit.request), case_id, "code")
    edge.store.run(rating.rate, case_id, view["lookup_code"], attempt, time.time(), command, edge.context, utcnow())
    return redirect(f"/apply/cases/{quote(case_id)}")
