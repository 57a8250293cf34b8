"""RabbitMQ definitions generated from shared/topology.py and the catalog's departments.

Two profiles: `single` (classic durable queues, exactly what the services declare today) and `cluster`
(quorum queues with a delivery limit, at-least-once dead-lettering).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from shared import topology

PROFILES = ("single", "cluster")
RABBITMQ_VERSION = "3.10.8"
DELIVERY_LIMIT = 20
DECISIONS_EXCHANGE = topology.DECISIONS_EXCHANGE
DECISIONS_QUEUE = topology.DECISIONS_QUEUE
decision_routing_key = topology.decision_routing_key
decisions_queue = topology.decisions_queue


@dataclass(frozen=True)
class ExchangeSpec:
    name: str
    type: str


EXCHANGES = (ExchangeSpec(topology.EVENTS_EXCHANGE, "topic"),
             ExchangeSpec(topology.DEAD_LETTER_EXCHANGE, "direct"),
             ExchangeSpec(DECISIONS_EXCHANGE, "topic"))


def departments_from_catalog() -> list[str]:
    from shared.catalog import default_catalog
    return sorted(default_catalog().departments)


def units_from_config() -> list[tuple[str, str]]:
    """Level units (department, division code) of deploy/config/distributed.yaml: each has its own queue."""
    from shared.config import REPO_ROOT, load_settings
    settings = load_settings(REPO_ROOT / "deploy" / "config" / "distributed.yaml", env={})
    units = getattr(getattr(settings, "routing", None), "units", [])
    return sorted({(u.department, u.region) for u in units})


def declared_queues(departments: list[str], units=None) -> list[topology.QueueSpec]:
    """The service and department queues the services declare themselves at start."""
    units = units_from_config() if units is None else units
    return list(topology.service_queues().values()) + topology.department_queues(departments, units)


def all_queues(departments: list[str], units=None) -> list[topology.QueueSpec]:
    return declared_queues(departments, units) + [decisions_queue()]


def queue_arguments(spec: topology.QueueSpec, profile: str) -> dict:
    arguments: dict[str, object] = {"x-dead-letter-exchange": topology.DEAD_LETTER_EXCHANGE,
                                    "x-dead-letter-routing-key": spec.name}
    if profile == "cluster":
        arguments.update({"x-queue-type": "quorum", "x-delivery-limit": DELIVERY_LIMIT})
    return arguments


def dead_letter_arguments(profile: str) -> dict:
    return {"x-queue-type": "quorum"} if profile == "cluster" else {}


def policies(profile: str, departments: list[str], units=None) -> list[dict]:
    if profile == "cluster":
        names = "|".join(_escape(q.name) for q in all_queues(departments, units))
        return [_policy("yici-at-least-once-dead-lettering", f"^({names})$",
                        {"dead-letter-strategy": "at-least-once", "overflow": "reject-publish"})]
    return [_policy("yici-lazy-dead-letters", r"^yici\..+\.dead-letter$", {"queue-mode": "lazy"})]


def definitions(profile: str = "single", vhost: str = "/", departments: list[str] | None = None,
                units: list[tuple[str, str]] | None = None) -> dict:
    """The broker topology as a RabbitMQ definitions document (no users: see access.py)."""
    if profile not in PROFILES:
        raise ValueError(f"unknown profile {profile!r}; choose from {', '.join(PROFILES)}")
    departments = departments_from_catalog() if departments is None else sorted(departments)
    specs = all_queues(departments, units)
    return {
        "rabbit_version": RABBITMQ_VERSION, "rabbitmq_version": RABBITMQ_VERSION,
        "users": [], "permissions": [], "topic_permissions": [], "parameters": [], "global_parameters": [],
        "vhosts": [{"name": vhost}],
        "exchanges": [_exchange(e, vhost) for e in EXCHANGES],
        "queues": [q for s in specs for q in _queues(s, profile, vhost)] + [_staff_stream(vhost)],
        "bindings": [b for s in specs for b in _bindings(s, vhost)]
                    + [_binding(topology.EVENTS_EXCHANGE, topology.STAFF_STREAM, key, vhost)
                       for key in topology.STAFF_EVENTS],
        "policies": [dict(p, vhost=vhost) for p in policies(profile, departments, units)],
    }


def _exchange(spec: ExchangeSpec, vhost: str) -> dict:
    return {"name": spec.name, "vhost": vhost, "type": spec.type, "durable": True, "auto_delete": False,
            "internal": False, "arguments": {}}


def _queues(spec: topology.QueueSpec, profile: str, vhost: str) -> list[dict]:
    work = {"name": spec.name, "vhost": vhost, "durable": True, "auto_delete": False,
            "arguments": queue_arguments(spec, profile)}
    dead = {"name": spec.dead_letter_queue, "vhost": vhost, "durable": True, "auto_delete": False,
            "arguments": dead_letter_arguments(profile)}
    return [work, dead]


def _staff_stream(vhost: str) -> dict:
    """The stream every process reads staff revocations from (shared/providers/staff_feed.py): a stream in both profiles."""
    return {"name": topology.STAFF_STREAM, "vhost": vhost, "durable": True, "auto_delete": False,
            "arguments": dict(topology.STAFF_STREAM_ARGUMENTS)}


def _bindings(spec: topology.QueueSpec, vhost: str) -> list[dict]:
    work = [_binding(spec.exchange, spec.name, key, vhost) for key in spec.routing_keys]
    return work + [_binding(topology.DEAD_LETTER_EXCHANGE, spec.dead_letter_queue, spec.name, vhost)]


def _binding(source: str, queue: str, key: str, vhost: str) -> dict:
    return {"source": source, "vhost": vhost, "destination": queue, "destination_type": "queue",
            "routing_key": key, "arguments": {}}


def _policy(name: str, pattern: str, definition: dict) -> dict:
    return {"name": name, "pattern": pattern, "apply-to": "queues", "definition": definition, "priority": 0}


def _escape(name: str) -> str:
    return re.escape(name)
