"""Least privilege on the broker: one user per service, one per department system, one for the autoscaler.

Permissions are exact regexes built from the topology; nobody gets `.*`. Topic permissions limit the routing
keys: a service writes only the events it owns (shared/topology.EVENT_PUBLISHERS) to yici.events, a department
only its own decisions to yici.decisions. Passwords come from the
environment or a secrets directory and only their salted hashes enter a definitions document.
"""
from __future__ import annotations

import base64
import hashlib
import os
import re
import secrets as random_secrets
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from shared import topology
from shared.config import SERVICES

from .definitions import DECISIONS_EXCHANGE, decision_routing_key, decisions_queue, declared_queues, units_from_config

NOTHING = "^$"
MONITOR = "yici-keda"
PASSWORD_ENV_PREFIX = "YICI_BROKER_PASSWORD_"


@dataclass(frozen=True)
class Grant:
    """One broker user: its role, tags, vhost permissions and topic permissions (exchange, write, read)."""
    user: str
    role: str
    configure: str
    write: str
    read: str
    tags: tuple[str, ...] = ()
    topics: tuple[tuple[str, str, str], ...] = ()


class MissingSecret(Exception):
    """A broker user has no password in the environment or the secrets directory."""


def service_user(service: str, prefix: str = "") -> str:
    return topology.broker_user(service, prefix)


def department_user(code: str, prefix: str = "") -> str:
    return f"{prefix}dept-{code}"


def _escape(name: str) -> str:
    return re.escape(name).replace("\\-", "-")  # our names are [a-z0-9.-]; '-' needs no escape


def exact(names) -> str:
    return "^(" + "|".join(_escape(n) for n in names) + ")$"


def _with_dead_letters(queues: list[str]) -> str:
    r"""`yici\.(a|b)(\.dead-letter)?`: the queues and their dead-letter queues."""
    suffixes = [q.removeprefix("yici.") for q in queues]
    return r"yici\.(" + "|".join(_escape(s) for s in suffixes) + r")(\.dead-letter)?"


def _declarable(service: str, departments: list[str], units) -> str:
    """What a service process declares at start: the exchanges, every queue and its dead letters."""
    exchanges = [topology.EVENTS_EXCHANGE, topology.DEAD_LETTER_EXCHANGE]
    queues = [q.name for q in declared_queues(departments, units)] + [topology.STAFF_STREAM]
    if service == "approval":
        exchanges.append(DECISIONS_EXCHANGE)
        queues.append(decisions_queue().name)
    return "^(" + "|".join(_escape(e) for e in exchanges) + "|" + _with_dead_letters(queues) + ")$"


def _consumed(service: str, departments: list[str], units) -> list[str]:
    own = [topology.service_queues()[service].name, topology.STAFF_STREAM]
    if service == "approval":  # departments in auto or worklist mode are served by approval itself
        return own + [q.name for q in topology.department_queues(departments, units)] + [decisions_queue().name]
    return own


def service_grant(service: str, departments: list[str], prefix: str = "", units=()) -> Grant:
    declarable = _declarable(service, departments, units)
    exchanges = [topology.EVENTS_EXCHANGE, topology.DEAD_LETTER_EXCHANGE]
    if service == "approval":
        exchanges.append(DECISIONS_EXCHANGE)
    return Grant(service_user(service, prefix), "service", configure=declarable, write=declarable,
                 read=exact(exchanges + _consumed(service, departments, units)),
                 topics=_service_topics(service))


def _service_topics(service: str) -> tuple[tuple[str, str, str], ...]:
    """Write: the routing keys of the events it owns. Read (RabbitMQ checks it when a queue is bound to a topic
    exchange): the binding keys of the queues every service declares at start."""
    topics = [(topology.EVENTS_EXCHANGE, own_routing_keys(service), _bindable())]
    if service == "approval":
        topics.append((DECISIONS_EXCHANGE, NOTHING, exact(decisions_queue().routing_keys)))
    return tuple(topics)


def _department_keys(event_types) -> list[str]:
    r"""`approval_requested\.[^.]+(\.[^.]+)?`: department events carry the department (and unit) after the type."""
    return [_escape(t) + r"\.[^.]+(\.[^.]+)?" for t in event_types]


