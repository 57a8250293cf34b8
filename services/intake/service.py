"""Intake: the one window's HTTP API for front-end systems, and its view of each case."""
from nameko.dependency_providers import Config

from services.intake import guides, handlers
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
    config = Config()

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

    @http("GET", "/api/v1/matters/<code>", role=None)
    def get_matter(self, request, code):
        return guides.matter_detail(default_catalog(), code, request.args.getlist("situation"))

    @http("GET", "/api/v1/matters/<code>/form", role=None)
    def get_matter_form(self, request, code):
        return guides.matter_form(default_catalog(), code, request.args.getlist("situation"))

    @http("GET", "/guides/", role=None)
    @http("GET", "/guides/<path:path>", role=None)
    def guide_page(self, request, path=""):
        return guides.guide_response(default_catalog(), self.config["YICI"].public_base_url, path)

    @consume_events()
    def on_event(self, event):
        self.db.process(self.name, event, handlers.follow_case)
