"""HTTP edge: one web server per bind address per process, bearer-token auth, JSON in and out.

In the embedded default the five services share one server, so every path is on one base URL.
"""
from __future__ import annotations

import json
import time
from typing import Callable

from nameko.web.handlers import HttpRequestHandler
from nameko.web.server import WebServer, WsgiApp
from pydantic import BaseModel, ValidationError
from werkzeug.exceptions import HTTPException
from werkzeug.routing import Map
from werkzeug.wrappers import Request, Response

from shared.api import ApiError, problem, problems_from_validation
from shared.metrics import HTTP_LATENCY, HTTP_REQUESTS, exposition
from shared.providers.workers import run_worker

_SERVERS: dict[str, "YiciWebServer"] = {}
_CHECKS: dict[str, Callable[[], None]] = {}


def register_check(name: str, check: Callable[[], None]) -> None:
    """A readiness check: raises when its dependency (broker, database) does not answer."""
    _CHECKS[name] = check


def json_response(status: int, payload, headers: dict | None = None) -> Response:
    if isinstance(payload, BaseModel):
        payload = payload.model_dump(mode="json")
    return Response(json.dumps(payload, ensure_ascii=False, default=str), status=status,
                    headers=headers, mimetype="application/json")


class YiciWebServer(WebServer):
    """Shared by every container of the process that binds the same address."""

    def bind(self, container):
        address = container.config.get("WEB_SERVER_ADDRESS", "127.0.0.1:8000")
        existing = _SERVERS.get(address)
        if existing is not None and not existing._stopped:
            existing._users += 1
            return existing
        instance = super().bind(container)
        instance._users, instance._stopped = 1, False
        _SERVERS[address] = instance
        return instance

    def get_wsgi_app(self):
        return _LazyApp(self)

    def stop(self):
        self._users -= 1
        if self._users <= 0 and not self._stopped:
            self._stopped = True
            super().stop()

    def kill(self):
        if not self._stopped:
            self._stopped = True
            self._is_accepting = False
            if self._gt is not None:
                self._gt.kill()
            if self._sock is not None:
                self._sock.close()


class _LazyApp(WsgiApp):
    """Rebuilds the URL map when containers register more routes; serves probes and /metrics."""

    def __init__(self, server):
        self.server, self._count, self.url_map = server, -1, Map()

    def __call__(self, environ, start_response):
        request = Request(environ, shallow=True)
        builtin = _BUILTIN.get(request.path)
        if builtin is not None:
            return builtin()(environ, start_response)
        if self._count != len(self.server._providers):
            self._count, self.url_map = len(self.server._providers), self.server.make_url_map()
        return super().__call__(environ, start_response)


def _healthz() -> Response:
    return json_response(200, {"status": "ok"})


def _readyz() -> Response:
    failing = {}
    for name, check in list(_CHECKS.items()):
        try:
            check()
        except Exception as exc:  # noqa: BLE001 - any failure means not ready
            failing[name] = type(exc).__name__
    return json_response(503 if failing else 200, {"ready": not failing, "failing": failing})


def _metrics() -> Response:
    return Response(exposition(), mimetype="text/plain; version=0.0.4")


_BUILTIN = {"/healthz": _healthz, "/readyz": _readyz, "/metrics": _metrics}


class HttpEntrypoint(HttpRequestHandler):
    """`@http(method, url, role=...)`: role None is public; otherwise a bearer token of that role."""

    server = YiciWebServer()

    def __init__(self, method, url, role: str | None = "frontend", body_limit=None, **kwargs):
        self.role = role
        self.body_limit = body_limit or (lambda settings: settings.max_body_bytes)
        super().__init__(method, url, **kwargs)

    def handle_request(self, request: Request):
        started = time.perf_counter()
        response = self._respond(request)
        route = f"{self.container.service_name}:{self.url}"
        HTTP_REQUESTS.labels(self.container.service_name, request.method, self.url, response.status_code).inc()
        HTTP_LATENCY.labels(self.container.service_name, route).observe(time.perf_counter() - started)
        return response

    def _respond(self, request: Request) -> Response:
        settings = self.container.config["YICI"]
        try:
            request.environ["yici.client"] = self._authenticate(request, settings)
            limit = self.body_limit(settings)
            if (request.content_length or 0) > limit:
                raise ApiError(413, [problem("body", "too_large", "请求体过大", f"the body exceeds {limit} bytes")])
            request.max_content_length = limit
            request.shallow = False
            args, kwargs = self.get_entrypoint_parameters(request)
            result, exc_info = run_worker(self, args, kwargs)
            if exc_info is not None:
                raise exc_info[1]
            return self.response_from_result(result)
        except Exception as exc:  # noqa: BLE001 - every error becomes a JSON response
            return self.response_from_exception(exc)

    def _authenticate(self, request: Request, settings):
        if self.role is None:
            return None
        header = request.headers.get("Authorization", "")
        token = header[7:].strip() if header.startswith("Bearer ") else ""
        client = settings.client_for_token(token) if token else None
        if client is None:
            raise ApiError(401, [problem("Authorization", "unauthorized", "缺少或无效的访问令牌",
                                         "missing or invalid bearer token")])
        if self.role != "any" and client.role != self.role:
            raise ApiError(403, [problem("Authorization", "forbidden", "无权访问",
                                         f"this path needs the {self.role} role")])
        return client

    def response_from_result(self, result) -> Response:
        if isinstance(result, Response):
            return result
        status, payload = result if isinstance(result, tuple) else (200, result)
        return json_response(status, payload)

    def response_from_exception(self, exc) -> Response:
        if isinstance(exc, ApiError):
            return json_response(exc.status, exc.body())
        if isinstance(exc, ValidationError):
            return json_response(422, ApiError(422, problems_from_validation(exc)).body())
        if isinstance(exc, HTTPException):
            code = exc.code or 500
            return json_response(code, ApiError(code, [problem("request", "http_error", "请求错误",
                                                               exc.description or "")]).body())
        return json_response(500, {"error": "internal error", "status": 500, "problems": [
            problem("server", "internal_error", "服务器内部错误", type(exc).__name__)]})


http = HttpEntrypoint.decorator
