"""Issue 17, broker part: on a RabbitMQ node of the test's own, loaded with the generated definitions and users,
a service's user publishes only the events it owns, cannot claim another user as sender, and the legitimate
flow still works, all five services running each as its own user; an event that slips past the topic permissions
is refused by its consumer."""
from __future__ import annotations

import json
import secrets

import pika
import pytest
import requests
from pika.exceptions import ChannelClosedByBroker

from faultkit import RabbitNode
from faultkit.rabbit import cleanup_node
from shared import topology
from shared.config import SERVICES
from shared.events import CaseCompleted
from shared.messaging import OutgoingMessage
from shared.providers import amqp
from yici.deploy import access, broker
from yici.deploy.definitions import decisions_queue, declared_queues, departments_from_catalog
from yici_testkit import AUTH, BIN, Cluster, Process, case_body, submit, wait_for

pytestmark = [pytest.mark.rabbit, pytest.mark.slow]
DEPARTMENTS = departments_from_catalog()  # the services declare every department's queue at start


@pytest.fixture(scope="module")
def node(tmp_path_factory):
    """Its own node, the generated definitions loaded with every user (random passwords), as an operator does."""
    node = RabbitNode.create()
    try:
        node.start()
        grants = access.grants(DEPARTMENTS)
        passwords = {g.user: secrets.token_urlsafe(16) for g in grants}
        doc = broker.document("single", "/", DEPARTMENTS)
        doc.update(access.user_definitions(grants, passwords, "/"))
        path = tmp_path_factory.mktemp("definitions") / "definitions.json"
        path.write_text(json.dumps(doc))
        node.ctl("import_definitions", str(path))
        node.passwords = passwords  # type: ignore[attr-defined]
        yield node
    finally:
        cleanup_node(node)


def uri(node, service: str) -> str:
    user = access.service_user(service)
    return access.amqp_uri(user, node.passwords[user], port=node.port)


def channel_as(node, service: str):
    user = access.service_user(service)
    params = pika.ConnectionParameters("127.0.0.1", node.port, "/", pika.PlainCredentials(user, node.passwords[user]),
                                       blocked_connection_timeout=10, socket_timeout=10)
    connection = pika.BlockingConnection(params)
    channel = connection.channel()
    channel.confirm_delivery()
    return connection, channel


def publish_as(node, service: str, exchange: str, key: str, body: bytes, **properties) -> None:
    connection, channel = channel_as(node, service)
    try:
        channel.basic_publish(exchange, key, body, pika.BasicProperties(delivery_mode=2, **properties),
                              mandatory=True)
    finally:
        if connection.is_open:
            connection.close()


def refused(node, service, exchange, key, body=b"{}", **properties) -> ChannelClosedByBroker:
    with pytest.raises(ChannelClosedByBroker) as closed:
        publish_as(node, service, exchange, key, body, **properties)
    return closed.value


def take(node, service: str, queue: str):
    """The next message on a queue, read as the service's own user: (body, properties) or None."""
    connection, channel = channel_as(node, service)
    try:
        method, properties, body = channel.basic_get(queue, auto_ack=True)
        return None if method is None else (body, properties)
    finally:
        connection.close()


def completed() -> CaseCompleted:
    return CaseCompleted(case_id=f"C-{secrets.token_hex(4)}", payload={
        "matter_code": "m", "items": ["i"], "delivery": {"method": "pickup", "hall": "h"},
        "contact": {"name": "n", "phone": "13800138000"}})


@pytest.fixture(scope="module")
def declared(node):
    """Every service declares the whole topology at start (yici.runner.declare_topology) as its own user: the
    binding keys pass its topic read permission."""
    specs = declared_queues(DEPARTMENTS)
    for service in SERVICES:
        with amqp.connection(uri(node, service)) as conn:
            amqp.declare(conn.default_channel, specs + ([decisions_queue()] if service == "approval" else []))
    return node


def test_the_intake_user_cannot_publish_case_completed_or_case_rejected(declared):
    for key in ("case_completed", "case_rejected", "approval_requested.tax", "delivery_completed"):
        closed = refused(declared, "intake", topology.EVENTS_EXCHANGE, key, completed().model_dump_json().encode())
        assert closed.reply_code == 403, closed
        assert "ACCESS_REFUSED" in closed.reply_text and f"topic '{key}'" in closed.reply_text
    assert take(declared, "delivery", "yici.delivery") is None


def test_each_service_publishes_exactly_the_events_it_owns(declared):
    for event_type, owner in topology.EVENT_PUBLISHERS.items():
        key = f"{event_type}.{DEPARTMENTS[0]}" if event_type in topology.DEPARTMENT_EVENTS else event_type
        if owner == topology.EVERY_SERVICE:  # every service records its own audit entries
            for service in topology.PUBLISHING_SERVICES:
                publish_as(declared, service, topology.EVENTS_EXCHANGE, key, b"{}")
            continue
        publish_as(declared, owner, topology.EVENTS_EXCHANGE, key, b"{}")
        stranger = "oversight" if owner != "oversight" else "intake"
        assert refused(declared, stranger, topology.EVENTS_EXCHANGE, key).reply_code == 403
    purge(declared)


def purge(node) -> None:
    """Take away what the tests above left on the queues, so the services start on empty ones."""
    for queue in node.queues("/"):
        if queue["messages"] and queue["name"] != topology.STAFF_STREAM:  # a stream cannot be purged
            node.ctl("purge_queue", queue["name"])


