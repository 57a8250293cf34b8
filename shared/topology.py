"""Names of the broker topology: one topic exchange for events, one queue per consumer and department."""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

EVENTS_EXCHANGE = "yici.events"
DEAD_LETTER_EXCHANGE = "yici.dead-letter"
DECISIONS_ROUTING_PREFIX = "department_decision"
DECISIONS_EXCHANGE = "yici.decisions"
DECISIONS_QUEUE = "yici.approval.decisions"
DEPARTMENT_EVENTS = ("approval_requested", "approval_cancelled", "decision_answered")


@dataclass(frozen=True)
class QueueSpec:
    """A durable queue, what it is bound to, and where its dead letters go."""
    name: str
    routing_keys: tuple[str, ...]
    exchange: str = EVENTS_EXCHANGE
    dead_letter_queue: str = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "dead_letter_queue", f"{self.name}.dead-letter")


def service_queue(service: str, routing_keys: tuple[str, ...]) -> QueueSpec:
    return QueueSpec(name=f"yici.{service}", routing_keys=routing_keys)


def _key(department: str, unit: str | None) -> str:
    return department if unit is None else f"{department}.{unit}"


def department_queue_name(department: str, unit: str | None = None) -> str:
    """The predictable name a department system consumes: yici.department.<code>[.<unit division code>]."""
    return f"yici.department.{_key(department, unit)}"


def department_routing_key(department: str, unit: str | None = None) -> str:
    return f"approval_requested.{_key(department, unit)}"


def department_queue(department: str, unit: str | None = None, bound: bool = True) -> QueueSpec:
    """Requests, cancellations and answers to its decisions, for one department or level unit.

    `bound=False`: the queue is declared (its name stays there for a department system to come) but not bound,
    for a department the approval service serves itself: every request reaches that service on its own queue,
    so a copy here would only be taken off and thrown away.
    """
    key = _key(department, unit)
    keys = tuple(f"{e}.{key}" for e in DEPARTMENT_EVENTS) if bound else ()
    return QueueSpec(department_queue_name(department, unit), keys)


def department_queues(departments: Iterable[str], units: Iterable[tuple[str, str | None]] = (),
                      served: Callable[[str, str | None], bool] | None = None) -> list[QueueSpec]:
    """Queues of the departments and of their level units, given as (department, unit) pairs; those for which
    `served(department, unit)` is true (the approval service decides them itself) are left unbound."""
    pairs = [(d, None) for d in departments] + list(units)
    return [department_queue(d, u, bound=not (served and served(d, u))) for d, u in pairs]


def decision_routing_key(department: str) -> str:
    """Department systems publish decisions to DECISIONS_EXCHANGE with this key (units use their department's)."""
    return f"{DECISIONS_ROUTING_PREFIX}.{department}"


def decisions_queue() -> QueueSpec:
    """Where department systems' decisions wait for the approval service."""
    return QueueSpec(DECISIONS_QUEUE, (f"{DECISIONS_ROUTING_PREFIX}.*",), exchange=DECISIONS_EXCHANGE)


# every service refuses the signed cookies of ended staff sessions and disabled accounts (shared/staff)
STAFF_EVENTS = ("staff_session_ended", "staff_account_disabled")
# ...and every replica must hear of each one, also a replica started later: the service queues share events out
# among a service's replicas, so the staff events also go to a RabbitMQ stream that each process reads whole
# (shared/providers/staff_feed.py). Sessions last at most 24 h: the stream keeps a little more.
STAFF_STREAM = "yici.staff-revocations"
STAFF_STREAM_ARGUMENTS = {"x-queue-type": "stream", "x-max-age": "26h"}
SERVICE_BINDINGS: dict[str, tuple[str, ...]] = {
    "intake": ("approval_requested.#", "approval_decided", "case_completed", "case_rejected",
               "delivery_dispatched", "delivery_completed", "deadline_changed", "approval_cancelled.#",
               "supplement_requested", "license_changed", "rectification_closed", *STAFF_EVENTS),
    "routing": ("case_accepted", "approval_decided", "case_withdrawn", "supplement_provided", *STAFF_EVENTS),
    "approval": ("approval_requested.#", "approval_cancelled.#", *STAFF_EVENTS),
    "delivery": ("case_completed", "case_rejected", "correction_requested", "case_accepted", "supplement_requested",
                 "case_not_accepted", "commitment_due_soon", "license_changed", *STAFF_EVENTS),
    "oversight": ("#",),
}


def service_queues() -> dict[str, QueueSpec]:
    return {name: service_queue(name, keys) for name, keys in SERVICE_BINDINGS.items()}


# Which service publishes each event on EVENTS_EXCHANGE (department_decided comes from department systems, on
# DECISIONS_EXCHANGE). The broker lets each service's user write only these keys; consumers check the sender.
EVERY_SERVICE = "every service"  # an event each service records about itself (the audit trail's entries)
PUBLISHING_SERVICES = ("intake", "routing", "approval", "delivery", "oversight")
EVENT_PUBLISHERS: dict[str, str] = {
    "case_submitted": "intake", "correction_requested": "intake", "case_accepted": "intake",
    "supplement_provided": "intake", "case_withdrawn": "intake", "deferred_supplied": "intake",
    "case_not_accepted": "intake", "case_rated": "intake",
    "approval_requested": "routing", "approval_cancelled": "routing", "case_completed": "routing",
    "case_rejected": "routing", "supplement_requested": "routing",
    "approval_decided": "approval", "decision_answered": "approval", "license_changed": "approval",
    "delivery_dispatched": "delivery", "delivery_completed": "delivery",
    "rating_received": "oversight", "supervision_warning": "oversight", "deadline_changed": "oversight",
    "commitment_due_soon": "oversight", "rectification_closed": "oversight",
    "staff_session_ended": "oversight", "staff_account_disabled": "oversight",
    "audit_recorded": EVERY_SERVICE,
}


def published_by(service: str) -> tuple[str, ...]:
    """The event types a service publishes, in a stable order."""
    return tuple(sorted(t for t, owner in EVENT_PUBLISHERS.items() if owner in (service, EVERY_SERVICE)))


def broker_user(service: str, prefix: str = "") -> str:
    """The broker user a service connects as in the distributed mode with per-service users."""
    return f"{prefix}yici-{service}"


def sender_refusal(event_type: str, user_id: str | None, prefix: str = "") -> str | None:
    """Why an event may not be trusted, given the broker-validated AMQP user_id it came with; None if it may."""
    owner = EVENT_PUBLISHERS.get(event_type)
    if owner is None:
        return f"{event_type} is not published by a service"
    if owner == EVERY_SERVICE:
        if user_id in {broker_user(s, prefix) for s in PUBLISHING_SERVICES}:
            return None
        return f"{event_type} must come from a service's broker user, came from {user_id or 'an unnamed sender'}"
    expected = broker_user(owner, prefix)
    if user_id != expected:
        return f"{event_type} must come from broker user {expected}, came from {user_id or 'an unnamed sender'}"
    return None
