"""The outbox publisher against the real broker: many messages per confirm round trip, and its failures.

It publishes a handler's events back to back and then waits for their confirms; what it reports as sent
is exactly the confirmed prefix, so the outbox keeps (and the relay republishes) everything after a failure.
"""
import json
import time

import pytest

from shared.messaging import OutgoingMessage
from shared.providers.amqp import DEAD_LETTERS, EVENTS, declare
from shared.providers.publisher import Publisher, PublishFailed
from shared.topology import QueueSpec
from yici_testkit import amqp_uri, drain

SPEC = QueueSpec(name="test.confirms", routing_keys=("confirm.*",))


@pytest.fixture
def publisher(vhost):
    publisher = Publisher(amqp_uri(vhost), confirm_timeout=5.0, size=1)
    with publisher._producer() as producer:
        declare(producer.channel, [SPEC])
    yield publisher
    publisher.close()


def _message(n: int, key: str = "confirm.ok") -> OutgoingMessage:
    return OutgoingMessage(f"event-{n:03d}", key, json.dumps({"n": n}))


def _drain(vhost: str, queue: str) -> list:
    return [(properties, body) for _, properties, body in drain(vhost, queue)]


def test_a_batch_is_confirmed_and_arrives_in_order_persistent(publisher, vhost):
    messages = [_message(n) for n in range(50)]
    assert publisher.publish(messages) == [m.event_id for m in messages]
    assert publisher.publish(messages[:3]) == [m.event_id for m in messages[:3]], "the channel's tags carry on"
    got = _drain(vhost, SPEC.name)
    assert [json.loads(body)["n"] for _, body in got] == list(range(50)) + [0, 1, 2]
    assert all(p.delivery_mode == 2 and p.content_type == "application/json" for p, _ in got)
    assert [p.message_id for p, _ in got[:50]] == [m.event_id for m in messages]


def test_confirms_that_arrive_while_later_messages_are_still_going_out_are_counted(publisher, vhost):
    """py-amqp reads pending frames on each publish: early acks must not be lost (they were once: timeouts)."""
    messages = [OutgoingMessage(f"big-{n:04d}", "confirm.big", json.dumps({"n": n, "pad": "x" * 4000}))
                for n in range(1500)]
    assert publisher.publish(messages) == [m.event_id for m in messages]
    assert len(_drain(vhost, SPEC.name)) == 1500


def test_an_unroutable_message_stops_the_confirmed_prefix(publisher, vhost):
    messages = [_message(0), _message(1), _message(2, "nobody.listens"), _message(3)]
    with pytest.raises(PublishFailed) as failed:
        publisher.publish(messages)
    assert failed.value.sent == ["event-000", "event-001"]
    assert "nobody.listens" in failed.value.reason
    assert publisher.safe_publish(messages) == ["event-000", "event-001"]
    # the failed producer was dropped; a fresh channel starts its tags at 1 and works
    assert publisher.publish([_message(9)]) == ["event-009"]


def test_publish_raw_refuses_an_unroutable_dead_letter(publisher):
    with pytest.raises(PublishFailed):
        publisher.publish_raw(b"{}", DEAD_LETTERS, "no.such.queue", {"x-yici-reason": "test"})
    publisher.publish_raw(b"{}", EVENTS, "confirm.raw", {"x-yici-reason": "test"})


def test_a_broken_connection_fails_the_batch_and_the_next_one_reconnects(publisher, vhost):
    with publisher._producer() as producer:
        producer.connection.collect()  # the socket is gone, as after a broker restart
    with pytest.raises(PublishFailed) as failed:
        publisher.publish([_message(1)])
    assert failed.value.sent == []
    assert publisher.publish([_message(2)]) == ["event-002"]
    assert [json.loads(b)["n"] for _, b in _drain(vhost, SPEC.name)] == [2]


def test_a_connection_idle_longer_than_the_heartbeat_is_replaced_before_it_is_used(vhost):
    publisher = Publisher(amqp_uri(vhost), confirm_timeout=5.0, heartbeat=1, size=1)
    with publisher._producer() as producer:
        declare(producer.channel, [SPEC])
        first = producer
    time.sleep(4)  # the broker has dropped it by now: no heartbeats were sent while it was idle
    assert publisher.publish([_message(1)]) == ["event-001"]
    with publisher._producer() as producer:
        assert producer is not first
    publisher.close()


class _ChunkedSocket:
    """Hands out the bytes it holds in chunks of at most `chunk`, counting recv calls."""

    def __init__(self, data: bytes, chunk: int):
        self.data, self.chunk, self.calls = data, chunk, 0

    def recv(self, n: int) -> bytes:
        self.calls += 1
        taken, self.data = self.data[:min(n, self.chunk)], self.data[min(n, self.chunk):]
        return taken


def _frame(frame_type: int, channel: int, payload: bytes) -> bytes:
    import struct
    return struct.pack(">BHI", frame_type, channel, len(payload)) + payload + b"\xce"


@pytest.mark.parametrize("chunk", [1, 5, 7, 64, 1 << 20])
def test_transport_reads_ahead_and_returns_each_frame_whole(chunk):
    """Frames come back byte for byte however the socket splits them; when it hands several at once they cost
    one recv, not two per frame (py-amqp's own _read asks for exactly the bytes of the next field)."""
    from amqp.transport import TCPTransport

    frames = [(1, 1, b"method" * 10), (2, 1, b"header"), (3, 1, b"body" * 500), (8, 0, b"")]
    transport = TCPTransport.__new__(TCPTransport)
    transport._read_buffer, transport.raise_on_initial_eintr = b"", True
    sock = _ChunkedSocket(b"".join(_frame(*f) for f in frames), chunk)
    transport._quick_recv = sock.recv
    assert [transport.read_frame() for _ in frames] == [(t, c, p) for t, c, p in frames]
    if chunk >= 1 << 20:
        assert sock.calls == 1


def test_failed_connects_leak_no_connection_slot_and_callers_fail_fast(vhost):
    """Each failed connect used to keep its pool slot: after `size` of them every publish blocked for ever."""
    from yici_testkit import free_port
    down = Publisher(f"amqp://guest:guest@127.0.0.1:{free_port()}/{vhost}", confirm_timeout=1.0, size=2,
                     cooldown=30.0)
    for _ in range(5):
        with pytest.raises(PublishFailed, match="cannot connect"):
            down.publish([_message(1)], probe=True)
    assert down._idle.qsize() == 2, "every slot is back in the pool"
    assert down.state.down_since is not None and "cannot connect" not in down.state.last_error
    started = time.monotonic()
    with pytest.raises(PublishFailed, match="broker unavailable"):
        down.publish([_message(2)])
    assert time.monotonic() - started < 0.2, "within the cooldown a request path does not even try"
    down._uri = amqp_uri(vhost)  # the broker is back at that address
    with down._producer(probe=True) as producer:
        declare(producer.channel, [SPEC])
    assert down.publish([_message(3)], probe=True) == ["event-003"]
    assert down.state.down_since is None and not down.state.cooling_down()
    assert down.publish([_message(4)]) == ["event-004"], "once connected, request paths publish again"
    down.close()
