"""Least privilege, proven on the real broker: department users reach their own queue and nothing else."""
from __future__ import annotations

import re
import secrets

import pika
import pytest
from pika.exceptions import ChannelClosedByBroker

from deploy_kit import grant_guest, guest_uri
from shared import topology
from shared.config import SERVICES
from shared.providers import amqp
from yici.deploy import access, broker
from yici.deploy.definitions import (
    DECISIONS_EXCHANGE,
    DECISIONS_QUEUE,
    decision_routing_key,
    decisions_queue,
    declared_queues,
    departments_from_catalog,
)


def test_no_user_has_wildcard_permissions_and_departments_configure_nothing():
    for grant in access.grants(departments_from_catalog()):
        for regex in (grant.configure, grant.write, grant.read):
            assert ".*" not in regex and regex.startswith("^") and regex.endswith("$"), grant.user
        if grant.role == "department":
            assert grant.configure == access.NOTHING and len(grant.topics) == 1


def test_the_regexes_name_exactly_the_topology():
    departments = departments_from_catalog()
    names = [n for q in declared_queues(departments) for n in (q.name, q.dead_letter_queue)]
    names += [topology.EVENTS_EXCHANGE, topology.DEAD_LETTER_EXCHANGE]
    strangers = ["yici.mine", "amq.gen-1", "yici.events.dead-letter.x", "yici.department.tax2", DECISIONS_QUEUE]
    routing = access.service_grant("routing", departments, units=[])
    assert all(re.fullmatch(routing.configure, n) for n in names)
    assert not any(re.fullmatch(routing.configure, n) for n in strangers)
    tax = access.department_grant("tax")
    assert [n for n in names if re.fullmatch(tax.read, n)] == ["yici.department.tax"]


def test_services_write_only_the_routing_keys_of_the_events_they_own():
    keys = {"case_completed": "routing", "approval_requested.tax": "routing",
            "approval_requested.tax.150102": "routing", "approval_cancelled.tax": "routing", "decision_answered.tax": "approval", "approval_decided": "approval",
            "case_submitted": "intake", "delivery_completed": "delivery", "deadline_changed": "oversight"}
    grants = {s: access.service_grant(s, ["tax"], units=[]) for s in SERVICES}
    for key, owner in keys.items():
        writers = [s for s, g in grants.items() if re.fullmatch(g.topics[0][1], key)]
        assert writers == [owner], key
    assert not any(re.fullmatch(g.topics[0][1], k) for g in grants.values()
                   for k in ("approval_requested", "case_completed.x", "department_decision.tax", "#"))
    assert all(g.topics[0][0] == topology.EVENTS_EXCHANGE for g in grants.values())


def test_passwords_come_from_the_environment_or_the_secrets_directory(tmp_path):
    env = {access.password_env("dept-tax"): "from-env"}
    assert access.password_for("dept-tax", tmp_path, env=env) == "from-env"
    (tmp_path / "dept-tax").write_text("from-file\n")
    assert access.password_for("dept-tax", tmp_path, env={}) == "from-file"
    with pytest.raises(access.MissingSecret):
        access.password_for("dept-health", tmp_path, env={})
    generated = access.password_for("dept-health", tmp_path, generate=True, env={})
    assert (tmp_path / "dept-health").stat().st_mode & 0o077 == 0 and len(generated) >= 24


@pytest.fixture(scope="module")
def loaded(module_vhost):
    """Two real departments, all service users and the monitor, with random passwords, in a fresh vhost."""
    vhost, created = module_vhost
    departments = departments_from_catalog()[:2]
    prefix = f"t{secrets.token_hex(3)}-"
    grants = access.grants(departments, prefix)
    passwords = {g.user: secrets.token_urlsafe(16) for g in grants}
    created.extend(passwords)
    doc = broker.document("single", vhost, departments)
    doc.update(access.user_definitions(grants, passwords, vhost))
    broker.import_definitions(doc)
    grant_guest(vhost)
    return vhost, departments, prefix, passwords


def channel_as(vhost: str, user: str, password: str):
    params = pika.ConnectionParameters("127.0.0.1", 5672, vhost, pika.PlainCredentials(user, password),
                                       blocked_connection_timeout=10, socket_timeout=10)
    connection = pika.BlockingConnection(params)
    return connection, connection.channel()


def refused(vhost, user, password, action) -> str:
    connection, channel = channel_as(vhost, user, password)
    try:
        with pytest.raises(ChannelClosedByBroker) as closed:
            action(channel)
        assert closed.value.reply_code == 403
        return closed.value.reply_text
    finally:
        if connection.is_open:
            connection.close()


