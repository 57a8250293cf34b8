"""Names of the broker topology: one topic exchange for events, one queue per consumer and department."""
from __future__ import annotations

from dataclasses import dataclass, field

EVENTS_EXCHANGE = "yici.events"
DEAD_LETTER_EXCHANGE = "yici.dead-letter"
DECISIONS_ROUTING_PREFIX = "department_decision"


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


def department_queue_name(department: str) -> str:
    """The predictable name a department system consumes: yici.department.<code>."""
    return f"yici.department.{department}"


def department_routing_key(department: str) -> str:
    return f"approval_requested.{department}"


def department_queue(department: str) -> QueueSpec:
    return QueueSpec(department_queue_name(department), (department_routing_key(department),))


SERVICE_BINDINGS: dict[str, tuple[str, ...]] = {
    "intake": ("approval_requested.*", "approval_decided", "case_completed", "case_rejected",
               "delivery_dispatched", "delivery_completed"),
    "routing": ("case_accepted", "approval_decided", "case_withdrawn"),
    "delivery": ("case_completed", "case_rejected"),
    "oversight": ("#",),
}


def service_queues() -> dict[str, QueueSpec]:
    return {name: service_queue(name, keys) for name, keys in SERVICE_BINDINGS.items()}
