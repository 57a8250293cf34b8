"""Broker plumbing over kombu: connections, topology declaration, and py-amqp's read-ahead.

The confirming, mandatory publisher is in shared/providers/publisher.py."""
from __future__ import annotations

import errno
import logging
from typing import Iterable

from amqp.transport import TCPTransport
from kombu import Connection, Exchange, Queue, binding
from kombu.utils.url import parse_url

from shared import topology

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


def staff_stream(offset: int | str | None = None) -> Queue:
    """The stream of staff sign-outs and disabled accounts every process reads from its start (no dead letters:
    a stream is read, never consumed away); `offset`: where a consumer starts ("first", or a number)."""
    bindings = [binding(EVENTS, routing_key=key) for key in topology.STAFF_EVENTS]
    return Queue(topology.STAFF_STREAM, bindings=bindings, durable=True, auto_delete=False,
                 queue_arguments=dict(topology.STAFF_STREAM_ARGUMENTS),
                 consumer_arguments=None if offset is None else {"x-stream-offset": offset})


def exchange_of(spec: topology.QueueSpec) -> Exchange:
    """The topic exchange a queue is bound to: yici.events, or another such as yici.decisions."""
    return EVENTS if spec.exchange == EVENTS.name else Exchange(spec.exchange, type="topic", durable=True)


def declare(channel, specs: Iterable[topology.QueueSpec], quorum: bool = False, stream: bool = False) -> None:
    """Declare exchanges, queues, bindings and dead-letter queues on a channel (idempotent).

    `quorum` is the cluster profile: quorum queues with a delivery limit, as deploy/'s definitions say.
    `stream`: the staff-revocation stream too (RabbitMQ only; the in-memory transport would keep its copies).
    """
    EVENTS(channel).declare()
    DEAD_LETTERS(channel).declare()
    if stream:
        staff_stream()(channel).declare()
    for spec in specs:
        if spec.exchange != EVENTS.name:
            exchange_of(spec)(channel).declare()
        kombu_queue(spec, quorum)(channel).declare()
        dead_letter_queue(spec, quorum)(channel).declare()


def __getattr__(name: str):
    """The publisher moved to shared/providers/publisher.py; `amqp.Publisher` and friends still resolve."""
    if name in ("Publisher", "BrokerState", "PublishFailed"):
        from shared.providers import publisher
        return getattr(publisher, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
