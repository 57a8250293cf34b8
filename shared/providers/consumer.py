"""Our consuming entrypoint: ack after commit, retry transient failures, dead-letter permanent ones.

Nameko's `@event_handler` acks a message whose handler raised; this one does not, and a message
that cannot be decoded never reaches (or stops) a worker.
"""
from __future__ import annotations

import itertools
import json
import logging
import time
from datetime import datetime, timezone
from functools import partial

import amqp
import eventlet
from kombu import Consumer as KombuConsumer
from nameko.exceptions import ContainerBeingKilled
from nameko.extensions import Entrypoint
from nameko.messaging import QueueConsumer
from pydantic import ValidationError

from shared import topology
from shared.acks import AckWindow
from shared.events import parse_event
from shared.logging import bind_event
from shared.providers import probes
from shared.metrics import BATCH_EVENTS, HANDLER_ERRORS, DEAD_LETTERED, HANDLED
from shared.providers.amqp import DEAD_LETTERS, PublishFailed, Publisher, declare, kombu_queue
from shared.providers.workers import run_worker
from shared.retry import Verdict, classify, backoff

log = logging.getLogger(__name__)
BATCH_GATHER_SECONDS = 0.002
OFF_PATH_GATHER_SECONDS = 0.25  # consumers off the case's critical path: intake's view, oversight, delivery


class EventQueueConsumer(QueueConsumer):
    """Nameko's queue consumer, but handing raw messages to providers and declaring our topology."""

    def setup(self) -> None:
        settings = self.container.config["YICI"]
        self.publisher = Publisher(settings.amqp_uri, settings.confirm_timeout, settings.heartbeat, size=2)
        self._acks: tuple[object, AckWindow] = (None, AckWindow())
        self.disconnected_since: float | None = None
        self.connection_error = ""
        name = self.container.service_name
        probes.degrade(f"{name}.consumers", self._check_connected)
        probes.liveness(f"{name}.consumers", self._check_not_wedged)
        super().setup()

    def on_connection_error(self, exc, interval) -> None:
        self.disconnected_since = self.disconnected_since or time.monotonic()
        self.connection_error = f"{type(exc).__name__}: {str(exc)[:200]}"
        super().on_connection_error(exc, interval)

    def on_consume_ready(self, connection, channel, consumers, **kwargs) -> None:
        self.disconnected_since = None
        super().on_consume_ready(connection, channel, consumers, **kwargs)

    def _check_connected(self) -> str | None:
        if self.disconnected_since is None:
            return None
        down = time.monotonic() - self.disconnected_since
        return f"not consuming for {down:.0f} s, reconnecting: {self.connection_error}"

    def _check_not_wedged(self) -> str | None:
        """Consumers that stay disconnected from a broker that answers will not come back by themselves."""
        limit = self.container.config["YICI"].wedged_after_seconds
        if self.disconnected_since is None or time.monotonic() - self.disconnected_since < limit:
            return None
        return None if self.publisher.reachable() is False else self._check_connected()


    def get_consumers(self, consumer_cls, channel):
        # Tags start again on a new channel (the old one's messages are redelivered). kombu's in-memory
        # transport ignores `multiple` on basic_ack, so only a real AMQP channel gets coalesced acks.
        self._acks = (channel if isinstance(channel, amqp.Channel) else None, AckWindow())
        for provider in self._providers:
            specs = provider.queue_specs()
            quorum = self.container.config["YICI"].quorum_queues
            declare(channel, specs, quorum)
            for spec in specs:
                consumer = KombuConsumer(channel, queues=[kombu_queue(spec, quorum)], no_ack=False,
                                         on_message=partial(self.handle_message, provider, spec))
                consumer.qos(prefetch_count=self.prefetch_count)
                self._consumers[(provider, spec.name)] = consumer
        return list(self._consumers.values())

    @property
    def prefetch_count(self) -> int:
        """Enough unacked messages for batching consumers to fill their batches."""
        return max([self.container.max_workers] + [2 * p.batch for p in self._providers])

    def handle_message(self, provider, spec, message) -> None:
        channel, window = self._acks
        if message.channel is channel:
            window.delivered(message.delivery_tag)
        provider.accept(spec, message)

    def ack_message(self, message) -> None:
        self.ack_messages([message])

    def ack_messages(self, messages) -> None:
        """Acknowledge handled messages: those below the oldest one still in hand with one frame."""
        channel, window = self._acks
        for message in messages:
            if message.channel is not channel:  # in-memory, or from a channel since replaced
                super().ack_message(message)
        if channel is None or not channel.connection:
            return
        mine = {m.delivery_tag: m for m in messages if m.channel is channel}
        for tag, multiple in window.settle(mine):
            try:
                mine[tag].ack(multiple=multiple)
            except (amqp.exceptions.ConnectionError, OSError):  # the broker redelivers what this channel held
                return

    def requeue_message(self, message) -> None:
        channel, window = self._acks
        if message.channel is channel:
            window.forget(message.delivery_tag)
        super().requeue_message(message)

    def _cancel_consumers_if_requested(self) -> None:
        pending, self._pending_remove_providers = self._pending_remove_providers, {}
        for provider, removed_event in pending.items():
            for key in [k for k in self._consumers if k[0] is provider]:
                self._consumers.pop(key).cancel()
            removed_event.send()


