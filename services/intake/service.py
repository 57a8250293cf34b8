"""Intake: the one window's HTTP API for front-end systems, and its view of each case."""
from nameko.dependency_providers import Config
from nameko.timer import timer
from werkzeug.wrappers import Response

from services.intake import guides, handlers, pages
from services.intake.commands import ClerkNotice, Supplement, SubmitCase, Withdrawal
from services.intake.files import BlobStore
from services.intake.openapi import openapi_document
from services.intake.repository import REPOSITORIES, TABLES, metadata
from services.intake.views import case_view, matter_list, public_status, waiting_list
from shared.api import parse_json_body
from shared.asyncapi import catalog_asyncapi_json
from shared.catalog import default_catalog
from shared.providers.consumer import OFF_PATH_GATHER_SECONDS, consume_events
from shared.providers.persistence import Persistence
from shared.providers.web import http
from shared.workdays import today_in_shanghai

HTML = "text/html; charset=utf-8"


def _file_limit(settings):
    return settings.intake.max_file_bytes


class Service:
    name = "intake"
    db = Persistence(metadata, TABLES, REPOSITORIES)
    config = Config()

    def _intake(self):
        settings = self.config["YICI"]
        return handlers.Intake(default_catalog(), settings.calendar(), settings.intake)

    @http("POST", "/api/v1/cases")
    def submit_case(self, request):
        command = parse_json_body(request, SubmitCase)
        return handlers.submit_once(self.db, self._intake(), command, request.environ["yici.client"].name,
                                    today_in_shanghai(), request.headers.get("Idempotency-Key"))

    @http("GET", "/api/v1/cases/<case_id>")
    def get_case(self, request, case_id):
        return case_view(self.db, case_id)

    @http("POST", "/api/v1/cases/<case_id>/supplements")
    def supply(self, request, case_id):
        supplement = parse_json_body(request, Supplement)
        with self.db.unit_of_work() as uow:
            handlers.supply(uow, self._intake(), case_id, supplement, today_in_shanghai())
        return case_view(self.db, case_id)

    @http("POST", "/api/v1/cases/<case_id>/withdraw")
    def withdraw(self, request, case_id):
        withdrawal = parse_json_body(request, Withdrawal)
        with self.db.unit_of_work() as uow:
            handlers.withdraw(uow, case_id, withdrawal.reason)
        return case_view(self.db, case_id)

    @http("GET", "/api/v1/cases/<case_id>/receipt")
    def receipt(self, request, case_id):
        view = case_view(self.db, case_id)
        name = default_catalog().matter(view["matter_code"]).name
        return Response(pages.receipt_page(view, name, self.config["YICI"].public_base_url), mimetype=HTML)

    @http("GET", "/track/<case_id>", role=None)
    def track(self, request, case_id):
        view = public_status(self.db, case_id, request.args.get("code", ""))
        return Response(pages.status_page(view), mimetype=HTML)

    @http("POST", "/api/v1/files", body_limit=_file_limit)
    def upload(self, request):
        blobs = BlobStore(self.config["YICI"].data_dir / "blobs", self.config["YICI"].intake.max_file_bytes)
        with self.db.unit_of_work() as uow:
            return 201, handlers.store_file(uow, blobs, request.stream, request.mimetype,
                                            request.headers.get("X-Content-SHA256"),
                                            request.environ["yici.client"].name)

    @http("GET", "/api/v1/window/cases", role="clerk")
    def waiting(self, request):
        return waiting_list(self.db)

    @http("POST", "/api/v1/window/cases/<case_id>/accept", role="clerk")
    def clerk_accept(self, request, case_id):
        with self.db.unit_of_work() as uow:
            handlers.clerk_accept(uow, self._intake(), case_id, request.environ["yici.client"].name,
                                  today_in_shanghai())
        return case_view(self.db, case_id)

    @http("POST", "/api/v1/window/cases/<case_id>/notice", role="clerk")
    def clerk_notice(self, request, case_id):
        notice = parse_json_body(request, ClerkNotice)
        with self.db.unit_of_work() as uow:
            handlers.clerk_notice(uow, self._intake(), case_id, notice, today_in_shanghai())
        return case_view(self.db, case_id)

    @timer(interval=3600)
    def accept_overdue(self):
        with self.db.unit_of_work() as uow:
            handlers.accept_overdue(uow, self._intake(), today_in_shanghai())

    @http("GET", "/api/v1/openapi.json", role=None)
    def openapi(self, request):
        return openapi_document()

    @http("GET", "/api/v1/asyncapi.json", role=None)
    def asyncapi(self, request):
        return Response(catalog_asyncapi_json(), mimetype="application/json")

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

    @consume_events(batch=200, gather=OFF_PATH_GATHER_SECONDS)
    def on_events(self, events):
        self.db.process_new(self.name, events, lambda uow, fresh: handlers.follow_events(uow, fresh, default_catalog()))
