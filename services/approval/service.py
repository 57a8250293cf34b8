"""Approval: department queues, worklists, decisions of department systems, the e-license registry."""
import eventlet
from nameko.dependency_providers import Config

from services.approval import handlers, views, worklist
from services.approval.policy import decision_wait
from services.approval.repository import REPOSITORIES, TABLES, metadata
from shared.api import parse_json_body
from shared.catalog import default_catalog
from shared.messaging import utcnow
from shared.providers.consumer import EventConsumer, consume_events
from shared.providers.persistence import Persistence
from shared.providers.web import http
from shared.topology import decision_routing_key, decisions_queue, department_queue
from shared.workdays import today_in_shanghai

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

    def _handle(self, spec, message, event):
        key, department = message.delivery_info.get("routing_key", ""), getattr(event.payload, "department", None)
        if department is None or key != decision_routing_key(department):
            return self._dead_letter(spec, message, f"routing key {key!r} does not name department {department!r}")
        return super()._handle(spec, message, event)


class Service:
    name = "approval"
    db = Persistence(metadata, TABLES, REPOSITORIES)
    config = Config()

    def _ports(self):
        return handlers.Ports(default_catalog(), self.config["YICI"].approval, today_in_shanghai)

    @consume_events(batch=100)
    def on_events(self, events):
        requested = [e.occurred_at for e in events if e.event_type == "approval_requested"]
        eventlet.sleep(decision_wait(self.config["YICI"].approval.delay_seconds, requested, utcnow()))
        ports = self._ports()
        self.db.process_new(self.name, events, lambda uow, fresh: handlers.handle_batch(uow, fresh, ports))

    @consume_events(queues=served_queues, discard=True)
    def on_department_queue(self, event):
        """Never called: every request and cancellation reaches this service on its own queue, so the served
        departments' queues are only kept empty (a malformed message is still dead-lettered)."""

    @DecisionConsumer.decorator(queues=lambda settings: [decisions_queue()])
    def on_department_decision(self, event):
        self.db.process(f"{self.name}.decisions", event,
                        lambda uow, e: handlers.handle_decision(uow, e, self._ports()))

    @http("GET", "/api/v1/departments/<department>/tasks", role="department")
    def list_tasks(self, request, department):
        worklist.in_scope(request.environ["yici.client"], department)
        return worklist.task_list(self.db, department, request.args.get("status", "open"))

    @http("GET", TASK, role="department")
    def get_task(self, request, department, request_id):
        worklist.in_scope(request.environ["yici.client"], department)
        return worklist.task_detail(self.db, department, request_id)

    @http("POST", TASK + "/claim", role="department")
    def claim_task(self, request, department, request_id):
        worklist.in_scope(request.environ["yici.client"], department)
        return worklist.claim(self.db, department, request_id, parse_json_body(request, worklist.ClaimTask))

    @http("POST", TASK + "/decision", role="department")
    def decide_task(self, request, department, request_id):
        worklist.in_scope(request.environ["yici.client"], department)
        body = parse_json_body(request, worklist.DecideBody)
        return worklist.decide(self.db, department, request_id, body, self._ports())

    @http("GET", "/api/v1/licenses", role="any")
    def list_licenses(self, request):
        return views.license_list(self.db, request.args.get("holder"), request.args.get("type"))

    @http("GET", "/api/v1/licenses/<number>/document", role="any")
    def license_document(self, request, number):
        return views.document(self.db, number)

    @http("GET", "/api/v1/licenses/<number>/verify", role=None)
    def verify_license(self, request, number):
        return views.verify_number(self.db, number, self.config["YICI"].approval, today_in_shanghai())

    @http("POST", "/api/v1/licenses/verify", role=None)
    def verify_document(self, request):
        body = request.get_json(silent=True)
        return views.verify_document(self.db, body, self.config["YICI"].approval, today_in_shanghai())

    @http("GET", "/api/v1/seals/<department>", role=None)
    def seal_key(self, request, department):
        return views.seal_key(department, self.config["YICI"].approval, set(default_catalog().departments))
