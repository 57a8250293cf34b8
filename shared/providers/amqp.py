"""Broker plumbing over kombu: topology declaration and a confirming, mandatory publisher."""
from __future__ import annotations

import logging
from contextlib import contextmanager
from typing import Iterable, Iterator

from eventlet.queue import LifoQueue
from kombu import Connection, Exchange, Producer, Queue, binding

from shared import topology
from shared.messaging import OutgoingMessage

log = logging.getLogger(__name__)
EVENTS = Exchange(topology.EVENTS_EXCHANGE, type="topic", durable=True)
DEAD_LETTERS = Exchange(topology.DEAD_LETTER_EXCHANGE, type="direct", durable=True)


class Unroutable(Exception):
    """The broker returned a mandatory message: no queue is bound for its routing key."""


def connection(uri: str, heartbeat: int = 10) -> Connection:
    options = {"confirm_publish": True, "polling_interval": 0.005}
    return Connection(uri, heartbeat=heartbeat, transport_options=options)


def kombu_queue(spec: topology.QueueSpec, quorum: bool = False) -> Queue:
    arguments = {"x-dead-letter-exchange": topology.DEAD_LETTER_EXCHANGE,
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
    """Publishes persistent JSON messages with publisher confirms, mandatory routing and a timeout."""

    def __init__(self, uri: str, confirm_timeout: float = 5.0, heartbeat: int = 10, size: int = 10):
        self._uri, self._heartbeat = uri, heartbeat
        self.confirm_timeout = confirm_timeout
        self._idle: LifoQueue = LifoQueue()
        for _ in range(size):
            self._idle.put(None)

    def publish(self, messages: list[OutgoingMessage]) -> list[str]:
        """Publish in order; returns the ids the broker confirmed, stopping at the first failure."""
        sent: list[str] = []
        with self._producer() as producer:
            for message in messages:
                try:
                    self._publish_one(producer, message)
                except Exception as exc:  # noqa: BLE001 - whatever failed stays in the outbox
                    log.warning("publish failed, will retry from the outbox: %s", type(exc).__name__)
                    raise PublishFailed(sent) from exc
                sent.append(message.event_id)
        return sent

    def safe_publish(self, messages: list[OutgoingMessage]) -> list[str]:
        try:
            return self.publish(messages)
        except PublishFailed as broken:
            return broken.sent

    def publish_raw(self, body: bytes | str, exchange: Exchange, routing_key: str,
                    headers: dict, content_type: str = "application/json") -> None:
        with self._producer() as producer:
            try:
                self._send(producer, body, exchange, routing_key, headers, content_type, None)
            except Exception as exc:
                raise PublishFailed([]) from exc

    def _publish_one(self, producer: Producer, message: OutgoingMessage) -> None:
        self._send(producer, message.body, EVENTS, message.routing_key, {}, "application/json",
                   message.event_id)

    def _send(self, producer, body, exchange, routing_key, headers, content_type, message_id) -> None:
        returned: list = []
        channel = producer.channel
        handlers = getattr(channel, "events", {}).get("basic_return")
        callback = lambda *args: returned.append(args)  # noqa: E731
        if handlers is not None:
            handlers.add(callback)
        try:
            producer.publish(body, exchange=exchange, routing_key=routing_key, headers=headers,
                             content_type=content_type, content_encoding="utf-8", delivery_mode=2,
                             mandatory=True, message_id=message_id, retry=False,
                             confirm_timeout=self.confirm_timeout)
        finally:
            if handlers is not None:
                handlers.discard(callback)
        if returned:
            raise Unroutable(f"no queue bound for {exchange.name}/{routing_key}")

    @contextmanager
    def _producer(self) -> Iterator[Producer]:
        producer = self._idle.get() or self._new_producer()
        try:
            yield producer
        except PublishFailed:
            _close_quietly(producer)
            producer = None
            raise
        finally:
            self._idle.put(producer)

    def _new_producer(self) -> Producer:
        conn = connection(self._uri, self._heartbeat)
        conn.ensure_connection(max_retries=3, interval_start=0.2, interval_step=0.5)
        return Producer(conn.channel())

    def close(self) -> None:
        while not self._idle.empty():
            _close_quietly(self._idle.get_nowait())


class PublishFailed(Exception):
    """Publishing stopped at a failure; `sent` lists what the broker confirmed before it."""

    def __init__(self, sent: list[str]):
        super().__init__("publish failed")
        self.sent = sent


def _close_quietly(producer: Producer | None) -> None:
    if producer is None:
        return
    try:
        producer.connection.release()
    except Exception:  # noqa: BLE001 - it is being thrown away
        pass
