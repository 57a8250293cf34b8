"""The issue's reference point, measured on this machine: a bare Nameko pipeline without any database.

The same flow as Yici's four-department case with Nameko's stock parts only (`@http`, `EventDispatcher`,
`@event_handler`): durable queues, persistent messages and publisher confirms (Nameko's defaults), no outbox,
no inbox, no database; fan-in counted in memory. It publishes the same 12 events per case and delivers them
to the same consumers as Yici's topology (an intake view, routing, approval, delivery, an oversight that takes
everything), so the ratio of the two throughputs is what durability and the domain cost, on any machine.

Run by `bench/pipeline.py` after the main measurement; each class below runs as its own `nameko run` process.
"""
from __future__ import annotations

import json
import uuid

from nameko.events import EventDispatcher, event_handler
from nameko.web.handlers import http

DEPARTMENTS = ("court", "market", "tax", "social")
SERVICES = ("bare_intake", "bare_routing", "bare_approval", "bare_delivery", "bare_oversight")
# (source service, event type) of every event, in the order a case meets them
EVENTS = (("bare_intake", "case_submitted"), ("bare_intake", "case_accepted"),
          ("bare_routing", "approval_requested"), ("bare_approval", "approval_decided"),
          ("bare_routing", "case_completed"), ("bare_delivery", "delivery_dispatched"))


def _event(case_id: str, **payload) -> dict:
    return {"event_id": uuid.uuid4().hex, "case_id": case_id, **payload}


class Intake:
    name = "bare_intake"
    dispatch = EventDispatcher()
    view: dict[str, str] = {}

    @http("POST", "/api/v1/cases")
    def submit(self, request):
        body = json.loads(request.get_data())
        case_id = uuid.uuid4().hex
        self.view[case_id] = "accepted"
        self.dispatch("case_submitted", _event(case_id, matter_id=body["matter_code"]))
        self.dispatch("case_accepted", _event(case_id, matter_id=body["matter_code"], items=list(DEPARTMENTS)))
        return 201, json.dumps({"case_id": case_id, "status": "accepted"})

    @event_handler("bare_routing", "approval_requested")
    def on_requested(self, event):
        self.view[event["case_id"]] = "in_approval"

    @event_handler("bare_approval", "approval_decided")
    def on_decided(self, event):
        self.view[event["case_id"]] = "in_approval"

    @event_handler("bare_routing", "case_completed")
    def on_completed(self, event):
        self.view[event["case_id"]] = "completed"

    @event_handler("bare_delivery", "delivery_dispatched")
    def on_dispatched(self, event):
        self.view[event["case_id"]] = "delivering"


class Routing:
    name = "bare_routing"
    dispatch = EventDispatcher()
    pending: dict[str, int] = {}

    @event_handler("bare_intake", "case_accepted")
    def on_accepted(self, event):
        self.pending[event["case_id"]] = len(event["items"])
        for department in event["items"]:
            self.dispatch("approval_requested", _event(event["case_id"], department=department))

    @event_handler("bare_approval", "approval_decided")
    def on_decided(self, event):
        left = self.pending[event["case_id"]] - 1
        self.pending[event["case_id"]] = left
        if left == 0:
            del self.pending[event["case_id"]]
            self.dispatch("case_completed", _event(event["case_id"], outcome="approved"))


class Approval:
    name = "bare_approval"
    dispatch = EventDispatcher()

    @event_handler("bare_routing", "approval_requested")
    def on_requested(self, event):
        self.dispatch("approval_decided", _event(event["case_id"], department=event["department"],
                                                 decision="approved"))


class Delivery:
    name = "bare_delivery"
    dispatch = EventDispatcher()

    @event_handler("bare_routing", "case_completed")
    def on_completed(self, event):
        self.dispatch("delivery_dispatched", _event(event["case_id"], method="online"))


class Oversight:
    name = "bare_oversight"
    counts: dict[str, int] = {}

    def _count(self, event, kind):
        self.counts[kind] = self.counts.get(kind, 0) + 1

    @event_handler("bare_intake", "case_submitted")
    def on_submitted(self, event):
        self._count(event, "case_submitted")

    @event_handler("bare_intake", "case_accepted")
    def on_accepted(self, event):
        self._count(event, "case_accepted")

    @event_handler("bare_routing", "approval_requested")
    def on_requested(self, event):
        self._count(event, "approval_requested")

    @event_handler("bare_approval", "approval_decided")
    def on_decided(self, event):
        self._count(event, "approval_decided")

    @event_handler("bare_routing", "case_completed")
    def on_completed(self, event):
        self._count(event, "case_completed")

    @event_handler("bare_delivery", "delivery_dispatched")
    def on_dispatched(self, event):
        self._count(event, "delivery_dispatched")


CLASSES = {"bare_intake": "Intake", "bare_routing": "Routing", "bare_approval": "Approval",
           "bare_delivery": "Delivery", "bare_oversight": "Oversight"}
# every queue the classes above consume, as Nameko names them: evt-<source>-<event>--<service>.<method>
QUEUES = (
    "evt-bare_routing-approval_requested--bare_intake.on_requested",
    "evt-bare_approval-approval_decided--bare_intake.on_decided",
    "evt-bare_routing-case_completed--bare_intake.on_completed",
    "evt-bare_delivery-delivery_dispatched--bare_intake.on_dispatched",
    "evt-bare_intake-case_accepted--bare_routing.on_accepted",
    "evt-bare_approval-approval_decided--bare_routing.on_decided",
    "evt-bare_routing-approval_requested--bare_approval.on_requested",
    "evt-bare_routing-case_completed--bare_delivery.on_completed",
    *(f"evt-{source}-{kind}--bare_oversight.on_{kind.split('_')[1]}" for source, kind in EVENTS),
)
