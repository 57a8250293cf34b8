"""Broker plumbing over kombu: topology declaration and a confirming, mandatory publisher."""
from __future__ import annotations

import errno
import itertools
import logging
import time
import uuid
from contextlib import contextmanager
from typing import Iterable, Iterator

from amqp import spec as amqp_spec
from amqp.transport import TCPTransport
from eventlet.queue import Empty, LifoQueue
from kombu import Connection, Exchange, Producer, Queue, binding
from kombu.utils.url import parse_url

from shared import topology
from shared.messaging import OutgoingMessage

log = logging.getLogger(__name__)
EVENTS = Exchange(topology.EVENTS_EXCHANGE, type="topic", durable=True)
DEAD_LETTERS = Exchange(topology.DEAD_LETTER_EXCHANGE, type="direct", durable=True)
READ_AHEAD = 65536


def _read_ahead(self, n, initial=False, _errnos=(errno.EAGAIN, errno.EINTR)):
    """py-amqp's TCPTransport._read, reading ahead: up to READ_AHEAD bytes per recv, kept for the next frames.

    py-amqp asks the socket for exactly the bytes it needs next, so a delivery (method, header and body frames)
    costs six recv calls, each through eventlet's green socket, a visible share of a consuming service's CPU
    (deploy/CAPACITY.md, section 6).
    Nothing waits on the socket's readiness before reading a frame (drain_events reads directly), so frames
    already buffered are read without a system call. The buffer is a bytearray, trimmed from the front.
    """
    rbuf = self._read_buffer
    if type(rbuf) is not bytearray:
        rbuf = self._read_buffer = bytearray(rbuf)
    if len(rbuf) < n:
        recv = self._quick_recv
        while len(rbuf) < n:
            try:
                s = recv(max(n - len(rbuf), READ_AHEAD))
            except OSError as exc:
                if exc.errno in _errnos:
                    if initial and self.raise_on_initial_eintr:
                        raise TimeoutError() from None
                    continue
                raise
            if not s:
                raise OSError("Server unexpectedly closed connection")
            rbuf += s
    result = bytes(rbuf[:n])
    del rbuf[:n]
    return result


TCPTransport._read = _read_ahead


def connection(uri: str, heartbeat: int = 10, connect_timeout: float = 5.0) -> Connection:
    """A kombu connection; `uri` may list several brokers separated by ';' (failover, as kombu reads it)."""
    options = {"confirm_publish": True, "polling_interval": 0.005}
    return Connection(uri, heartbeat=heartbeat, transport_options=options, connect_timeout=connect_timeout)


def broker_user_of(uri: str) -> str | None:
    """The user an AMQP URI connects as (a cluster's URIs name the same one); None for the in-memory transport."""
    first = uri.split(";")[0]
    return parse_url(first).get("userid") if first.startswith(("amqp", "pyamqp")) else None


def kombu_queue(spec: topology.QueueSpec, quorum: bool = False) -> Queue:
    arguments: dict[str, object] = {"x-dead-letter-exchange": topology.DEAD_LETTER_EXCHANGE,
                                    "x-dead-letter-routing-key": spec.name}
    if quorum:
        arguments.update({"x-queue-type": "quorum", "x-delivery-limit": 20})
    bindings = [binding(exchange_of(spec), routing_key=key) for key in spec.routing_keys]
    return Queue(spec.name, bindings=bindings, durable=True, queue_arguments=arguments)


def dead_letter_queue(spec: topology.QueueSpec, quorum: bool = False) -> Queue:
    arguments = {"x-queue-type": "quorum"} if quorum else {}
    return Queue(spec.dead_letter_queue, exchange=DEAD_LETTERS, routing_key=spec.name, durable=True,
                 queue_arguments=arguments)


def exchange_of(spec: topology.QueueSpec) -> Exchange:
    """The topic exchange a queue is bound to: yici.events, or another such as yici.decisions."""
    return EVENTS if spec.exchange == EVENTS.name else Exchange(spec.exchange, type="topic", durable=True)


