"""The definitions file agrees with what the services declare (shared/topology.py + shared/providers/amqp.py)."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from amqp.exceptions import PreconditionFailed
from kombu import Queue

from deploy_kit import REPO, grant_guest, guest_uri
from shared import topology
from shared.providers import amqp
from yici.deploy import broker
from yici.deploy.definitions import (
    DECISIONS_EXCHANGE,
    decisions_queue,
    declared_queues,
    definitions,
    departments_from_catalog,
)


def by_name(items: list[dict]) -> dict[str, dict]:
    return {item["name"]: item for item in items}


def bindings_of(doc: dict, queue: str) -> set[tuple[str, str]]:
    return {(b["source"], b["routing_key"]) for b in doc["bindings"] if b["destination"] == queue}


def kombu_bindings(queue: Queue) -> set[tuple[str, str]]:
    return {(b.exchange.name, b.routing_key) for b in queue.bindings}


@pytest.mark.parametrize("profile, quorum", [("single", False), ("cluster", True)])
def test_every_declared_queue_has_the_arguments_and_bindings_the_services_declare(profile, quorum):
    doc, departments = definitions(profile), departments_from_catalog()
    queues = by_name(doc["queues"])
    for spec in declared_queues(departments):
        declared = amqp.kombu_queue(spec, quorum=quorum)
        assert queues[spec.name]["arguments"] == declared.queue_arguments, spec.name
        assert queues[spec.name]["durable"] is declared.durable is True
        assert bindings_of(doc, spec.name) == kombu_bindings(declared)
        dead = amqp.dead_letter_queue(spec)
        assert dead.name in queues and queues[dead.name]["durable"] is dead.durable
        assert bindings_of(doc, dead.name) == {(dead.exchange.name, dead.routing_key)}


def test_single_node_dead_letter_queues_are_declared_exactly_like_the_services_do():
    queues = by_name(definitions("single")["queues"])
    for spec in declared_queues(departments_from_catalog()):
        assert queues[spec.dead_letter_queue]["arguments"] == (amqp.dead_letter_queue(spec).queue_arguments or {})


def test_cluster_profile_is_quorum_with_delivery_limit_and_at_least_once_dead_lettering():
    doc = definitions("cluster")
    for queue in doc["queues"]:
        if queue["name"] == topology.STAFF_STREAM:  # read by every process, never consumed away
            assert queue["arguments"] == topology.STAFF_STREAM_ARGUMENTS
            continue
        assert queue["arguments"]["x-queue-type"] == "quorum", queue["name"]
        if not queue["name"].endswith(".dead-letter"):
            assert queue["arguments"]["x-delivery-limit"] > 0
            assert queue["arguments"]["x-dead-letter-exchange"] == topology.DEAD_LETTER_EXCHANGE
    [policy] = doc["policies"]
    assert policy["definition"] == {"dead-letter-strategy": "at-least-once", "overflow": "reject-publish"}


def test_exchanges_are_the_services_and_the_decisions_exchange():
    exchanges = by_name(definitions("single")["exchanges"])
    for exchange in (amqp.EVENTS, amqp.DEAD_LETTERS):
        assert exchanges[exchange.name]["type"] == exchange.type and exchanges[exchange.name]["durable"]
    assert exchanges[DECISIONS_EXCHANGE]["type"] == "topic"
    assert bindings_of(definitions("single"), decisions_queue().name) == {(DECISIONS_EXCHANGE,
                                                                          "department_decision.*")}


def test_every_department_of_the_catalog_and_every_service_has_its_queue():
    names = set(by_name(definitions("single")["queues"]))
    expected = {topology.department_queue_name(d) for d in departments_from_catalog()}
    expected |= {q.name for q in topology.service_queues().values()}
    assert expected <= names
    assert {f"{n}.dead-letter" for n in expected} <= names


def load(vhost: str, profile: str) -> None:
    broker.import_definitions(definitions(profile, vhost))
    grant_guest(vhost)


def broker_queues(vhost: str) -> dict[str, dict]:
    listed = json.loads(broker.rabbitmqctl("list_queues", "-p", vhost, "name", "durable", "arguments",
                                           "--formatter", "json"))
    return {q["name"]: dict(q, arguments={a[0]: a[2] for a in q["arguments"]}) for q in listed}


@pytest.mark.rabbit
def test_quorum_declarations_agree_with_the_cluster_profile_and_classic_ones_are_refused(deploy_vhost):
    """Why the services need a quorum switch before they run on the cluster profile (deploy/README.md)."""
    vhost, _ = deploy_vhost
    load(vhost, "cluster")
    specs = declared_queues(departments_from_catalog())
    with amqp.connection(guest_uri(vhost)) as conn:
        channel = conn.default_channel
        for spec in specs:
            amqp.kombu_queue(spec, quorum=True)(channel).declare()
            amqp.dead_letter_queue(spec, quorum=True)(channel).declare()
        with pytest.raises(PreconditionFailed):
            amqp.kombu_queue(topology.service_queues()["delivery"])(channel).declare()
    loaded = broker_queues(vhost)
    assert loaded.pop(topology.STAFF_STREAM)["arguments"] == topology.STAFF_STREAM_ARGUMENTS
    assert {q["arguments"].get("x-queue-type") for q in loaded.values()} == {"quorum"}
    assert all(loaded[s.name]["arguments"] == amqp.kombu_queue(s, quorum=True).queue_arguments for s in specs)


DECLARE_LIKE_A_SERVICE = """
from shared.config import REPO_ROOT, load_settings
from yici import runner
runner.declare_topology(load_settings(REPO_ROOT / "deploy" / "config" / "distributed.yaml"),
                        runner.catalog_departments())
