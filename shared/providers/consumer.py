"""Our consuming entrypoint: ack after commit, retry transient failures, dead-letter permanent ones.

Nameko's `@event_handler` acks a message whose handler raised; this one does not, and a message
that cannot be decoded never reaches (or stops) a worker.
"""
from __future__ import annotations

import itertools
import logging
import time
from contextlib import contextmanager
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
from shared.errors import CaseNotKnownYet, PermanentError, SetAside, UnknownCase
from shared.events import parse_event
from shared.logging import bind_event
from shared.metrics import BATCH_EVENTS, DEAD_LETTERED, HANDLED, HANDLER_ERRORS, UNKNOWN_CASE, UNTRUSTED_SENDER
from shared.providers import probes
from shared.providers.amqp import DEAD_LETTERS, declare, kombu_queue
from shared.providers.publisher import Publisher, PublishFailed
from shared.providers.workers import run_worker
from shared.retry import Verdict, backoff, classify, is_infrastructure, retry_wait
from shared.staff import revocations

log = logging.getLogger(__name__)
BATCH_GATHER_SECONDS = 0.002
OFF_PATH_GATHER_SECONDS = 0.25  # consumers off the case's critical path: intake's view, oversight, delivery
PARK_SECONDS = 120.0  # an event whose case is not known yet waits this long (from its first park here)
PARK_WAITS = (0.25, 5.0)  # first and longest wait between a parked event's tries
SET_ASIDE = (UnknownCase, CaseNotKnownYet, SetAside)  # raised on purpose by handlers: no traceback logged