def declare(channel, specs: Iterable[topology.QueueSpec], quorum: bool = False) -> None:
    """Declare exchanges, queues, bindings and dead-letter queues on a channel (idempotent).

    `quorum` is the cluster profile: quorum queues with a delivery limit, as deploy/'s definitions say.
    """
    EVENTS(channel).declare()
    DEAD_LETTERS(channel).declare()
    for spec in specs:
        if spec.exchange != EVENTS.name:
            exchange_of(spec)(channel).declare()
        kombu_queue(spec, quorum)(channel).declare()
        dead_letter_queue(spec, quorum)(channel).declare()


class Publisher:
    """Publishes persistent JSON messages with publisher confirms, mandatory routing and a timeout.

    It never blocks for long and never leaks: a connection slot goes back to the pool on every path (a failed
    connect included), a caller waits at most `confirm_timeout` for a free slot, and after a failed connect
    the publisher fails fast for `cooldown` seconds (callers leave their rows to the outbox relay, which
    probes the broker meanwhile with `probe=True`).

    Every message carries the AMQP `user_id` of the connection's user: RabbitMQ refuses a message whose user_id
    is not the connection's, so a consumer can trust it as the sender (docs/decisions/0016).
    """

    def __init__(self, uri: str, confirm_timeout: float = 5.0, heartbeat: int = 10, size: int = 10,
                 connect_timeout: float = 2.0, cooldown: float = 5.0):
        self._uri, self._heartbeat = uri, heartbeat
        self.confirm_timeout, self.connect_timeout, self.cooldown = confirm_timeout, connect_timeout, cooldown
        self._idle: LifoQueue = LifoQueue()
        for _ in range(size):
            self._idle.put(None)
        self.size = size
        self.state = BrokerState()
        self.user_id = broker_user_of(uri)

    def publish(self, messages: list[OutgoingMessage], probe: bool = False) -> list[str]:
        """Publish in order; returns the ids the broker confirmed, stopping at the first failure.

        All of them go out before the first confirm is awaited (one round trip for the lot, not one each).
        """
        if not messages:
            return []
        try:
            with self._producer(probe) as producer:
                return self._send(producer, [(m.body, EVENTS, m.routing_key, {}, "application/json", m.event_id)
                                             for m in messages])
        except PublishFailed as failed:
            log.warning("publish failed, will retry from the outbox: %s", failed.reason)
            raise

    def safe_publish(self, messages: list[OutgoingMessage], probe: bool = False) -> list[str]:
        try:
            return self.publish(messages, probe)
        except PublishFailed as broken:
            return broken.sent

    def publish_raw(self, body: bytes | str, exchange: Exchange, routing_key: str,
                    headers: dict, content_type: str = "application/json") -> None:
        with self._producer(probe=True) as producer:
            self._send(producer, [(body, exchange, routing_key, headers, content_type, None)])

    def _send(self, producer: Producer, items: list[tuple]) -> list[str]:
        """Publish persistent, mandatory messages and wait for their confirms; the confirmed ids in order.

        Raises PublishFailed (with the confirmed prefix) on a nack, a return (unroutable), a timeout or an error.
        """
        channel = producer.channel
        if not hasattr(channel, "_basic_publish"):  # kombu's in-memory transport: nothing to confirm
            return self._send_unconfirmed(producer, items)
        tags = [item[5] or str(uuid.uuid4()) for item in items]  # message ids: a return names its message
        try:
            confirms = _Confirms(channel, tags)
        except Exception as exc:  # noqa: BLE001 - e.g. the connection is gone
            raise PublishFailed([], f"{type(exc).__name__}: {exc}") from exc
        try:
            for tag, (body, exchange, routing_key, headers, content_type, _) in zip(tags, items):
                message = channel.prepare_message(
                    body.encode() if isinstance(body, str) else body, content_type=content_type,
                    content_encoding="utf-8", headers=headers, properties=self._properties(tag))
                channel._basic_publish(message, exchange=exchange.name, routing_key=routing_key, mandatory=True)
            confirms.wait(self.confirm_timeout)
        except Exception as exc:  # noqa: BLE001 - whatever was not confirmed stays in the outbox
            raise PublishFailed(confirms.sent_ids(items), f"{type(exc).__name__}: {exc}") from exc
        finally:
            confirms.close()
        sent = confirms.sent_ids(items)
        if len(sent) < len(items):
            raise PublishFailed(sent, confirms.failure(items))
        return sent

    def _properties(self, message_id: str) -> dict:
        properties = {"delivery_mode": 2, "message_id": message_id}
        return properties if self.user_id is None else dict(properties, user_id=self.user_id)

    @staticmethod
    def _send_unconfirmed(producer: Producer, items: list[tuple]) -> list[str]:
        for body, exchange, routing_key, headers, content_type, message_id in items:
            try:
                producer.publish(body, exchange=exchange, routing_key=routing_key, headers=headers,
                                 content_type=content_type, content_encoding="utf-8", delivery_mode=2,
                                 message_id=message_id, retry=False)
            except Exception as exc:  # noqa: BLE001
                raise PublishFailed([], f"{type(exc).__name__}: {exc}") from exc
        return [message_id for *_, message_id in items]

    @contextmanager
    def _producer(self, probe: bool = False) -> Iterator[Producer]:
        """A connected producer from the pool; its slot goes back on every path, a broken one is closed."""
        if not probe and self.state.cooling_down():
            raise PublishFailed([], f"broker unavailable: {self.state.last_error}")
        producer = self._take_slot()
        try:
            producer = self._fresh(producer)
            yield producer
        except BaseException:
            _close_quietly(producer)
            producer = None
            raise
        finally:
            if producer is not None:
                producer.idle_since = time.monotonic()  # type: ignore[attr-defined]  # our stamp on kombu's
            self._idle.put(producer)

    def _take_slot(self) -> Producer | None:
        with self.state.waiting():
            try:
                return self._idle.get(timeout=self.confirm_timeout)
            except Empty:
                raise PublishFailed([], f"no free broker connection after {self.confirm_timeout} s") from None

    def _fresh(self, producer: Producer | None) -> Producer:
        if producer is not None and self._heartbeat and \
                time.monotonic() - producer.idle_since > self._heartbeat:  # type: ignore[attr-defined]
            # an idle connection sends no heartbeats, and the broker drops it after two missed ones: replace it
            # now rather than fail a publish on it (which only the outbox relay would repair, seconds later)
            _close_quietly(producer)
            producer = None
        return producer or self._new_producer()

    def _new_producer(self) -> Producer:
        conn = connection(self._uri, self._heartbeat, self.connect_timeout)
        try:
            conn.ensure_connection(max_retries=max(1, len(conn.alt)), interval_start=0, interval_step=0)
            producer = Producer(conn.channel())
        except Exception as exc:  # noqa: BLE001 - refused, timed out, authentication: all mean "not now"
            _release_quietly(conn)
            self.state.failed(f"{type(exc).__name__}: {exc}", self.cooldown)
            raise PublishFailed([], f"cannot connect to the broker: {type(exc).__name__}: {exc}") from exc
        self.state.connected()
        return producer

    def reachable(self) -> bool:
        """Whether a new connection to the broker (any of a cluster's nodes) opens now."""
        try:
            with connection(self._uri, self._heartbeat, self.connect_timeout) as conn:
                conn.ensure_connection(max_retries=max(1, len(conn.alt)), interval_start=0, interval_step=0)
        except Exception:  # noqa: BLE001 - refused, timed out, authentication: all mean "not now"
            return False
        return True

    def close(self) -> None:
        while not self._idle.empty():
            _close_quietly(self._idle.get_nowait())


