"""Oversight: the Nameko wiring of timelines, SLA clocks, supervision, ratings, the ledger and its page."""
from nameko.dependency_providers import Config
from nameko.timer import Timer, timer

from services.oversight import api, department_pages, handlers, scan, staff_pages
from services.oversight.metrics import OversightCollector
from services.oversight.repository import REPOSITORIES, TABLES, metadata
from shared.providers.consumer import OFF_PATH_GATHER_SECONDS, consume_events
from shared.providers.persistence import Persistence
from shared.providers.web import http


class ScanTimer(Timer):
    """The supervision scan, every `oversight.scan_interval_seconds`."""

    def __init__(self, **kwargs):
        super().__init__(interval=60.0, **kwargs)

    def setup(self):
        self.interval = self.container.config["YICI"].oversight.scan_interval_seconds


class Service:
    name = "oversight"
    db = Persistence(metadata, TABLES, REPOSITORIES, collectors=[OversightCollector])
    config = Config()

    @property
    def context(self) -> handlers.Context:
        return handlers.Context.build(self.config["YICI"])

    @consume_events(batch=200, gather=OFF_PATH_GATHER_SECONDS)
    def on_events(self, events):
        handlers.consume(self.db, events, self.context)

    @ScanTimer.decorator()
    def periodic_scan(self):
        scan.scan(self.db, self.context)

    @timer(interval=600, eager=True)
    def staff_revocations(self):
        """At start (and every 10 minutes): ended sessions and disabled accounts into the registry."""
        api.reload_revocations(self.db, self.config["YICI"])

    @http("GET", "/api/v1/cases/<case_id>/timeline", role="any")
    def get_timeline(self, request, case_id):
        return api.timeline(request, self.db, self.config["YICI"], case_id)

    @http("GET", "/api/v1/cases/<case_id>/sla", role="any")
    def get_sla(self, request, case_id):
        return api.sla(request, self.db, self.context, self.config["YICI"], case_id)

    @http("POST", "/api/v1/cases/<case_id>/rating", role="frontend")
    def rate_case(self, request, case_id):
        return api.rate(request, self.db, self.context, case_id)

    @http("GET", "/api/v1/calendar/due", role=None)
    def calendar_due(self, request):
        return api.due(request, self.config["YICI"])

    @http("GET", "/api/v1/audit", role="supervisor")
    def audit_entries(self, request):
        return api.audit_entries(request, self.db, self.config["YICI"])

    @http("GET", "/api/v1/supervision/warnings", role="supervisor")
    def list_warnings(self, request):
        return api.warnings(request, self.db)

    @http("POST", "/api/v1/supervision/scan", role="supervisor")
    def run_scan(self, request):
        return api.scan(request, self.db, self.context)

    @http("GET", "/api/v1/supervision/commitments", role="supervisor")
    def list_commitments(self, request):
        return api.commitments(request, self.db)

    @http("GET", "/api/v1/rectifications", role=("supervisor", "department"))
    def list_rectifications(self, request):
        return api.tasks(request, self.db)

    @http("POST", "/api/v1/rectifications/<task_id>/close", role=("supervisor", "department"))
    def close_rectification(self, request, task_id):
        return api.close_task(request, self.db, self.context, task_id)

    @http("GET", "/api/v1/reports/ledger", role="supervisor")
    def ledger(self, request):
        return api.ledger(request, self.db, self.context)

    @http("GET", "/api/v1/reports/satisfaction", role="supervisor")
    def satisfaction(self, request):
        return api.satisfaction(request, self.db, self.context)

    @http("GET", "/oversight", role=None)
    def page(self, request):
        return api.page(request, self.db, self.context, self.config["YICI"])

    @http("GET", "/oversight/ledger", role=None)
    def ledger_page(self, request):
        return api.ledger_page(request, self.db, self.context, self.config["YICI"])

    @http("GET,POST", "/oversight/login", role=None)
    def login(self, request):
        return api.login(request, self.db, self.config["YICI"])

    @http("POST", "/oversight/logout", role=None)
    def logout(self, request):
        return api.logout(request, self.db, self.config["YICI"])

    @http("GET", "/department/rectifications", role=None)
    def department_rectifications(self, request):
        return department_pages.rectifications_page(request, self.db, self.context, self.config["YICI"])

    @http("POST", "/department/rectifications/<task_id>/close", role=None)
    def department_close_rectification(self, request, task_id):
        return department_pages.close(request, self.db, self.context, self.config["YICI"], task_id)

    @http("GET", "/staff/signin", role=None)
    def staff_signin_page(self, request):
        return staff_pages.signin_page(request)

    @http("POST", "/staff/signin", role=None)
    def staff_signin(self, request):
        return staff_pages.signin(request, self.db, self.config["YICI"])

    @http("POST", "/staff/signout", role=None)
    def staff_signout(self, request):
        return staff_pages.signout(request, self.db, self.config["YICI"])

    @http("GET", "/staff/admin", role=None)
    def staff_admin(self, request):
        return staff_pages.admin_page(request, self.db, self.config["YICI"])

    @http("POST", "/staff/admin/users", role=None)
    def staff_add(self, request):
        return staff_pages.admin_action(request, self.db, self.config["YICI"], "add")

    @http("POST", "/staff/admin/users/<account_id>/<action>", role=None)
    def staff_change(self, request, account_id, action):
        return staff_pages.admin_action(request, self.db, self.config["YICI"], action, account_id)