"""


def broker_bindings(vhost: str) -> set[tuple[str, str, str]]:
    listed = json.loads(broker.rabbitmqctl("list_bindings", "-p", vhost, "source_name", "destination_name",
                                           "routing_key", "--formatter", "json"))
    return {(b["source_name"], b["destination_name"], b["routing_key"]) for b in listed if b["source_name"]}


@pytest.mark.rabbit
@pytest.mark.parametrize("profile", ["single", "cluster"])
def test_the_services_own_start_up_declaration_agrees_with_the_definitions(deploy_vhost, profile):
    """Load the definitions, run the services' real declare_topology on top: no PRECONDITION_FAILED, and
    nothing the services declare is missing from the definitions (the cluster profile with quorum_queues)."""
    vhost, _ = deploy_vhost
    load(vhost, profile)
    env = dict(os.environ, YICI_AMQP_URI=guest_uri(vhost),
               YICI_QUORUM_QUEUES="true" if profile == "cluster" else "false")
    done = subprocess.run([sys.executable, "-c", DECLARE_LIKE_A_SERVICE], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr[-2000:]
    doc, loaded = definitions(profile), broker_queues(vhost)
    assert set(loaded) == set(by_name(doc["queues"]))
    assert all(loaded[q["name"]]["arguments"] == q["arguments"] and loaded[q["name"]]["durable"]
               for q in doc["queues"])
    assert broker_bindings(vhost) == {(b["source"], b["destination"], b["routing_key"]) for b in doc["bindings"]}


DECLARE_AFTER_A_RACE = """
from amqp.exceptions import NotFound
from shared.config import REPO_ROOT, load_settings
from shared.providers import amqp
from yici import runner
real, calls = amqp.declare, []
def racing(channel, specs, quorum=False, stream=False):
    calls.append(1)
    if len(calls) == 1:
        raise NotFound("home node 'rabbit@localhost' of durable queue 'x' is down or inaccessible")
    real(channel, specs, quorum, stream)
amqp.declare = racing
runner.declare_topology(load_settings(REPO_ROOT / "deploy" / "config" / "distributed.yaml"),
                        runner.catalog_departments())
print(len(calls))
"""


@pytest.mark.rabbit
def test_start_up_declaration_repeats_after_a_concurrent_declaration_race(deploy_vhost):
    """RabbitMQ can answer NOT_FOUND ("home node ... down or inaccessible") to one of several processes
    declaring the same new durable queue at once (seen when five services started together); the service
    repeats the idempotent declaration instead of exiting. Then six processes declare at once, for real."""
    vhost, _ = deploy_vhost
    grant_guest(vhost)
    env = dict(os.environ, YICI_AMQP_URI=guest_uri(vhost))
    done = subprocess.run([sys.executable, "-c", DECLARE_AFTER_A_RACE], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split()[-1] == "2"
    starts = [subprocess.Popen([sys.executable, "-c", DECLARE_LIKE_A_SERVICE], cwd=REPO, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True) for _ in range(6)]
    failures = [p.communicate(timeout=120)[1][-1000:] for p in starts if p.wait(timeout=120) != 0]
    assert failures == []
    assert "yici.routing" in broker_queues(vhost)


DECLARE_WITH_MODES = """
import sys
from shared.config import REPO_ROOT, load_settings
from yici import runner
settings = load_settings(REPO_ROOT / "deploy" / "config" / "distributed.yaml")
settings.approval.departments.update(dict(arg.split("=") for arg in sys.argv[1:]))
runner.declare_topology(settings, runner.catalog_departments())
"""


@pytest.mark.rabbit
def test_only_departments_with_their_own_system_get_their_queue_bound_and_bindings_are_never_removed(
        deploy_vhost):
    """A department the approval service serves itself would only receive copies to throw away; a department
    system (mode external) must get every request, even when a process with an older configuration starts."""
    vhost, _ = deploy_vhost
    grant_guest(vhost)
    env = dict(os.environ, YICI_AMQP_URI=guest_uri(vhost))

    def start(*modes: str) -> set[str]:
        done = subprocess.run([sys.executable, "-c", DECLARE_WITH_MODES, *modes], cwd=REPO, env=env,
                              capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr[-2000:]
        return {destination for source, destination, _ in broker_bindings(vhost) if source == topology.EVENTS_EXCHANGE}

    tax, market = topology.department_queue_name("tax"), topology.department_queue_name("market-regulation")
    bound = start("tax=external")
    assert tax in bound and market not in bound
    assert {tax, market} <= set(broker_queues(vhost)), "every department's queue exists under its name"
    assert tax in start("tax=auto"), "a start with another configuration leaves the department system its copies"
    assert market in start("market-regulation=external")