def own_routing_keys(service: str) -> str:
    """The routing keys of the events a service owns, as a topic permission regex."""
    owned = topology.published_by(service)
    keys = [_escape(t) for t in owned if t not in topology.DEPARTMENT_EVENTS]
    keys += _department_keys(t for t in owned if t in topology.DEPARTMENT_EVENTS)
    return "^(" + "|".join(sorted(keys)) + ")$" if keys else NOTHING


def _bindable() -> str:
    """The service queues' binding keys, and any department's or unit's keys."""
    keys = sorted({_escape(k) for spec in topology.service_queues().values() for k in spec.routing_keys})
    return "^(" + "|".join(keys + _department_keys(topology.DEPARTMENT_EVENTS)) + ")$"


def department_grant(code: str, prefix: str = "", units=()) -> Grant:
    """Consume its own queue (and its level units'), publish its decisions with its own key, declare nothing."""
    queues = [topology.department_queue_name(code)] + [topology.department_queue_name(d, u) for d, u in units
                                                        if d == code]
    return Grant(department_user(code, prefix), "department", configure=NOTHING,
                 write=exact([DECISIONS_EXCHANGE]), read=exact(queues),
                 topics=((DECISIONS_EXCHANGE, exact([decision_routing_key(code)]), NOTHING),))


def monitor_grant(prefix: str = "") -> Grant:
    """Reads queue depths through the management API (KEDA); may not touch a message."""
    return Grant(f"{prefix}{MONITOR}", "monitor", NOTHING, NOTHING, NOTHING, tags=("monitoring",))


def grants(departments: list[str], prefix: str = "", units=None) -> list[Grant]:
    units = units_from_config() if units is None else units
    return ([service_grant(s, departments, prefix, units) for s in SERVICES]
            + [department_grant(d, prefix, units) for d in sorted(departments)] + [monitor_grant(prefix)])


def password_env(user: str) -> str:
    return PASSWORD_ENV_PREFIX + re.sub(r"[^A-Z0-9]", "_", user.upper())


def password_for(user: str, secrets_dir: Path | None = None, generate: bool = False,
                 env: Mapping[str, str] | None = None) -> str:
    """The environment first, then `<secrets_dir>/<user>`; optionally generate one into that file."""
    values = os.environ if env is None else env
    if values.get(password_env(user)):
        return values[password_env(user)]
    path = secrets_dir / user if secrets_dir else None
    if path and path.is_file():
        return path.read_text(encoding="utf-8").strip()
    if generate and path:
        return _write_secret(path, random_secrets.token_urlsafe(24))
    raise MissingSecret(f"no password for broker user {user}: set {password_env(user)} "
                        f"or write it to <secrets-dir>/{user}")


def _write_secret(path: Path, value: str) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(value + "\n")
    return value


def password_hash(password: str, salt: bytes | None = None) -> str:
    """RabbitMQ's rabbit_password_hashing_sha256: base64(salt + sha256(salt + password))."""
    salt = os.urandom(4) if salt is None else salt
    return base64.b64encode(salt + hashlib.sha256(salt + password.encode("utf-8")).digest()).decode()


def user_definitions(grant_list: list[Grant], passwords: dict[str, str], vhost: str) -> dict:
    """The users, permissions and topic permissions sections of a definitions document."""
    return {
        "users": [{"name": g.user, "password_hash": password_hash(passwords[g.user]),
                   "hashing_algorithm": "rabbit_password_hashing_sha256", "tags": list(g.tags),
                   "limits": {}} for g in grant_list],
        "permissions": [{"user": g.user, "vhost": vhost, "configure": g.configure, "write": g.write,
                         "read": g.read} for g in grant_list],
        "topic_permissions": [{"user": g.user, "vhost": vhost, "exchange": exchange, "write": write, "read": read}
                              for g in grant_list for exchange, write, read in g.topics],
    }


def amqp_uri(user: str, password: str, host: str = "127.0.0.1", port: int = 5672, vhost: str = "/") -> str:
    return f"amqp://{quote(user, safe='')}:{quote(password, safe='')}@{host}:{port}/{quote(vhost, safe='')}"
