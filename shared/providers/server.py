"""The web server every service's HTTP entrypoints share (one per bind address per process), kept apart from
event handling: its own bounded pools of connections and workers, read timeouts on headers and bodies, a limit
of requests under way per client, and the probes and /metrics served before any route.

In the embedded default the five services share one server, so every path is on one base URL.
"""
from __future__ import annotations

import json
import logging
import socket
import time

import eventlet
from eventlet import wsgi
from eventlet.greenpool import GreenPool
from nameko.web.server import HttpOnlyProtocol, WebServer, WsgiApp
from pydantic import BaseModel
from werkzeug.routing import Map
from werkzeug.wrappers import Request, Response

from shared.api import ApiError, problem
from shared.metrics import HTTP_REFUSED, exposition
from shared.providers import probes

log = logging.getLogger(__name__)
_SERVERS: dict[str, "YiciWebServer"] = {}


def json_response(status: int, payload, headers: dict | None = None) -> Response:
    if isinstance(payload, BaseModel):
        payload = payload.model_dump(mode="json")
    return Response(json.dumps(payload, ensure_ascii=False, default=str), status=status,
                    headers=headers, mimetype="application/json")


class YiciProtocol(HttpOnlyProtocol):
    """Notes when a request arrived (its deadline counts from there) and bounds the time to send its headers."""

    def parse_request(self):
        self.received_at = time.monotonic()
        with eventlet.Timeout(self.server.header_timeout, socket.timeout("request headers too slow")):
            return super().parse_request()

    def get_environ(self):
        environ = super().get_environ()
        environ["yici.received_at"] = getattr(self, "received_at", time.monotonic())
        return environ


class YiciWebServer(WebServer):
    """Shared by every container of the process that binds the same address."""
    _users: int
    _stopped: bool
    draining: bool

    def bind(self, container):
        address = container.config.get("WEB_SERVER_ADDRESS", "127.0.0.1:8000")
        existing = _SERVERS.get(address)
        if existing is not None and not existing._stopped:
            existing._users += 1
            return existing
        instance = super().bind(container)
        instance._users, instance._stopped, instance.draining = 1, False, False
        _SERVERS[address] = instance
        return instance

    def start(self):
        if not self._starting:
            self.limits = self.container.config["YICI"].http
            self.workers = GreenPool(self.limits.workers)
            self._connections = GreenPool(self.limits.connections)
            self._clients: dict[str, list[list]] = {}  # client address -> its connections' eventlet states
        super().start()

    def get_wsgi_server(self, sock, wsgi_app, protocol=YiciProtocol, debug=False):
        server = wsgi.Server(sock, sock.getsockname(), wsgi_app, protocol=protocol, debug=debug,
                             log=logging.getLogger("yici.access"), socket_timeout=self.limits.read_timeout_seconds,
                             keepalive=self.limits.keepalive_seconds)
        server.header_timeout = self.limits.header_timeout_seconds
        return server

    def get_wsgi_app(self):
        return _LazyApp(self)

    def run(self):
        while self._is_accepting:
            sock, address = self._sock.accept()
            sock.settimeout(self._serv.socket_timeout)
            refusal = self._refusal(address[0])
            if refusal is not None:
                eventlet.spawn_n(_refuse, sock, *refusal)
                continue
            state = [address, sock, wsgi.STATE_IDLE]
            self._clients.setdefault(address[0], []).append(state)
            self._connections.spawn_n(self._serve, state)

    def _refusal(self, client: str) -> tuple[int, str] | None:
        """Why a new connection is not taken: its client has too many requests under way (sending slowly, or
        waiting), or too many connections; or the server has no room. Idle keep-alive connections cost little."""
        states = self._clients.get(client, [])
        busy = sum(1 for state in states if state[2] == wsgi.STATE_REQUEST)
        if busy >= self.limits.requests_per_client or len(states) >= self.limits.connections_per_client:
            HTTP_REFUSED.labels("client_limit").inc()
            return 429, "too many requests under way from this client"
        if self._connections.free() == 0:
            HTTP_REFUSED.labels("server_full").inc()
            return 503, "too many connections"
        return None

    def _serve(self, state: list) -> None:
        try:
            self._serv.process_request(state)
        except Exception as exc:  # noqa: BLE001 - one connection's failure is only its own
            log.info("connection ended: %s", type(exc).__name__)
            state[1].close()
        finally:
            states = self._clients.get(state[0][0], [])
            states.remove(state)
            if not states:
                self._clients.pop(state[0][0], None)

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


def _refuse(sock, status: int, reason: str) -> None:
    """Answer a connection that is not taken (429/503) at once, and close it."""
    body = json.dumps({"error": reason, "status": status, "problems": [
        problem("connection", "refused", "连接过多，请稍后再试", reason)]}, ensure_ascii=False).encode()
    head = (f"HTTP/1.1 {status} {'Too Many Requests' if status == 429 else 'Service Unavailable'}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\nRetry-After: 1\r\n"
            "Connection: close\r\n\r\n").encode()
    try:
        sock.settimeout(1.0)
        sock.sendall(head + body)
    except OSError:
        pass
    finally:
        sock.close()


class _LazyApp(WsgiApp):
    """Rebuilds the URL map when containers register more routes; serves probes and /metrics."""

    def __init__(self, server):
        self.server, self._count, self.url_map = server, -1, Map()

    def __call__(self, environ, start_response):
        request = Request(environ, shallow=True)
        builtin = _BUILTIN.get(request.path)
        if builtin is not None:
            return builtin(self.server)(environ, start_response)
        if self.server.draining:
            return unavailable("shutting_down", "服务正在停止，请稍后重试", "the service is shutting down",
                               self.server.limits.retry_after_seconds)(environ, start_response)
        if self._count != len(self.server._providers):
            self._count, self.url_map = len(self.server._providers), self.server.make_url_map()
        return super().__call__(environ, start_response)


class BodyTimeout(Exception):
    """The client did not send its body within the time allowed."""


class DeadlineInput:
    """A request body readable until a deadline; a client that sends too slowly is cut off (408)."""

    def __init__(self, raw, deadline: float):
        self._raw, self._deadline = raw, deadline

    def read(self, size: int | None = -1) -> bytes:
        return self._within(self._raw.read, size)

    def readline(self, size: int | None = -1) -> bytes:
        return self._within(self._raw.readline, size)

    def _within(self, read, size: int | None) -> bytes:
        left = self._deadline - time.monotonic()
        if left <= 0:
            raise BodyTimeout("the request body took too long to arrive")
        try:
            with eventlet.Timeout(left):
                return read() if size is None or size < 0 else read(size)
        except eventlet.Timeout:
            raise BodyTimeout("the request body took too long to arrive") from None


def unavailable(code: str, message_zh: str, message_en: str, retry_after: int) -> Response:
    """503 with Retry-After and a problem body: the client may try again, with the same Idempotency-Key."""
    body = ApiError(503, [problem("server", code, message_zh, message_en)], "service unavailable").body()
    return json_response(503, body, headers={"Retry-After": str(retry_after)})


def _healthz(_server) -> Response:
    return json_response(*probes.health())


def _readyz(server) -> Response:
    return json_response(*probes.readiness(server.draining))


def _metrics(_server) -> Response:
    return Response(exposition(), mimetype="text/plain; version=0.0.4")


_BUILTIN = {"/healthz": _healthz, "/readyz": _readyz, "/metrics": _metrics}
