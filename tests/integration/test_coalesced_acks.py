"""Coalesced acks on the real broker: a handled batch goes in one basic.ack with `multiple`, and a
message still in hand is never acknowledged with it (it comes back when the channel closes)."""
from __future__ import annotations

import json

import pytest
from kombu import Connection, Consumer

from shared.acks import AckWindow
from shared.providers.amqp import declare, kombu_queue
from shared.providers.consumer import EventQueueConsumer
from shared.topology import EVENTS_EXCHANGE, QueueSpec
from yici_testkit import amqp_uri, drain, pika_channel

pytestmark = [pytest.mark.rabbit]
SPEC = QueueSpec(name="test.coalesced-acks", routing_keys=("acks.*",))


def _publish(vhost: str, n: int) -> None:
    connection, channel = pika_channel(vhost)
    channel.confirm_delivery()
    for i in range(n):
        channel.basic_publish(EVENTS_EXCHANGE, "acks.one", json.dumps({"n": i}).encode())
    connection.close()


def _receive(vhost: str, n: int):
    """A consumer like the services' (EventQueueConsumer's ack bookkeeping on a py-amqp channel), n messages
    received; returns the connection, the queue consumer, the messages and the acks it sent."""
    connection = Connection(amqp_uri(vhost))
    channel = connection.channel()
    declare(channel, [SPEC])
    _publish(vhost, n)
    queue_consumer = EventQueueConsumer.__new__(EventQueueConsumer)
    queue_consumer._acks = (channel, AckWindow())
    sent: list[tuple[int, bool]] = []
    real_ack = channel.basic_ack
    channel.basic_ack = lambda tag, multiple=False: (sent.append((tag, multiple)), real_ack(tag, multiple))
    received: list = []
    consumer = Consumer(channel, queues=[kombu_queue(SPEC, False)], no_ack=False,
                        on_message=lambda m: (received.append(m),
                                              queue_consumer.handle_message(_Accepting(), SPEC, m)))
    consumer.qos(prefetch_count=2 * n)
    consumer.consume()
    while len(received) < n:
        connection.drain_events(timeout=5)
    return connection, queue_consumer, received, sent


class _Accepting:
    def accept(self, spec, message) -> None:
        pass


def test_a_handled_batch_is_acknowledged_with_one_frame_and_nothing_comes_back(vhost):
    connection, queue_consumer, messages, sent = _receive(vhost, 50)
    queue_consumer.ack_messages(messages)
    connection.close()
    assert sent == [(messages[-1].delivery_tag, True)]
    assert drain(vhost, SPEC.name) == [], "every message of the batch was acknowledged"


def test_a_message_still_in_hand_is_not_covered_and_is_redelivered(vhost):
    connection, queue_consumer, messages, sent = _receive(vhost, 20)
    in_hand = messages[5]
    queue_consumer.ack_messages(messages[:5])
    queue_consumer.ack_messages(messages[6:])
    connection.close()  # this process "dies" with message 5 unsettled
    assert sent[0] == (messages[4].delivery_tag, True)
    assert len(sent) == 1 + 14, "the ones behind the message in hand go one by one"
    assert [json.loads(body) for _, _, body in drain(vhost, SPEC.name)] == [json.loads(in_hand.body)]
