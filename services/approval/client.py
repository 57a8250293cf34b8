"""Client library for department systems: plain pika, nothing else of Yici needed.

A department system consumes its own queue with the department's broker credentials, decides each request,
and gets the approval service's answer; a request is acked only once its decision is recorded::

    from services.approval.client import DepartmentClient

    with DepartmentClient("amqp://dept-tax:secret@mq:5672/yici", "tax") as client:
        for request in client.requests():             # blocks, reconnecting on its own
            answer = client.approve(request)           # or reject(request, reasons, legal_basis) / ask_supplement(request, reasons)
            assert answer.status in ("recorded", "already_decided", "cancelled", "stale_round")

`run(handler)` does the same loop for a handler returning `Decision.approve()`, `.reject(reasons, legal_basis)` or
`.supplement(reasons)`. Names: queue `yici.department.<code>[.<unit>]`; decisions go to exchange
`yici.decisions` with routing key `department_decision.<code>`. Cancellations (`approval_cancelled`) are
acked and passed to `on_cancel`; a cancelled request still queued is skipped. The contract it implements is
the AsyncAPI document shared/asyncapi.json (served by intake at /api/v1/asyncapi.json).
"""
from __future__ import annotations

import json
import logging
import time
import uuid
from collections import OrderedDict, deque
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Callable, Iterator

import pika
from pika.exceptions import AMQPError, NackError, UnroutableError

log = logging.getLogger(__name__)
DECISIONS_EXCHANGE = "yici.decisions"
RETRYABLE = (AMQPError, ConnectionError, OSError)


class DecisionNotPublished(Exception):
    """The broker refused the decision (no decisions queue, or not confirmed): the request stays unacked."""


class NoAnswer(Exception):
    """No answer in time; the request goes back to the queue and may be decided again (recorded once)."""


@dataclass(frozen=True)
class Request:
    """One approval request (approval_requested): `payload` holds everything, incl. form, materials, dates."""
    case_id: str
    payload: dict
    correlation_id: str | None
    redelivered: bool
    tag: int = field(repr=False)
    generation: int = field(repr=False)

    request_id = property(lambda self: self.payload["request_id"])
    item_code = property(lambda self: self.payload["item_code"])
    round = property(lambda self: self.payload.get("round", 1))
    due_date = property(lambda self: self.payload.get("due_date"))


@dataclass(frozen=True)
class Answer:
    """The approval service's answer: `recorded` once; any other status changed nothing."""
    request_id: str
    status: str
    decision: str | None
    licenses: list[str]
    message_zh: str
    message_en: str

    @property
    def recorded(self) -> bool:
        return self.status == "recorded"


@dataclass(frozen=True)
class Decision:
    decision: str
    reasons: tuple[str, ...] = ()
    license: dict | None = None
    legal_basis: str | None = None

    @classmethod
    def approve(cls, license: dict | None = None) -> "Decision":
        """`license`: optional {"issue": false} or {"valid_until": "YYYY-MM-DD", "remarks": ...}."""
        return cls("approved", (), license)

    @classmethod
    def reject(cls, reasons, legal_basis: str) -> "Decision":
        """A rejection states its reasons and the legal basis (the applicant's written decision quotes both)."""
        return cls("rejected", tuple(reasons), legal_basis=legal_basis)

    @classmethod
    def supplement(cls, reasons) -> "Decision":
        return cls("supplement_requested", tuple(reasons))


