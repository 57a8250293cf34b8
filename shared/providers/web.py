"""HTTP entrypoints: bearer-token auth, JSON in and out, and every error mapped to its HTTP answer here, once.

The web server they share (pools, timeouts, per-client limits, probes) is shared.providers.server.
"""
from __future__ import annotations

import io
import ipaddress
import json
import logging
import time
import traceback
from urllib.parse import urlencode

from nameko.containers import WorkerContext
from nameko.web.handlers import HttpRequestHandler
from pydantic import ValidationError
from sqlalchemy.exc import DBAPIError, DisconnectionError, InterfaceError, OperationalError
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Request, Response

from shared.api import ApiError, check_json_depth, problem, problems_from_validation
from shared.errors import Conflict, Gone, Invalid, NotFound, Refusal, TooManyAttempts
from shared.metrics import HTTP_LATENCY, HTTP_REQUESTS
from shared.providers.server import BodyTimeout, DeadlineInput, YiciWebServer, json_response, unavailable
from shared.providers.workers import RequestExpired, run_worker, workers_of
from shared.staff import SignInRequired, check_csrf_header, staff_principal

log = logging.getLogger("yici.http")
DATABASE_DOWN = (OperationalError, InterfaceError, DisconnectionError)


def database_unavailable(exc: BaseException) -> bool:
    """The database does not answer (down, restarting, refusing connections): not the request's fault."""
    return isinstance(exc, DATABASE_DOWN) or (isinstance(exc, DBAPIError) and exc.connection_invalidated)


REFUSAL_STATUS = {Invalid: 422, NotFound: 404, Conflict: 409, Gone: 410, TooManyAttempts: 429}


def refusal_error(refusal: Refusal) -> ApiError:
    """A refusal of the rules as HTTP: its kind gives the status, its problems are the body."""
    status = next((code for kind, code in REFUSAL_STATUS.items() if isinstance(refusal, kind)), 422)
    return ApiError(status, refusal.problems)


