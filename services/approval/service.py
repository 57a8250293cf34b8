"""Approval: department queues, worklists, decisions of department systems, the e-license registry."""
from functools import partial

import eventlet
from nameko.dependency_providers import Config

from services.approval import api, handlers, workbench
from services.approval.policy import decision_wait
from services.approval.repository import REPOSITORIES, TABLES, metadata
from shared.catalog import default_catalog
from shared.events import ApprovalRequested
from shared.messaging import utcnow
from shared.providers.consumer import EventConsumer, consume_events
from shared.providers.persistence import Persistence
from shared.providers.web import http
from shared.topology import decision_routing_key, decisions_queue, department_queue

TASK = "/api/v1/departments/<department>/tasks/<request_id>"


def served_queues(settings):
    """Queues of departments and units that this service serves itself (auto, worklist): drained here.

    They are declared unbound (see declare_topology); one bound under an earlier configuration, when the
    department still ran its own system, may still receive copies, which are acknowledged and dropped."""
    units = [(d, None) for d in sorted(default_catalog().departments)]
    units += [(u.department, u.region) for u in settings.routing.units]
    return [department_queue(d, u, bound=False) for d, u in units if settings.approval.serves(d, u)]


class DecisionConsumer(EventConsumer):
    """Department decisions; the routing key (the broker lets a department publish only its own) must match."""

    def sender_refusal(self, message, event):
        """A department system is known by its routing key (its topic permission), checked in _handle."""
        return None if event.event_type == "department_decided" else super().sender_refusal(message, event)

    def _handle(self, spec, message, event):
        key, department = message.delivery_info.get("routing_key", ""), getattr(event.payload, "department", None)
        if department is None or key != decision_routing_key(department):
            return self._dead_letter(spec, message, f"routing key {key!r} does not name department {department!r}")
        return super()._handle(spec, message, event)


class Service:
    name = "approval"
    db = Persistence(metadata, TABLES, REPOSITORIES)
    config = Config()

    @property
    def context(self) -> handlers.Context:
        return handlers.Context.build(self.config["YICI"])

    @consume_events(batch=100)
    def on_events(self, events):
        _pace(self.config["YICI"].approval.delay_seconds, events)
        self.db.process_new(self.name, events, partial(handlers.handle_batch, context=self.context))

    @consume_events(queues=served_queues, discard=True)
    def on_department_queue(self, event):
        """Never called: every request and cancellation reaches this service on its own queue, so the served
        departments' queues are only kept empty (a malformed message is still dead-lettered)."""

    # a decision may overtake its request, which comes on this service's own queue: park the whole prefetch
    @DecisionConsumer.decorator(queues=lambda settings: [decisions_queue()], park_share=1.0)
    def on_department_decision(self, event):
        self.db.process(f"{self.name}.decisions", event, partial(handlers.handle_decision, context=self.context))

    @http("GET", "/api/v1/departments/<department>/tasks", role="department")
    def list_tasks(self, request, department):
        return api.list_tasks(request, self.db, department)

    @http("GET", TASK, role="department")
    def get_task(self, request, department, request_id):
        return api.get_task(request, self.db, department, request_id)

    @http("POST", TASK + "/claim", role="department")
    def claim_task(self, request, department, request_id):
        return api.claim_task(request, self.db, department, request_id)

    @http("POST", TASK + "/decision", role="department")
    def decide_task(self, request, department, request_id):
        return api.decide_task(request, self.db, self.context, self.config["YICI"], department, request_id)

    @http("POST", TASK + "/joint-visit", role="department")
    def record_visit(self, request, department, request_id):
        return api.record_visit(request, self.db, self.config["YICI"], department, request_id)

    @http("POST", TASK + "/joint-visit/join", role="department")
    def join_visit(self, request, department, request_id):
        return api.join_visit(request, self.db, department, request_id)

    @http("GET", "/department", role=None)
    def department_worklist(self, request):
        return workbench.worklist_page(request, self.db, self.context, self.config["YICI"])

    @http("GET", "/department/tasks/<request_id>", role=None)
    def department_task(self, request, request_id):
        return workbench.task_page(request, self.db, self.context, self.config["YICI"], request_id)

    @http("POST", "/department/tasks/<request_id>/<action>", role=None)
    def department_task_action(self, request, request_id, action):
        return workbench.task_action(request, self.db, self.context, self.config["YICI"], request_id, action)

    @http("GET", "/api/v1/licenses", role=api.HOLDER_LOOKUP_ROLES)
    def list_licenses(self, request):
        return api.list_licenses(request, self.db, self.config["YICI"])

    @http("GET", "/api/v1/licenses/<number>/document", role="any")
    def license_document(self, request, number):
        return api.license_document(request, self.db, self.config["YICI"], number)

    @http("POST", "/api/v1/licenses/<number>/revoke", role="department")
    def revoke_license(self, request, number):
        return api.change_license(request, self.db, self.context, self.config["YICI"], number, "revoke")

    @http("POST", "/api/v1/licenses/<number>/correct", role="department")
    def correct_license(self, request, number):
        return api.change_license(request, self.db, self.context, self.config["YICI"], number, "correct")

    @http("POST", "/api/v1/licenses/<number>/replace", role="department")
    def replace_license(self, request, number):
        return api.change_license(request, self.db, self.context, self.config["YICI"], number, "replace")

    @http("GET", "/api/v1/licenses/<number>/verify", role=None)
    def verify_license(self, request, number):
        return api.verify_number(self.db, self.context, number)

    @http("POST", "/api/v1/licenses/verify", role=None)
    def verify_document(self, request):
        return api.verify_document(request, self.db, self.context)

    @http("GET", "/api/v1/seals/<department>", role=None)
    def seal_keys(self, request, department):
        return api.seal_keys(self.db, self.context, department)


def _pace(delay: float, events) -> None:
    """`approval.delay_seconds` (demos and drills): wait before deciding a batch that holds requests."""
    requested = [e.occurred_at for e in events if isinstance(e, ApprovalRequested)]
    eventlet.sleep(decision_wait(delay, requested, utcnow()))
