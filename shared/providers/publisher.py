"""A confirming, mandatory publisher over a small pool of broker connections, and what it knows of the broker."""
from __future__ import annotations

import logging
import time
import uuid
from contextlib import contextmanager
from typing import Iterator

from eventlet.queue import Empty, LifoQueue
from kombu import Connection, Exchange, Producer

from shared.messaging import OutgoingMessage
from shared.providers.amqp import EVENTS, broker_user_of, connection
from shared.providers.broker_state import BrokerState
from shared.providers.confirms import Confirms

log = logging.getLogger(__name__)


class Publisher:
    """Publishes persistent JSON messages with publisher confirms, mandatory routing and a timeout.

    It never blocks for long and never leaks: a connection slot goes back to the pool on every path (a failed
    connect included), a caller waits at most `confirm_timeout` for a free slot, and after a failed connect
    the publisher fails fast for `cooldown` seconds (callers leave their rows to the outbox relay, which
    probes the broker meanwhile with `probe=True`).

    Every message carries the AMQP `user_id` of the connection's user: RabbitMQ refuses a message whose user_id
    is not the connection's, so a consumer can trust it as the sender (docs/decisions/0018).
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
            confirms = Confirms(channel, tags)
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


class PublishFailed(Exception):
    """Publishing stopped at a failure; `sent` lists what the broker confirmed before it."""

    def __init__(self, sent: list[str], reason: str = ""):
        super().__init__(f"publish failed: {reason}" if reason else "publish failed")
        self.sent, self.reason = sent, reason


def _close_quietly(producer: Producer | None) -> None:
    if producer is not None:
        _release_quietly(producer.connection)


def _release_quietly(conn: Connection) -> None:
    try:
        conn.release()
    except Exception:  # noqa: BLE001 - it is being thrown away
        pass