class _WorkerErrorsOfHttp(logging.Filter):
    """Drops Nameko's own record of an exception raised by an HTTP worker ('error handling worker …', at error
    level with a traceback, and the exception's text, which for a refused request carries the raw input: names,
    addresses, phone numbers). The edge logs every request's outcome itself, once (HttpEntrypoint._log_outcome)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if "error handling worker" not in str(record.msg) or not isinstance(record.args, tuple) or not record.args:
            return True
        context = record.args[0]
        return not (isinstance(context, WorkerContext) and isinstance(context.entrypoint, HttpEntrypoint))


_WORKER_ERRORS_OF_HTTP = _WorkerErrorsOfHttp()
REFUSALS = (Refusal, ApiError, ValidationError, HTTPException, BodyTimeout)


def _traceback_without_message(exc: BaseException) -> str:
    """The frames of a real error, and its type; not its message, which may quote the input."""
    frames = "".join(traceback.format_tb(exc.__traceback__))
    kind = f"{type(exc).__module__}.{type(exc).__qualname__}"
    causes: list[str] = []
    cause = exc.__cause__ or exc.__context__
    while cause is not None and len(causes) < 5:
        causes.append(f"{type(cause).__module__}.{type(cause).__qualname__}")
        cause = cause.__cause__ or cause.__context__
    return f"Traceback (most recent call last):\n{frames}{kind} (message withheld)" + \
        (f"\ncaused by: {' <- '.join(causes)}" if causes else "")


class HttpEntrypoint(HttpRequestHandler):
    """`@http(method, url, role=...)`: role None is public; otherwise a bearer token of that role (or of one of
    several, given as a tuple; "any" for every role)."""

    server = YiciWebServer()

    def __init__(self, method, url, role: str | tuple[str, ...] | None = "frontend", body_limit=None, **kwargs):
        self.role = role
        self.body_limit = body_limit or (lambda settings: settings.max_body_bytes)
        super().__init__(method, url, **kwargs)

    def setup(self):
        super().setup()
        containers_log = logging.getLogger("nameko.containers")
        if _WORKER_ERRORS_OF_HTTP not in containers_log.filters:
            containers_log.addFilter(_WORKER_ERRORS_OF_HTTP)

    def stop(self):
        """Refuse new requests (503), let the ones in flight finish, then unregister."""
        self.server.draining = True
        for thread in workers_of(self.container, self):
            thread.wait()
        super().stop()

    def handle_request(self, request: Request):
        started = time.perf_counter()
        response = self._respond(request)
        route = f"{self.container.service_name}:{self.url}"
        self._log_outcome(request, response, route)
        HTTP_REQUESTS.labels(self.container.service_name, request.method, self.url, response.status_code).inc()
        HTTP_LATENCY.labels(self.container.service_name, route).observe(time.perf_counter() - started)
        return response

    def _respond(self, request: Request) -> Response:
        settings = self.container.config["YICI"]
        try:
            request.environ["yici.client"] = self._authenticate(request, settings)
            request.environ["yici.client_address"] = client_address(request, settings.http.trusted_proxies)
            self._read_body(request, settings)
            args, kwargs = self.get_entrypoint_parameters(request)
            expires_at = request.environ.get("yici.received_at", time.monotonic()) + \
                settings.http.request_deadline_seconds
            result, exc_info = run_worker(self, args, kwargs, self.server.workers, expires_at)
            if exc_info is not None:
                raise exc_info[1]
            return self.response_from_result(result)
        except Exception as exc:  # noqa: BLE001 - every error becomes a JSON response (a page for a browser)
            request.environ["yici.error"] = exc
            response = self.response_from_exception(exc)
            return error_page(response) if wants_page(request, response) else response

    def _log_outcome(self, request: Request, response: Response, route: str) -> None:
        """One line per failed request, never with the input's values: a refusal (4xx) at info, without a
        traceback, naming only its problems' codes and fields; a real error (5xx) at error, with its frames and
        type but not its message. A 503 for an outage is a warning without a traceback."""
        exc = request.environ.get("yici.error")
        status = response.status_code
        if exc is None and status < 400:
            return
        fields = {"status": status, "method": request.method, "route": route}
        if status < 500 or isinstance(exc, REFUSALS):
            codes, names = _problem_summary(response)
            log.info("request refused", extra={**fields, "problems": codes, "fields": names})
        elif status == 503:
            log.warning("request unavailable", extra={**fields, "error": type(exc).__name__ if exc else ""})
        else:
            log.error("request failed", extra={**fields, "error": type(exc).__name__ if exc else "",
                                               "traceback": _traceback_without_message(exc) if exc else ""})

    def _read_body(self, request: Request, settings) -> None:
        """A body up to `max_body_bytes` is read here, before a worker is taken, so a slow sender holds none;
        a larger one (an upload) is streamed by its handler. Either way it must arrive within its time.

        A body must declare its length: a chunked one (no Content-Length) would be read as empty by the WSGI
        layer, so it is answered 411 rather than misread. A JSON body nested deeper than JSON_MAX_DEPTH is
        refused before it is parsed (deep nesting exhausts the parser's and the validators' recursion)."""
        limit = self.body_limit(settings)
        if request.content_length is None and \
                "chunked" in request.headers.get("Transfer-Encoding", "").lower():
            raise ApiError(411, [problem("Content-Length", "length_required", "请求体须带 Content-Length（不支持分块传输）",
                                         "send the body with a Content-Length; chunked transfer is not accepted")])
        if (request.content_length or 0) > limit:
            raise ApiError(413, [problem("body", "too_large", "请求体过大", f"the body exceeds {limit} bytes")])
        environ = request.environ
        body = DeadlineInput(environ["wsgi.input"], time.monotonic() + settings.http.body_timeout_seconds)
        length = request.content_length
        environ["wsgi.input"] = io.BytesIO(body.read(length)) if length is not None and \
            length <= settings.max_body_bytes else body
        request.max_content_length = limit
        request.shallow = False
        if isinstance(environ["wsgi.input"], io.BytesIO) and _is_json(request.mimetype or ""):
            check_json_depth(environ["wsgi.input"].getvalue())

    def _staff_client(self, request: Request, settings):
        """Without a bearer token, a signed-in person's session (their role's API paths, attributed to them);
        a state-changing call from a page must carry the session's CSRF token (X-CSRF-Token)."""
        principal = staff_principal(request, settings)
        if principal is None:
            return None
        if request.method not in ("GET", "HEAD", "OPTIONS"):
            check_csrf_header(request, principal)
        request.environ["yici.staff"] = principal
        return principal.as_client()

    def _authenticate(self, request: Request, settings):
        if self.role is None:
            return None
        header = request.headers.get("Authorization", "")
        token = header[7:].strip() if header.startswith("Bearer ") else ""
        client = settings.client_for_token(token) if token else self._staff_client(request, settings)
        if client is None:
            raise ApiError(401, [problem("Authorization", "unauthorized", "缺少或无效的访问令牌",
                                         "missing or invalid bearer token")])
        roles = self.role if isinstance(self.role, tuple) else (self.role,)
        if "any" not in roles and client.role not in roles:
            raise ApiError(403, [problem("Authorization", "forbidden", "无权访问",
                                         f"this path needs the {' or '.join(roles)} role")])
        return client

    def response_from_result(self, result) -> Response:
        if isinstance(result, Response):
            return result
        status, payload = result if isinstance(result, tuple) else (200, result)
        return json_response(status, payload)

    def response_from_exception(self, exc) -> Response:
        retry_after = self.container.config["YICI"].http.retry_after_seconds
        if isinstance(exc, SignInRequired):
            return Response(status=303, headers={"Location": "/staff/signin?" + urlencode({"next": exc.next_path}),
                                                 "Cache-Control": "no-store"})
        if isinstance(exc, TooManyAttempts):
            return json_response(429, refusal_error(exc).body(), headers={"Retry-After": str(exc.retry_after)})
        if isinstance(exc, Refusal):
            exc = refusal_error(exc)
        if isinstance(exc, ApiError):
            return json_response(exc.status, exc.body())
        if isinstance(exc, ValidationError):
            return json_response(422, ApiError(422, problems_from_validation(exc)).body())
        if isinstance(exc, HTTPException):
            code = exc.code or 500
            return json_response(code, ApiError(code, [problem("request", "http_error", "请求错误",
                                                               exc.description or "")]).body())
        if isinstance(exc, BodyTimeout):
            return json_response(408, ApiError(408, [problem("body", "body_timeout", "请求体发送超时",
                                                             str(exc))], "request timeout").body())
        if database_unavailable(exc):
            return unavailable("database_unavailable", "数据库暂时不可用，请稍后重试",
                               "the database is unavailable; retry with the same Idempotency-Key", retry_after)
        if isinstance(exc, RequestExpired):
            return unavailable("request_expired", "请求等待时间过长，未予处理，请重新提交",
                               "the request waited past its deadline and was not processed", retry_after)
        return json_response(500, {"error": "internal error", "status": 500, "problems": [
            problem("server", "internal_error", "服务器内部错误", type(exc).__name__)]})


