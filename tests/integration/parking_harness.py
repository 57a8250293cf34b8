"""A tiny service on EventConsumer, run as a process on a real transport (memory:// or RabbitMQ), to show
how the consumer settles events its handler sets aside: `python parking_harness.py URI flow|shutdown`.

Case ids tell the handler what to do, as a service's own records would: BAD-* are unknown cases
(dead-lettered at once); an event about a case whose case_submitted was not handled yet is not known yet
(parked, then dead-lettered after PARK seconds). The last line printed is the outcome as JSON.
"""
from __future__ import annotations

import json  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

import eventlet  # noqa: E402
from kombu import Producer  # noqa: E402
from nameko.runners import ServiceRunner  # noqa: E402

import shared.providers.boot  # noqa: F401 - greens the standard library first
from shared.config import Settings  # noqa: E402
from shared.errors import CaseNotKnownYet, SetAside, UnknownCase  # noqa: E402
from shared.events import ApprovalDecided, CaseSubmitted, Event  # noqa: E402
from shared.metrics import REGISTRY  # noqa: E402
from shared.providers.amqp import EVENTS, connection, dead_letter_queue, kombu_queue  # noqa: E402
from shared.providers.consumer import consume_events  # noqa: E402
from shared.topology import QueueSpec  # noqa: E402
from yici.runner import nameko_config  # noqa: E402

SERVICE = "parking-test"
SPEC = QueueSpec("yici.test-parking", ("case_submitted", "approval_decided"))
PARK = float(sys.argv[3]) if len(sys.argv) > 3 else 1.5
STARTED = time.monotonic()
SUBMITTED: set[str] = set()
HANDLED: list[tuple[str, str, float]] = []


def verdict(event: Event, begun: set[str]) -> Exception | None:
    if event.case_id.startswith("BAD"):
        return UnknownCase(event.case_id, event.event_type)
    if event.event_type != "case_submitted" and event.case_id not in begun:
        return CaseNotKnownYet(event.case_id, event.event_type)
    return None


class ParkingService:
    name = SERVICE

    @consume_events(queues=lambda settings: [SPEC], batch=20, gather=0.05, park_seconds=PARK)
    def on_events(self, events):
        begun = SUBMITTED | {e.case_id for e in events if e.event_type == "case_submitted"}
        errors = {str(e.event_id): error for e in events if (error := verdict(e, begun)) is not None}
        if errors:
            raise SetAside(errors)
        SUBMITTED.update(begun)
        HANDLED.extend((e.case_id, e.event_type, since_start()) for e in events)


FLOOD_DECIDED = QueueSpec("yici.test-flood-decided", ("approval_decided",))
FLOOD_SUBMITTED = QueueSpec("yici.test-flood-submitted", ("case_submitted",))
SHARE = float(sys.argv[4]) if len(sys.argv) > 4 else 0.5


class FloodService:
    """Decisions on one queue wait for their cases, which come on another (approval's department decisions
    and routing's requests): `park_share` of the prefetch may be parked."""
    name = SERVICE

    @consume_events(queues=lambda settings: [FLOOD_DECIDED], park_seconds=PARK, park_share=SHARE)
    def on_decided(self, event):
        if event.case_id not in SUBMITTED:
            raise CaseNotKnownYet(event.case_id, event.event_type)
        HANDLED.append((event.case_id, event.event_type, since_start()))

    @consume_events(queues=lambda settings: [FLOOD_SUBMITTED], batch=20, gather=0.05)
    def on_submitted(self, events):
        SUBMITTED.update(e.case_id for e in events)
        HANDLED.extend((e.case_id, e.event_type, since_start()) for e in events)


def decided(case_id: str) -> ApprovalDecided:
    return ApprovalDecided(case_id=case_id, payload={
        "request_id": f"{case_id}:x", "item_code": "x", "department": "tax", "decision": "approved",
        "decided_by": "test"})