class BrokerState:
    """What a publisher knows of the broker: since when it cannot connect and why, and who waits for a slot."""

    def __init__(self):
        self.down_since: float | None = None
        self.last_error = ""
        self._retry_after = 0.0
        self._waiting_since: dict[int, float] = {}
        self._tickets = itertools.count()

    def failed(self, error: str, cooldown: float) -> None:
        now = time.monotonic()
        self.down_since = self.down_since or now
        self.last_error, self._retry_after = error, now + cooldown

    def connected(self) -> None:
        self.down_since, self.last_error, self._retry_after = None, "", 0.0

    def cooling_down(self) -> bool:
        return time.monotonic() < self._retry_after

    @contextmanager
    def waiting(self) -> Iterator[None]:
        """While a caller waits for a connection slot."""
        ticket = next(self._tickets)
        self._waiting_since[ticket] = time.monotonic()
        try:
            yield
        finally:
            del self._waiting_since[ticket]

    def longest_wait(self) -> float:
        """How long the longest-waiting caller has waited for a connection slot (0 when none waits)."""
        oldest = min(self._waiting_since.values(), default=None)
        return 0.0 if oldest is None else time.monotonic() - oldest

    def unavailable_for(self) -> float:
        return 0.0 if self.down_since is None else time.monotonic() - self.down_since