def wants_page(request: Request, response: Response) -> bool:
    """A person's browser asked for a page (not /api/, Accept names HTML) and got a JSON refusal or error."""
    return (response.status_code >= 400 and response.mimetype == "application/json"
            and not request.path.startswith("/api/") and "text/html" in request.headers.get("Accept", ""))


def error_page(response: Response) -> Response:
    """The JSON problem answer as a page of the suite's kit, same status and headers (Retry-After)."""
    from shared.web.pages import render
    try:
        problems = json.loads(response.get_data()).get("problems") or []
    except (ValueError, AttributeError):
        problems = []
    status = response.status_code
    heading, explanation = PAGE_ERRORS.get(status, PAGE_ERRORS[500 if status >= 500 else 400])
    messages = [str(p.get("message_zh")) for p in problems if isinstance(p, dict) and p.get("message_zh")]
    kept = {k: v for k, v in response.headers.items() if k in ("Retry-After",)}
    return render("error.html", status=status, headers=kept, heading=heading, explanation=explanation,
                  messages=messages[:10], principal=None, csrf="")


PAGE_ERRORS = {
    400: ("请求有误", "提交的内容无法处理，请检查后重试。"),
    401: ("需要登录", "请先登录后再办理。"),
    403: ("无权访问", "您的账号无权查看或办理此项内容。如需权限，请联系系统管理员。"),
    404: ("页面不存在", "没有找到您要的内容，它可能已被移除，或您无权查看。"),
    409: ("无法办理", "当前状态下不能进行此项操作，请刷新页面查看最新情况。"),
    413: ("文件过大", "上传的文件超过了允许的大小。"),
    422: ("填写有误", "提交的内容有误，请按下列提示修改。"),
    429: ("操作过于频繁", "请稍后再试。"),
    500: ("系统暂时无法处理", "请稍后重试；如持续出现，请联系窗口工作人员。"),
    503: ("系统繁忙", "服务暂时不可用，请稍后重试。"),
}


def _problem_summary(response: Response) -> tuple[list[str], list[str]]:
    """The codes and field names of a JSON problem answer (no messages: they may echo the input)."""
    if response.mimetype != "application/json" or response.is_streamed:
        return [], []
    try:
        problems = json.loads(response.get_data()).get("problems") or []
        return [str(p.get("code", "")) for p in problems][:20], [str(p.get("field", "")) for p in problems][:20]
    except (ValueError, AttributeError):
        return [], []


def client_address(request: Request, trusted_proxies: list) -> str:
    """The client's address: the peer's, or behind trusted reverse proxies the nearest X-Forwarded-For hop that
    is not one of them (hops further left are the client's own word, so they are not believed)."""
    peer = request.remote_addr or ""
    hops = [hop.strip() for hop in request.headers.get("X-Forwarded-For", "").split(",") if hop.strip()]
    for address in [*reversed(hops)] if _trusted(peer, trusted_proxies) else []:
        if not _trusted(address, trusted_proxies):
            return address
    return peer


def _trusted(address: str, trusted_proxies: list) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in trusted_proxies)


def _is_json(mimetype: str) -> bool:
    return mimetype == "application/json" or mimetype.endswith("+json")


http = HttpEntrypoint.decorator