class EventQueueConsumer(QueueConsumer):
    """Nameko's queue consumer, but handing raw messages to providers and declaring our topology."""
    _pending_remove_providers: dict  # Nameko's: provider -> the event set once it is removed

    def setup(self) -> None:
        settings = self.container.config["YICI"]
        self.publisher = Publisher(settings.amqp_uri, settings.confirm_timeout, settings.heartbeat, size=2)
        self._acks: tuple[amqp.Channel | None, AckWindow] = (None, AckWindow())
        self.disconnected_since: float | None = None
        self.connection_error = ""
        name = self.container.service_name
        probes.degrade(f"{name}.consumers", self._check_connected)
        probes.liveness(f"{name}.consumers", self._check_not_wedged)
        super().setup()

    @contextmanager
    def establish_connection(self):
        """kombu's, retrying every 0.5-3 s (not 2-30 s): consumers are back within seconds of the broker."""
        with self.create_connection() as conn:
            conn.ensure_connection(self.on_connection_error, self.connect_max_retries,
                                   interval_start=0.5, interval_step=0.5, interval_max=3)
            yield conn

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
        return self._check_connected() if self.publisher.reachable() else None

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
                 gather: float = BATCH_GATHER_SECONDS, park_seconds: float = PARK_SECONDS,
                 park_share: float = 0.5, **kwargs):
        """`batch` > 1: the method gets a list of up to that many events, handled in one transaction, after
        waiting `gather` seconds for more to arrive. A consumer off the case's critical path (intake's view,
        oversight's timeline, delivery) can wait longer: at light load its batches then still hold several
        events, which saves far more CPU than the wait costs in freshness: a batch costs about the same CPU in
        the service, the database and the broker whatever its size (measured in deploy/CAPACITY.md, section 6,
        fifth round).

        `discard`: valid events are acknowledged and dropped without running the method (a queue that must
        be kept empty); invalid ones are still dead-lettered.

        `park_seconds`: how long an event whose case is not known yet (the method raised CaseNotKnownYet)
        is held and tried again, from when this process first parked it, before it is dead-lettered.

        `park_share`: the share of the prefetch count that parked events may hold. Half (the default) when the
        events that make a case known come on the same queue: the other half keeps reading them. All of it (1.0)
        when they come on another queue (approval's department decisions wait for routing's requests): the
        broker then holds further events back until a parked one is settled, instead of this consumer
        dead-lettering them for want of room.
        """
        self._queues = queues
        self.max_attempts = max_attempts
        self.batch = batch
        self.discard = discard
        self.gather = gather
        self.park_seconds = park_seconds
        self.park_share = park_share
        self._pending: list = []
        self._flushing = False
        self._parked: dict[str, float] = {}  # event id -> when this process first parked it (monotonic)
        self._stopping = False
        kwargs.setdefault("expected_exceptions", SET_ASIDE)
        super().__init__(**kwargs)

    def queue_specs(self) -> list[topology.QueueSpec]:
        if self._queues is None:
            return [topology.service_queues()[self.container.service_name]]
        return list(self._queues(self.container.config["YICI"]))

    def setup(self) -> None:
        self.queue_consumer.register_provider(self)

    def stop(self) -> None:
        self._stopping = True  # parked messages stay unacknowledged: the broker hands them out again
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
        refusal = self.sender_refusal(message, event)
        if refusal is not None:
            UNTRUSTED_SENDER.labels(self.container.service_name, event.event_type).inc()
            return self.container.spawn_managed_thread(partial(self._dead_letter, spec, message, refusal))
        if event.event_type in topology.STAFF_EVENTS:  # every replica records it in memory; no handler needed
            revocations.record(event.event_type, event.payload.model_dump())
            HANDLED.labels(self.container.service_name, event.event_type).inc()
            return self.queue_consumer.ack_message(message)
        if self.discard:
            HANDLED.labels(self.container.service_name, event.event_type).inc()
            return self.queue_consumer.ack_message(message)
        if self.batch > 1:
            return self._enqueue(spec, message, event)
        self.container.spawn_managed_thread(partial(self._handle_one, spec, message, event))

    def sender_refusal(self, message, event) -> str | None:
        """With verify_publishers: why the event's broker-validated sender (AMQP user_id) is not its owner."""
        settings = self.container.config["YICI"]
        if not settings.verify_publishers:
            return None
        user_id = (message.properties or {}).get("user_id")
        return topology.sender_refusal(event.event_type, user_id, settings.broker_user_prefix)

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
        """One transaction for the batch. An outage (database, broker) retries the whole batch with backoff: no
        event is at fault, and handling them one by one would serialise the batch and every event behind it.
        Events the method sets aside (SetAside: unknown cases) are settled alone and the rest handled together
        again, once; any other failure falls back to one by one."""
        outages = 0
        while taken:
            try:
                exc = self._run_worker([event for _, _, event in taken])
            except ContainerBeingKilled:
                return self._requeue(taken)
            if exc is None:
                return self._handled_batch(taken)
            if is_infrastructure(exc) and not isinstance(exc, CaseNotKnownYet):
                outages += 1
                log.warning("batch failed on an outage, retrying it whole",
                            extra={"attempt": outages, "error": type(exc).__name__})
                eventlet.sleep(retry_wait(exc, outages))
                continue
            aside, taken = _split(exc, taken)
            if not aside or not isinstance(exc, SetAside):
                return self._one_by_one(taken)
            for spec, message, event in aside:
                self._settle(spec, message, event, exc.error_for(event.event_id) or exc)

    def _handled_batch(self, taken: list) -> None:
        for _, _, event in taken:
            HANDLED.labels(self.container.service_name, event.event_type).inc()
        BATCH_EVENTS.labels(self.container.service_name).observe(len(taken))
        self.queue_consumer.ack_messages([message for _, message, _ in taken])

    def _requeue(self, taken: list) -> None:
        for _, message, _ in taken:
            self.queue_consumer.requeue_message(message)

    def _one_by_one(self, taken: list) -> None:
        for spec, message, event in taken:
            with bind_event(event):
                self._handle(spec, message, event)

    def _settle(self, spec, message, event, error: BaseException) -> None:
        """An event set aside from its batch: parked, dead-lettered, or retried alone, as its error says."""
        with bind_event(event):
            if isinstance(error, CaseNotKnownYet):
                return self._park(spec, message, event)
            if isinstance(error, PermanentError):
                return self._give_up(spec, message, event, error)
            self._handle(spec, message, event)

    def _handle(self, spec, message, event) -> None:
        for attempt in itertools.count(1):
            try:
                exc = _own_error(self._run_worker(event), event)
            except ContainerBeingKilled:
                return self.queue_consumer.requeue_message(message)
            if exc is None:
                return self._handled(message, event)
            if isinstance(exc, CaseNotKnownYet):
                return self._park(spec, message, event)
            HANDLER_ERRORS.labels(self.container.service_name, event.event_type, type(exc).__name__).inc()
            verdict = classify(exc, attempt, self.max_attempts)
            if verdict is Verdict.DEAD_LETTER:
                return self._give_up(spec, message, event, exc)
            log.warning("handler failed, retrying", extra={"attempt": attempt, "error": type(exc).__name__})
            eventlet.sleep(retry_wait(exc, attempt))

    def _handled(self, message, event) -> None:
        self._parked.pop(str(event.event_id), None)
        HANDLED.labels(self.container.service_name, event.event_type).inc()
        self.queue_consumer.ack_message(message)

    def _give_up(self, spec, message, event, exc: BaseException) -> None:
        """Dead-letter the event with the reason; an unknown case is counted and logged as a warning."""
        self._parked.pop(str(event.event_id), None)
        unknown = isinstance(exc, UnknownCase)
        level = logging.WARNING if unknown else logging.ERROR
        if self._dead_letter(spec, message, f"{type(exc).__name__}: {_brief(exc)}", level) and unknown:
            self._count_unknown(event, "dead_lettered")

    def _park(self, spec, message, event) -> None:
        """Hold the message unacknowledged in a thread of its own that tries it again after a wait (the
        consumer's other messages go on meanwhile), until its case is known or its park time is over."""
        key = str(event.event_id)
        if key not in self._parked and len(self._parked) >= self.max_parked:
            detail = f"not parked: {len(self._parked)} events are waiting already"
            return self._give_up(spec, message, event, UnknownCase(event.case_id, event.event_type, detail))
        if key not in self._parked:
            self._parked[key] = time.monotonic()
            self._count_unknown(event, "parked")
            log.warning("event parked: its case is not known yet", extra={"queue": spec.name,
                                                                          "park_seconds": self.park_seconds})
        since = self._parked[key]
        self.container.spawn_managed_thread(partial(self._retry_parked, spec, message, event, since),
                                            identifier="parked-event")

    @property
    def max_parked(self) -> int:
        """At most `park_share` of the prefetch count held parked (see __init__)."""
        return max(1, int(self.queue_consumer.prefetch_count * self.park_share))

    def _retry_parked(self, spec, message, event, since: float) -> None:
        with bind_event(event):
            for attempt in itertools.count(1):
                eventlet.sleep(park_wait(attempt, since + self.park_seconds - time.monotonic()))
                if self._stopping:
                    return  # unacknowledged: redelivered when this process's channel closes
                try:
                    exc = _own_error(self._run_worker(event), event)
                except ContainerBeingKilled:
                    return
                if not isinstance(exc, CaseNotKnownYet):
                    return self._handled(message, event) if exc is None else self._handle(spec, message, event)
                if time.monotonic() - since >= self.park_seconds:
                    detail = f"still not known after {self.park_seconds:g} s parked"
                    return self._give_up(spec, message, event, UnknownCase(event.case_id, event.event_type, detail))

    def _count_unknown(self, event, outcome: str) -> None:
        UNKNOWN_CASE.labels(self.container.service_name, event.event_type, outcome).inc()

    def _run_worker(self, event) -> BaseException | None:
        argument = [event] if self.batch > 1 and not isinstance(event, list) else event
        _result, exc_info = run_worker(self, (argument,), {})
        return None if exc_info is None else exc_info[1]

    def _dead_letter(self, spec, message, reason: str, level: int = logging.ERROR) -> bool:
        """Publish the message to the dead-letter queue with the reason, then ack it; False when it could not
        be published (it is requeued)."""
        headers = {"x-yici-reason": reason[:1000], "x-yici-queue": spec.name,
                   "x-yici-routing-key": message.delivery_info.get("routing_key", ""),
                   "x-yici-dead-lettered-at": datetime.now(timezone.utc).isoformat()}
        try:
            self.queue_consumer.publisher.publish_raw(message.body, DEAD_LETTERS, spec.name, headers,
                                                      message.content_type or "application/octet-stream")
        except PublishFailed:
            eventlet.sleep(1.0)
            self.queue_consumer.requeue_message(message)
            return False
        DEAD_LETTERED.labels(self.container.service_name, spec.name).inc()
        log.log(level, "message dead-lettered", extra={"queue": spec.name, "reason": reason[:200]})
        self.queue_consumer.ack_message(message)
        return True