def submitted(case_id: str) -> CaseSubmitted:
    return CaseSubmitted(case_id=case_id, payload={"matter_code": "m", "channel": "online", "region_code": "150626",
                                                   "catalog_version": "test"})


def publish(uri: str, events: list[Event]) -> None:
    with connection(uri) as conn:
        producer = Producer(conn.default_channel)
        for event in events:
            producer.publish(json.dumps(event.to_wire()), exchange=EVENTS, routing_key=event.routing_key,
                             content_type="application/json", delivery_mode=2)


def take(uri: str, queue) -> list:
    """Every message waiting on `queue`: (case id, headers, seconds since start when taken) each."""
    taken = []
    with connection(uri) as conn:
        bound = queue(conn.default_channel)
        while (message := bound.get(no_ack=True)) is not None:
            taken.append((json.loads(message.body)["case_id"], message.headers or {}, since_start()))
    return taken


def since_start() -> float:
    return round(time.monotonic() - STARTED, 3)


def counted(outcome: str) -> float:
    labels = {"service": SERVICE, "event_type": "approval_decided", "outcome": outcome}
    return REGISTRY.get_sample_value("yici_events_unknown_case_total", labels) or 0.0


def wait_until(predicate, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate() and time.monotonic() < deadline:
        eventlet.sleep(0.05)


def start(uri: str, service: type = ParkingService) -> ServiceRunner:
    runner = ServiceRunner(nameko_config(Settings(amqp_uri=uri, port=0)))
    runner.add_service(service)
    runner.start()
    eventlet.sleep(0.5)  # the consumer has declared its queues
    return runner


def flow(uri: str) -> dict:
    """Out of order, never known, unknown and ordinary events together; then LATE-1's case_submitted."""
    runner = start(uri)
    published = since_start()
    publish(uri, [decided("LATE-1"), decided("NEVER-1"), decided("BAD-1"), submitted("OK-1"), decided("OK-1")])
    eventlet.sleep(0.5)
    publish(uri, [submitted("LATE-1")])
    letters: list = []
    wait_until(lambda: letters.extend(take(uri, dead_letter_queue(SPEC))) or len(letters) >= 2)
    eventlet.sleep(0.3)
    runner.stop()
    return {"published": published, "handled": HANDLED, "dead_letters": letters,
            "left": take(uri, kombu_queue(SPEC)), "parked": counted("parked"), "dead_lettered": counted("dead_lettered")}


def shutdown(uri: str) -> dict:
    """A parked event when the service stops: not acknowledged, so back on its queue."""
    runner = start(uri)
    publish(uri, [decided("NEVER-2")])
    wait_until(lambda: counted("parked") >= 1)
    started = time.monotonic()
    runner.stop()
    return {"stop_seconds": round(time.monotonic() - started, 2), "left": take(uri, kombu_queue(SPEC)),
            "dead_letters": take(uri, dead_letter_queue(SPEC)), "handled": HANDLED}


def flood(uri: str, cases: int = 120) -> dict:
    """Far more decisions than the prefetch count, each overtaking its case, which comes a second later on the
    other queue: with room to park them all, every one is handled once and none is dead-lettered."""
    runner = start(uri, FloodService)
    ids = [f"FLOOD-{n}" for n in range(cases)]
    publish(uri, [decided(c) for c in ids])
    eventlet.sleep(1.0)
    publish(uri, [submitted(c) for c in ids])
    letters: list = []
    wait_until(lambda: letters.extend(take(uri, dead_letter_queue(FLOOD_DECIDED))) or
               sum(1 for _, kind, _ in HANDLED if kind == "approval_decided") + len(letters) >= cases)
    runner.stop()
    return {"handled": HANDLED, "dead_letters": letters, "parked": counted("parked")}


if __name__ == "__main__":
    outcome = {"flow": flow, "shutdown": shutdown, "flood": flood}[sys.argv[2]](sys.argv[1])
    print(json.dumps(outcome), flush=True)