class EventConsumer(Entrypoint):
    """`@consume_events()` on a service method `(self, event)` consuming the service's queue."""

    queue_consumer = EventQueueConsumer()

    def __init__(self, queues=None, max_attempts: int = 5, batch: int = 1, discard: bool = False,
                 gather: float = BATCH_GATHER_SECONDS, **kwargs):
        """`batch` > 1: the method gets a list of up to that many events, handled in one transaction, after
        waiting `gather` seconds for more to arrive. A consumer off the case's critical path (intake's view,
        oversight's timeline, delivery) can wait longer: at light load its batches then still hold several
        events, which saves far more CPU than the wait costs in freshness: a batch costs a few ms of CPU in the
        service, the database and the broker whatever its size. At 10 cases/s, 250 ms instead of 50 ms took
        the three services' CPU per case from 32-40 to 26-30 ms.

        `discard`: valid events are acknowledged and dropped without running the method (a queue that must
        be kept empty); invalid ones are still dead-lettered.
        """
        self._queues = queues
        self.max_attempts = max_attempts
        self.batch = batch
        self.discard = discard
        self.gather = gather
        self._pending: list = []
        self._flushing = False
        super().__init__(**kwargs)

    def queue_specs(self) -> list[topology.QueueSpec]:
        if self._queues is None:
            return [topology.service_queues()[self.container.service_name]]
        return list(self._queues(self.container.config["YICI"]))

    def setup(self) -> None:
        self.queue_consumer.register_provider(self)

    def stop(self) -> None:
        self.queue_consumer.unregister_provider(self)

    def accept(self, spec: topology.QueueSpec, message) -> None:
        """On the queue consumer's thread: decode, then queue for the next batch or start a thread for it.

        Only what may block (a handler, a dead-letter publish) gets a thread of its own.
        """
        try:
            event = parse_event(message.body)
        except (ValidationError, ValueError, UnicodeDecodeError) as exc:
            reason = f"undecodable or invalid event: {_brief(exc)}"
            return self.container.spawn_managed_thread(partial(self._dead_letter, spec, message, reason))
        if self.discard:
            HANDLED.labels(self.container.service_name, event.event_type).inc()
            return self.queue_consumer.ack_message(message)
        if self.batch > 1:
            return self._enqueue(spec, message, event)
        self.container.spawn_managed_thread(partial(self._handle_one, spec, message, event))

    def _handle_one(self, spec, message, event) -> None:
        with bind_event(event):
            self._handle(spec, message, event)

    def _enqueue(self, spec, message, event) -> None:
        self._pending.append((spec, message, event))
        if not self._flushing:
            self._flushing = True
            self.container.spawn_managed_thread(self._flush, identifier="batch-flush")

    def _flush(self) -> None:
        """One worker, one transaction for what arrived together; a failing batch falls back to one by one."""
        try:
            eventlet.sleep(self.gather)
            while self._pending:
                taken, self._pending[:] = self._pending[:self.batch], self._pending[self.batch:]
                self._handle_batch(taken)
        finally:
            self._flushing = False

    def _handle_batch(self, taken: list) -> None:
        try:
            exc = self._run_worker([event for _, _, event in taken])
        except ContainerBeingKilled:
            for _, message, _ in taken:
                self.queue_consumer.requeue_message(message)
            return
        if exc is None:
            for _, _, event in taken:
                HANDLED.labels(self.container.service_name, event.event_type).inc()
            BATCH_EVENTS.labels(self.container.service_name).observe(len(taken))
            self.queue_consumer.ack_messages([message for _, message, _ in taken])
            return
        for spec, message, event in taken:
            with bind_event(event):
                self._handle(spec, message, event)

    def _handle(self, spec, message, event) -> None:
        for attempt in itertools.count(1):
            try:
                exc = self._run_worker(event)
            except ContainerBeingKilled:
                return self.queue_consumer.requeue_message(message)
            if exc is None:
                HANDLED.labels(self.container.service_name, event.event_type).inc()
                return self.queue_consumer.ack_message(message)
            HANDLER_ERRORS.labels(self.container.service_name, event.event_type, type(exc).__name__).inc()
            verdict = classify(exc, attempt, self.max_attempts)
            if verdict is Verdict.DEAD_LETTER:
                return self._dead_letter(spec, message, f"{type(exc).__name__}: {_brief(exc)}")
            log.warning("handler failed, retrying", extra={"attempt": attempt, "error": type(exc).__name__})
            eventlet.sleep(backoff(attempt))

    def _run_worker(self, event) -> BaseException | None:
        argument = [event] if self.batch > 1 and not isinstance(event, list) else event
        _result, exc_info = run_worker(self, (argument,), {})
        return None if exc_info is None else exc_info[1]

    def _dead_letter(self, spec, message, reason: str) -> None:
        headers = {"x-yici-reason": reason[:1000], "x-yici-queue": spec.name,
                   "x-yici-routing-key": message.delivery_info.get("routing_key", ""),
                   "x-yici-dead-lettered-at": datetime.now(timezone.utc).isoformat()}
        try:
            self.queue_consumer.publisher.publish_raw(message.body, DEAD_LETTERS, spec.name, headers,
                                                      message.content_type or "application/octet-stream")
        except PublishFailed:
            eventlet.sleep(1.0)
            return self.queue_consumer.requeue_message(message)
        DEAD_LETTERED.labels(self.container.service_name, spec.name).inc()
        log.error("message dead-lettered", extra={"queue": spec.name, "reason": reason[:200]})
        self.queue_consumer.ack_message(message)


def _brief(exc: BaseException) -> str:
    if isinstance(exc, ValidationError):
        return "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()[:5])
    return str(exc)[:300]


consume_events = EventConsumer.decorator