def park_wait(attempt: int, left: float) -> float:
    """Seconds before a parked event's next try: 0.25, 0.5, 1… up to 5, and no later than its park time ends."""
    return max(0.01, min(backoff(attempt, PARK_WAITS[0], PARK_WAITS[1]), left))


def _split(exc: BaseException | None, taken: list) -> tuple[list, list]:
    """The batch's entries a SetAside names, and the others."""
    if not isinstance(exc, SetAside):
        return [], taken
    named = [exc.error_for(event.event_id) is not None for _, _, event in taken]
    return ([t for t, n in zip(taken, named) if n], [t for t, n in zip(taken, named) if not n])


def _own_error(exc: BaseException | None, event) -> BaseException | None:
    """A SetAside raised for a batch of this one event stands for the event's own error."""
    if isinstance(exc, SetAside):
        return exc.error_for(event.event_id) or exc
    return exc


def _quiet_set_aside(record: logging.LogRecord) -> bool:
    """Nameko logs every failed worker with its traceback; events set aside on purpose get a line of ours."""
    return not (record.exc_info and isinstance(record.exc_info[1], SET_ASIDE))


logging.getLogger("nameko.containers").addFilter(_quiet_set_aside)


def _brief(exc: BaseException) -> str:
    if isinstance(exc, ValidationError):
        return "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()[:5])
    return str(exc)[:300]


consume_events = EventConsumer.decorator
