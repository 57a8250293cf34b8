"""Intake: the one window's HTTP API for front-end systems, and its view of each case."""
from services.intake import handlers
from services.intake.commands import SubmitCase
from services.intake.repository import REPOSITORIES, TABLES, metadata
from services.intake.views import case_view, matter_list
from shared.api import parse_json_body
from shared.catalog import default_catalog
from shared.providers.consumer import consume_events
from shared.providers.persistence import Persistence
from shared.providers.web import http
from shared.workdays import WorkingCalendar, today_in_shanghai

CALENDAR = WorkingCalendar.from_file()


class Service:
    name = "intake"
    db = Persistence(metadata, TABLES, REPOSITORIES)

    @http("POST", "/api/v1/cases")
    def submit_case(self, request):
        command = parse_json_body(request, SubmitCase)
        client = request.environ["yici.client"].name
        with self.db.unit_of_work() as uow:
            status, case_id = handlers.submit_case(
                uow, default_catalog(), CALENDAR, command, client, today_in_shanghai(),
                request.headers.get("Idempotency-Key"))
        return status, case_view(self.db, case_id)

    @http("GET", "/api/v1/cases/<case_id>")
    def get_case(self, request, case_id):
        return case_view(self.db, case_id)

    @http("GET", "/api/v1/matters", role=None)
    def list_matters(self, request):
        return matter_list(default_catalog())

    @consume_events()
    def on_event(self, event):
        self.db.process(self.name, event, handlers.follow_case)