class PublishFailed(Exception):
    """Publishing stopped at a failure; `sent` lists what the broker confirmed before it."""

    def __init__(self, sent: list[str], reason: str = ""):
        super().__init__(f"publish failed: {reason}" if reason else "publish failed")
        self.sent, self.reason = sent, reason


class _Confirms:
    """Publisher confirms for messages published back to back on one channel (py-amqp).

    The broker numbers a confirming channel's publishes 1, 2, ...; an ack or nack may cover every tag up to
    its own (`multiple`). A mandatory message that no queue takes is returned before it is acked. Confirms
    are taken from the channel's event callbacks, not from `wait`'s one-shot callback: py-amqp's publish
    itself drains pending frames (to notice a blocked connection), which would swallow early acks.
    """

    def __init__(self, channel, tags: list[str]):
        if not channel._confirm_selected:
            channel._confirm_selected = True
            channel.confirm_select()
        self.channel, self.tags = channel, tags
        self.first = getattr(channel, "yici_published", 0) + 1
        channel.yici_published = self.first - 1 + len(tags)
        self.acked: set[int] = set()
        self.nacked: set[int] = set()
        self.returned: set[str] = set()
        self._callbacks = {
            "basic_return": lambda _exc, _exchange, _key, message: self.returned.add(
                message.properties.get("message_id")),
            "basic_ack": lambda tag, multiple: self._confirm(self.acked, tag, multiple),
            "basic_nack": lambda tag, multiple, *_: self._confirm(self.nacked, tag, multiple)}
        for event, callback in self._callbacks.items():
            channel.events[event].add(callback)

    def _confirm(self, into: set[int], delivery_tag: int, multiple: bool) -> None:
        into.update(range(min(self.first, delivery_tag) if multiple else delivery_tag, delivery_tag + 1))

    def wait(self, timeout: float) -> None:
        pending = set(range(self.first, self.first + len(self.tags)))
        deadline = time.monotonic() + timeout
        while pending - self.acked - self.nacked:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"{len(pending - self.acked - self.nacked)} confirms not received")
            self.channel.wait([amqp_spec.Basic.Ack, amqp_spec.Basic.Nack], timeout=remaining)

    def _ok(self, index: int) -> bool:
        tag = self.first + index
        return tag in self.acked and tag not in self.nacked and self.tags[index] not in self.returned

    def sent_ids(self, items: list[tuple]) -> list[str]:
        sent = []
        for index, item in enumerate(items):
            if not self._ok(index):
                break
            sent.append(item[5])
        return sent

    def failure(self, items: list[tuple]) -> str:
        index = next(i for i in range(len(items)) if not self._ok(i))
        if self.tags[index] in self.returned:
            return f"no queue bound for {items[index][1].name}/{items[index][2]}"
        return "nacked by the broker" if self.first + index in self.nacked else "not confirmed"

    def close(self) -> None:
        for event, callback in self._callbacks.items():
            self.channel.events[event].discard(callback)


def _close_quietly(producer: Producer | None) -> None:
    if producer is not None:
        _release_quietly(producer.connection)


def _release_quietly(conn: Connection) -> None:
    try:
        conn.release()
    except Exception:  # noqa: BLE001 - it is being thrown away
        pass