def allowed(vhost, user, password, action):
    connection, channel = channel_as(vhost, user, password)
    try:
        return action(channel)
    finally:
        connection.close()


def publish(exchange: str, key: str):
    def action(channel):
        channel.confirm_delivery()
        channel.basic_publish(exchange, key, b'{"decision": "approved"}',
                              pika.BasicProperties(delivery_mode=2, content_type="application/json"))
    return action


@pytest.mark.rabbit
def test_a_department_consumes_its_own_queue_and_publishes_only_its_own_decisions(loaded):
    vhost, (own, other), prefix, passwords = loaded
    user = access.department_user(own, prefix)
    password = passwords[user]
    own_queue, other_queue = topology.department_queue_name(own), topology.department_queue_name(other)
    assert allowed(vhost, user, password, lambda ch: ch.basic_consume(own_queue, lambda *a: None))
    assert allowed(vhost, user, password, lambda ch: ch.queue_declare(own_queue, passive=True))
    allowed(vhost, user, password, publish(DECISIONS_EXCHANGE, decision_routing_key(own)))
    with amqp.connection(guest_uri(vhost)) as conn:
        assert conn.default_channel.basic_get(DECISIONS_QUEUE, no_ack=True) is not None

    assert other_queue in refused(vhost, user, password, lambda ch: ch.basic_consume(other_queue, lambda *a: None))
    assert other_queue in refused(vhost, user, password, lambda ch: ch.basic_get(other_queue))
    assert "topic" in refused(vhost, user, password, publish(DECISIONS_EXCHANGE, decision_routing_key(other)))
    assert topology.EVENTS_EXCHANGE in refused(vhost, user, password,
                                               publish(topology.EVENTS_EXCHANGE, "approval_decided"))


@pytest.mark.rabbit
def test_a_department_can_declare_or_delete_nothing(loaded):
    vhost, (own, _), prefix, passwords = loaded
    user = access.department_user(own, prefix)
    password = passwords[user]
    own_queue = topology.department_queue_name(own)
    attempts = [
        lambda ch: ch.queue_declare(f"{own_queue}.mine", durable=True),
        lambda ch: ch.queue_declare("", exclusive=True),
        lambda ch: ch.queue_declare(own_queue, durable=True, arguments=amqp.kombu_queue(
            topology.department_queue(own)).queue_arguments),
        lambda ch: ch.queue_delete(own_queue),
        lambda ch: ch.queue_bind(own_queue, topology.EVENTS_EXCHANGE, "#"),
        lambda ch: ch.exchange_declare("yici.mine", "topic", durable=True),
        lambda ch: ch.exchange_delete(DECISIONS_EXCHANGE),
    ]
    for attempt in attempts:
        refused(vhost, user, password, attempt)
    assert allowed(vhost, user, password, lambda ch: ch.queue_declare(own_queue, passive=True))


@pytest.mark.rabbit
def test_each_service_user_declares_the_topology_and_consumes_only_its_own_queue(loaded):
    vhost, departments, prefix, passwords = loaded
    specs = declared_queues(departments)
    for service in SERVICES:
        user = access.service_user(service, prefix)
        own_specs = specs + ([decisions_queue()] if service == "approval" else [])
        with amqp.connection(access.amqp_uri(user, passwords[user], vhost=vhost)) as conn:
            amqp.declare(conn.default_channel, own_specs)  # what runner.declare_topology does at start
        if service != "approval":
            refused(vhost, user, passwords[user], lambda ch: ch.queue_declare(
                DECISIONS_QUEUE, durable=True, arguments=amqp.kombu_queue(decisions_queue()).queue_arguments))
        own = topology.service_queues()[service].name
        assert allowed(vhost, user, passwords[user], lambda ch: ch.basic_consume(own, lambda *a: None))
        owned = next(t for t in topology.published_by(service) if t not in topology.DEPARTMENT_EVENTS)
        allowed(vhost, user, passwords[user], publish(topology.EVENTS_EXCHANGE, owned))
        if service != "routing":
            assert "topic" in refused(vhost, user, passwords[user], publish(topology.EVENTS_EXCHANGE, "case_completed"))
        stranger = "yici.oversight" if service != "oversight" else "yici.intake"
        refused(vhost, user, passwords[user], lambda ch: ch.basic_consume(stranger, lambda *a: None))


@pytest.mark.rabbit
def test_the_monitor_user_touches_no_message(loaded):
    vhost, _, prefix, passwords = loaded
    user = f"{prefix}{access.MONITOR}"
    refused(vhost, user, passwords[user], lambda ch: ch.basic_get("yici.intake"))
    refused(vhost, user, passwords[user], publish(topology.EVENTS_EXCHANGE, "case_completed"))
