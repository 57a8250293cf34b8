"""Every process hears of every staff sign-out and disabled account, also a process started after them.

The service queues share events out among a service's replicas (competing consumers), so a sign-out reached one
replica of intake and not the other: the ended session's cookie still opened pages there. oversight's staff
events therefore also go to a RabbitMQ stream (topology.STAFF_STREAM), which a consumer reads without taking
messages away from anyone else: each process reads it from its start (the stream keeps about a day, the longest
session), records each event in its revocation registry, and then follows it live. After a lost connection it
goes on from the next offset.

Started by the runner in each distributed process (yici/runner.py); the embedded default runs every service in
one process, where oversight records its own events at once, so it needs no feed.
"""
from __future__ import annotations

import logging
import socket
import time

from kombu import Consumer
from kombu.message import Message
from pydantic import ValidationError

from shared import topology
from shared.events import parse_event
from shared.providers import amqp
from shared.staff import revocations

log = logging.getLogger(__name__)
PREFETCH = 200  # a stream consumer must set one; credit returns as messages are acknowledged
MAX_BACKOFF = 10.0


class RevocationFeed:
    """Reads the staff stream into this process's revocation registry until stopped."""

    def __init__(self, uri: str, heartbeat: int = 10, verify_publishers: bool = False, user_prefix: str = ""):
        self.uri, self.heartbeat = uri, heartbeat
        self.verify_publishers, self.user_prefix = verify_publishers, user_prefix
        self.offset: int | str = "first"
        self.recorded = 0
        self._stopping = False

    def stop(self) -> None:
        self._stopping = True

    def run(self) -> None:
        backoff = 0.5
        while not self._stopping:
            try:
                self._follow()
                backoff = 0.5
            except Exception as exc:  # a broker outage or restart: go on from the next offset
                if self._stopping:
                    return
                log.warning("staff revocation stream unavailable, retrying",
                            extra={"error": type(exc).__name__, "retry_in": backoff})
                time.sleep(backoff)
                backoff = min(backoff * 2, MAX_BACKOFF)

    def _follow(self) -> None:
        with amqp.connection(self.uri, self.heartbeat) as connection:
            connection.ensure_connection(max_retries=1)
            channel = connection.channel()
            channel.basic_qos(0, PREFETCH, False)
            stream = amqp.staff_stream(self.offset)(channel)
            stream.declare()
            with Consumer(channel, [stream], on_message=self._on_message,
                          auto_declare=False):
                last_beat = time.monotonic()
                while not self._stopping:
                    try:
                        connection.drain_events(timeout=1)
                    except socket.timeout:
                        pass
                    if time.monotonic() - last_beat >= 1:
                        connection.heartbeat_check()
                        last_beat = time.monotonic()

    def _on_message(self, message: Message) -> None:
        offset = (message.headers or {}).get("x-stream-offset")
        try:
            event = parse_event(message.body)
        except (ValidationError, ValueError, UnicodeDecodeError):
            log.warning("undecodable message on the staff revocation stream skipped")
        else:
            refusal = None
            if self.verify_publishers:
                refusal = topology.sender_refusal(event.event_type, (message.properties or {}).get("user_id"),
                                                  self.user_prefix)
            if refusal is None and event.event_type in topology.STAFF_EVENTS:
                revocations.record(event.event_type, event.payload.model_dump())
                self.recorded += 1
            elif refusal is not None:
                log.warning("staff event from a wrong sender skipped", extra={"reason": refusal})
        if isinstance(offset, int):
            self.offset = offset + 1
        message.ack()
