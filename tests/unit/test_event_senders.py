"""Issue 17: with verify_publishers, a consumer refuses an event whose broker-validated sender (AMQP user_id) is
not the broker user of the service that owns the event type: dead-lettered with the reason, counted."""
from __future__ import annotations

from types import SimpleNamespace

import pytest

from shared import topology
from shared.config import Settings
from shared.events import CaseCompleted
from shared.metrics import HANDLED, UNTRUSTED_SENDER
from shared.providers.consumer import EventConsumer
from shared.providers.publisher import Publisher

SPEC = topology.service_queues()["delivery"]


def completed() -> CaseCompleted:
    return CaseCompleted(case_id="C-1", payload={
        "matter_code": "m", "items": ["i"], "delivery": {"method": "pickup", "hall": "h"},
        "contact": {"name": "n", "phone": "13800138000"}})


class FakeQueueConsumer:
    def __init__(self):
        self.publisher = self
        self.acked, self.dead = [], []

    def publish_raw(self, body, exchange, routing_key, headers, content_type):
        self.dead.append((exchange.name, routing_key, headers["x-yici-reason"]))

    def ack_message(self, message):
        self.acked.append(message)


def consumer(verify: bool, prefix: str = "") -> EventConsumer:
    settings = Settings(mode="distributed", amqp_uri="amqp://yici-delivery:x@127.0.0.1:5672//",
                        verify_publishers=verify, broker_user_prefix=prefix)
    entrypoint = EventConsumer(discard=True)
    entrypoint.container = SimpleNamespace(  # type: ignore[assignment]
        service_name="delivery", config={"YICI": settings}, spawn_managed_thread=lambda run, identifier=None: run())
    entrypoint.queue_consumer = FakeQueueConsumer()  # type: ignore[assignment]
    return entrypoint


def delivered(user_id: str | None):
    properties = {"user_id": user_id} if user_id else {}
    return SimpleNamespace(body=completed().model_dump_json().encode(), properties=properties,
                           delivery_info={"routing_key": "case_completed"}, content_type="application/json")


def count(metric, *labels) -> float:
    return metric.labels(*labels)._value.get()


@pytest.mark.parametrize("user_id", [None, "yici-intake", "guest", "p-yici-routing"])
def test_an_event_not_sent_by_its_owner_is_dead_lettered_with_the_reason_and_counted(user_id):
    entrypoint, message = consumer(verify=True), delivered(user_id)
    before = count(UNTRUSTED_SENDER, "delivery", "case_completed")
    entrypoint.accept(SPEC, message)
    assert entrypoint.queue_consumer.acked == [message]
    [(exchange, key, reason)] = entrypoint.queue_consumer.dead
    assert (exchange, key) == (topology.DEAD_LETTER_EXCHANGE, SPEC.name)
    assert reason.startswith("case_completed must come from broker user yici-routing, came from ")
    assert count(UNTRUSTED_SENDER, "delivery", "case_completed") == before + 1


def test_the_owners_event_passes_and_the_prefix_is_part_of_the_user():
    for prefix, user_id in (("", "yici-routing"), ("p-", "p-yici-routing")):
        entrypoint, message = consumer(verify=True, prefix=prefix), delivered(user_id)
        before = count(HANDLED, "delivery", "case_completed")
        entrypoint.accept(SPEC, message)
        assert entrypoint.queue_consumer.dead == [] and entrypoint.queue_consumer.acked == [message]
        assert count(HANDLED, "delivery", "case_completed") == before + 1


def test_without_verification_the_sender_is_not_looked_at():
    entrypoint, message = consumer(verify=False), delivered(None)
    entrypoint.accept(SPEC, message)
    assert entrypoint.queue_consumer.dead == [] and entrypoint.queue_consumer.acked == [message]


def test_only_a_service_owns_an_event():
    assert topology.sender_refusal("department_decided", "yici-approval") == \
        "department_decided is not published by a service"
    assert topology.sender_refusal("approval_requested", "yici-routing") is None


def test_verification_needs_rabbitmq():
    with pytest.raises(ValueError, match="verify_publishers needs RabbitMQ"):
        Settings(verify_publishers=True)


def test_the_publisher_names_its_broker_user_and_the_in_memory_one_nobody():
    assert Publisher("amqp://yici-routing:s%40cret@h1:5672//;amqp://yici-routing:s@h2:5672//").user_id == "yici-routing"
    assert Publisher("memory://").user_id is None
    assert Publisher("amqp://yici-routing:x@h//")._properties("id-1") == {
        "delivery_mode": 2, "message_id": "id-1", "user_id": "yici-routing"}


def test_a_process_checking_senders_must_run_one_service_as_its_own_user():
    from yici.startup import refuse_wrong_broker_user

    def settings(user: str, prefix: str = "") -> Settings:
        return Settings(mode="distributed", amqp_uri=f"amqp://{user}:x@127.0.0.1:5672//", verify_publishers=True,
                        broker_user_prefix=prefix)
    refuse_wrong_broker_user(settings("yici-routing"), ["routing"])
    refuse_wrong_broker_user(settings("p-yici-routing", "p-"), ["routing"])
    for wrong, services in ((settings("guest"), ["routing"]), (settings("yici-intake"), ["routing"]),
                            (settings("yici-routing"), ["routing", "delivery"])):
        with pytest.raises(SystemExit, match="verify_publishers: the broker user is"):
            refuse_wrong_broker_user(wrong, services)
    refuse_wrong_broker_user(Settings(mode="distributed", amqp_uri="amqp://guest:guest@h//"), ["routing", "delivery"])


def test_every_service_may_send_its_own_audit_entries_and_nobody_else():
    for service in topology.PUBLISHING_SERVICES:
        assert topology.sender_refusal("audit_recorded", f"yici-{service}") is None
        assert "audit_recorded" in topology.published_by(service)
    assert topology.sender_refusal("audit_recorded", "yici-dept-tax") is not None
    assert topology.sender_refusal("audit_recorded", None) is not None