def test_a_publish_claiming_another_user_is_refused(declared):
    body = completed().model_dump_json().encode()
    closed = refused(declared, "intake", topology.EVENTS_EXCHANGE, "case_submitted", body,
                     user_id=access.service_user("routing"))
    assert closed.reply_code == 406 and "user_id" in closed.reply_text, closed
    assert take(declared, "oversight", "yici.oversight") is None


def test_no_service_publishes_through_the_default_exchange_or_to_the_decisions_exchange(declared):
    assert refused(declared, "intake", "", "yici.delivery").reply_code == 403
    department = DEPARTMENTS[0]
    for service in SERVICES:
        assert refused(declared, service, "yici.decisions", topology.decision_routing_key(department)).reply_code == 403


def test_the_legitimate_flow_carries_the_validated_sender_to_the_consumer(declared):
    """Routing's own publisher: the broker takes case_completed, delivery receives it from yici-routing."""
    event = completed()
    publisher = amqp.Publisher(uri(declared, "routing"))
    try:
        sent = publisher.publish([OutgoingMessage(str(event.event_id), event.routing_key, event.model_dump_json())])
    finally:
        publisher.close()
    assert sent == [str(event.event_id)]
    body, properties = take(declared, "delivery", "yici.delivery")
    assert json.loads(body)["event_id"] == str(event.event_id)
    assert properties.user_id == "yici-routing"
    assert topology.sender_refusal("case_completed", properties.user_id) is None


def test_an_event_past_the_topic_permissions_is_refused_by_its_consumer(declared):
    """Topic permissions guard yici.events only: a service may bind any queue to the direct dead-letter exchange
    (it declares them all) and publish there. The message arrives, but not from routing: delivery refuses it."""
    connection, channel = channel_as(declared, "intake")
    try:
        channel.queue_bind("yici.delivery", topology.DEAD_LETTER_EXCHANGE, "forged")
    finally:
        connection.close()
    event = completed()
    publish_as(declared, "intake", topology.DEAD_LETTER_EXCHANGE, "forged", event.model_dump_json().encode())
    publish_as(declared, "intake", topology.DEAD_LETTER_EXCHANGE, "forged", event.model_dump_json().encode(),
               user_id="yici-intake")
    reasons = []
    for _ in range(2):
        body, properties = take(declared, "delivery", "yici.delivery")
        reasons.append(topology.sender_refusal(json.loads(body)["event_type"], properties.user_id))
    assert reasons == ["case_completed must come from broker user yici-routing, came from an unnamed sender",
                       "case_completed must come from broker user yici-routing, came from yici-intake"]


@pytest.fixture
def suite(tmp_path, declared, pg_url):
    """The five services as processes, each connected as its own broker user, checking every event's sender."""
    purge(declared)
    cluster = Cluster(tmp_path, "unused", pg_url, YICI_VERIFY_PUBLISHERS="true")
    for name in SERVICES:
        env = dict(cluster.env, YICI_AMQP_URI=uri(declared, name))
        cluster.processes[name] = Process([str(BIN / "yici"), "serve", name], env, tmp_path / f"{name}.log",
                                          cluster.ports[name]).start()
    try:
        for process in cluster.processes.values():
            process.wait_ready()
        yield cluster
    finally:
        cluster.stop()


def status(suite, case_id: str) -> str:
    return requests.get(suite.url("intake", f"/api/v1/cases/{case_id}"), headers=AUTH, timeout=10).json()["status"]


def dead_letters(node) -> dict[str, int]:
    return {q["name"]: q["messages"] for q in node.queues("/") if q["name"].endswith(".dead-letter")
            and q["messages"]}


@pytest.mark.postgres
@pytest.mark.e2e
@pytest.mark.timeout(300)
def test_every_service_as_its_own_user_carries_a_case_to_delivery_and_refuses_a_forged_completion(suite, declared):
    answer = submit(suite.url("intake", ""), case_body("bankruptcy-check"))
    assert answer.status_code == 201, answer.text
    case_id = answer.json()["case_id"]
    wait_for(lambda: status(suite, case_id) in ("completed", "delivered"), timeout=120, what="the case completed")
    wait_for(lambda: 'yici_events_handled_total{event_type="delivery_dispatched",service="intake"} 1.0'
             in metrics(suite, "intake"), timeout=30, what="delivery's dispatch reaching intake")
    assert dead_letters(declared) == {}, "no event of the legitimate flow may be refused"

    connection, channel = channel_as(declared, "intake")  # past the topic permissions (see the test above)
    try:
        channel.queue_bind("yici.delivery", topology.DEAD_LETTER_EXCHANGE, "forged-e2e")
    finally:
        connection.close()
    forged = completed().model_copy(update={"case_id": case_id})
    publish_as(declared, "intake", topology.DEAD_LETTER_EXCHANGE, "forged-e2e", forged.model_dump_json().encode(),
               user_id="yici-intake", content_type="application/json")
    wait_for(lambda: dead_letters(declared).get("yici.delivery.dead-letter"), timeout=30,
             what="the forged case_completed dead-lettered by delivery")
    connection = pika.BlockingConnection(pika.URLParameters(declared.uri()))  # an operator looks (guest)
    try:
        _, properties, body = connection.channel().basic_get("yici.delivery.dead-letter", auto_ack=True)
    finally:
        connection.close()
    assert json.loads(body)["event_id"] == str(forged.event_id)
    assert properties.headers["x-yici-reason"] == \
        "case_completed must come from broker user yici-routing, came from yici-intake"
    assert 'yici_events_untrusted_sender_total{event_type="case_completed",service="delivery"} 1.0' in \
        metrics(suite, "delivery")


def metrics(suite, service: str) -> str:
    return requests.get(suite.url(service, "/metrics"), timeout=10).text