class DepartmentClient:
    def __init__(self, url: str, department: str, unit: str | None = None, *, decided_by: str | None = None,
                 prefetch: int = 20, heartbeat: int = 10, answer_timeout: float = 30.0,
                 max_reconnect_delay: float = 10.0, on_cancel: Callable[[dict], None] | None = None,
                 on_answer: Callable[[Answer], None] | None = None):
        self.url, self.department, self.unit = url, department, unit
        self.queue = f"yici.department.{department}" + (f".{unit}" if unit else "")
        self.decided_by = decided_by or f"{department}-system"
        self.prefetch, self.heartbeat, self.answer_timeout = prefetch, heartbeat, answer_timeout
        self.max_reconnect_delay = max_reconnect_delay
        self.on_cancel, self.on_answer = on_cancel or (lambda c: None), on_answer or (lambda a: None)
        self.cancelled: set[str] = set()
        # pika's (untyped) connection, channel and consumer generator, opened by _ensure() before each use
        self._connection: Any = None
        self._channel: Any = None
        self._deliveries: Any = None
        self._generation = 0
        self._buffer: deque[Request] = deque()
        self._answers: dict[str, Answer] = {}
        self._done: OrderedDict[tuple[str, int], Answer] = OrderedDict()
        self._stopping = False

    def __enter__(self) -> "DepartmentClient":
        self._ensure()
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def requests(self, idle_timeout: float | None = None) -> Iterator[Request]:
        """Requests to decide, until `stop()` or `idle_timeout` seconds without one."""
        idle_since = time.monotonic()
        while not self._stopping:
            request = self._settled(self._buffer.popleft()) if self._buffer else self._receive(0.5)
            if request is not None and request.request_id in self.cancelled:
                self._ack(request)
            elif request is not None:
                yield request
                idle_since = time.monotonic()
            elif idle_timeout is not None and time.monotonic() - idle_since > idle_timeout:
                return

    def approve(self, request: Request, license: dict | None = None, **options) -> Answer | None:
        return self.decide(request, Decision.approve(license), **options)

    def reject(self, request: Request, reasons, legal_basis: str, **options) -> Answer | None:
        return self.decide(request, Decision.reject(reasons, legal_basis), **options)

    def ask_supplement(self, request: Request, reasons, **options) -> Answer | None:
        return self.decide(request, Decision.supplement(reasons), **options)

    def decide(self, request: Request, decision: Decision, *, decided_by: str | None = None,
               wait: bool = True, timeout: float | None = None) -> Answer | None:
        """Publish the decision (persistent, confirmed); with `wait`, ack the request once it is answered."""
        event_id = str(uuid.uuid4())
        self._publish(_decision_event(event_id, request, decision, self.department, self.unit,
                                      decided_by or self.decided_by))
        if not wait:
            self._ack(request)
            return None
        answer = self._await(event_id, timeout or self.answer_timeout, request)
        self._remember(request, answer)
        self._ack(request)
        return answer

    def run(self, handler: Callable[[Request], Decision], idle_timeout: float | None = None) -> int:
        """Decide every request with `handler`; returns how many were decided."""
        count = 0
        for request in self.requests(idle_timeout):
            self.decide(request, handler(request))
            count += 1
        return count

    def stop(self) -> None:
        self._stopping = True

    def close(self) -> None:
        self._stopping = True
        if self._connection is not None and self._connection.is_open:
            try:
                self._connection.close()
            except RETRYABLE:
                pass
        self._connection = None

    # -- the connection, reconnected on its own -------------------------------------------------------

    def _ensure(self) -> None:
        delay = 0.2
        while self._connection is None or not self._connection.is_open:
            try:
                self._open()
            except RETRYABLE as exc:
                log.warning("department client: cannot connect (%s), retrying in %.1fs", type(exc).__name__, delay)
                time.sleep(delay)
                delay = min(self.max_reconnect_delay, delay * 2)

    def _open(self) -> None:
        params = pika.URLParameters(self.url)
        params.heartbeat, params.blocked_connection_timeout = self.heartbeat, 30
        connection = pika.BlockingConnection(params)
        channel = connection.channel()
        channel.confirm_delivery()
        channel.basic_qos(prefetch_count=self.prefetch)
        self._connection, self._channel, self._generation = connection, channel, self._generation + 1
        self._deliveries = channel.consume(self.queue, inactivity_timeout=0.1)
        self._buffer.clear()  # unacked deliveries of the old channel come again

    def _drop(self, exc: BaseException) -> None:
        log.warning("department client: connection lost (%s), reconnecting", type(exc).__name__)
        self._connection = None
        time.sleep(0.2)

    def _receive(self, timeout: float) -> Request | None:
        """The next request; cancellations and answers met on the way are handled."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and not self._stopping:
            try:
                self._ensure()
                method, properties, body = next(self._deliveries)
            except RETRYABLE as exc:
                self._drop(exc)
                continue
            if method is not None:
                request = self._dispatch(method, properties, body)
                if request is not None:
                    return request
        return None

    def _dispatch(self, method, properties, body) -> Request | None:
        try:
            message = json.loads(body)
            kind, payload = message["event_type"], message["payload"]
        except (ValueError, KeyError, TypeError):
            self._channel.basic_nack(method.delivery_tag, requeue=False)  # to the queue's dead-letter queue
            return None
        if kind == "approval_requested":
            request = Request(message["case_id"], payload, message.get("correlation_id"), method.redelivered,
                              method.delivery_tag, self._generation)
            return self._settled(request)
        self._channel.basic_ack(method.delivery_tag)
        if kind == "approval_cancelled":
            self.cancelled.add(payload["request_id"])
            self.on_cancel(payload)
        elif kind == "decision_answered":
            self._answers[payload["decision_event_id"]] = _answer(payload)
        return None

    def _settled(self, request: Request) -> Request | None:
        """A redelivered request this client already had answered is acked, not decided again."""
        if (request.request_id, request.round) in self._done:
            self._ack(request)
            return None
        return request

    def _publish(self, event: dict) -> None:
        body = json.dumps(event, ensure_ascii=False).encode("utf-8")
        properties = pika.BasicProperties(content_type="application/json", delivery_mode=2,
                                          message_id=event["event_id"])
        while True:
            try:
                self._ensure()
                self._channel.basic_publish(DECISIONS_EXCHANGE, f"department_decision.{self.department}", body,
                                            properties, mandatory=True)
                return
            except (UnroutableError, NackError) as exc:
                raise DecisionNotPublished(f"the broker did not take the decision: {type(exc).__name__}") from exc
            except RETRYABLE as exc:
                self._drop(exc)

    def _await(self, event_id: str, timeout: float, request: Request) -> Answer:
        deadline = time.monotonic() + timeout
        while event_id not in self._answers:
            if time.monotonic() > deadline:
                self._nack(request)
                raise NoAnswer(f"no answer for {request.request_id} within {timeout}s")
            found = self._receive(min(0.5, max(0.01, deadline - time.monotonic())))
            if found is not None:
                self._buffer.append(found)
        return self._answers.pop(event_id)

    def _remember(self, request: Request, answer: Answer) -> None:
        self._done[(request.request_id, request.round)] = answer
        while len(self._done) > 10_000:
            self._done.popitem(last=False)

    def _ack(self, request: Request) -> None:
        if request.generation == self._generation and self._connection is not None:
            try:
                self._channel.basic_ack(request.tag)
            except RETRYABLE as exc:
                self._drop(exc)

    def _nack(self, request: Request) -> None:
        if request.generation == self._generation and self._connection is not None:
            try:
                self._channel.basic_nack(request.tag, requeue=True)
            except RETRYABLE as exc:
                self._drop(exc)


def _decision_event(event_id: str, request: Request, decision: Decision, department: str, unit: str | None,
                    decided_by: str) -> dict:
    return {"event_type": "department_decided", "event_id": event_id, "case_id": request.case_id,
            "occurred_at": datetime.now(timezone.utc).isoformat().replace("+00:00", "Z"), "schema_version": 1,
            "correlation_id": request.correlation_id,
            "payload": {"request_id": request.request_id, "item_code": request.item_code, "department": department,
                        "unit": unit, "round": request.round, "decision": decision.decision,
                        "reasons": list(decision.reasons), "decided_by": decided_by, "license": decision.license,
                        "legal_basis": decision.legal_basis}}


def _answer(payload: dict) -> Answer:
    return Answer(payload["request_id"], payload["status"], payload.get("decision"), payload.get("licenses", []),
                  payload.get("message_zh", ""), payload.get("message_en", ""))
