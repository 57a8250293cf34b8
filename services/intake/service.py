"""Intake: the one window's HTTP API for front-end systems, and its view of each case."""
import time
from functools import partial

from nameko.dependency_providers import Config
from nameko.extensions import DependencyProvider
from nameko.timer import timer
from werkzeug.wrappers import Response

from services.delivery.simulated import SimulatedSmsGateway
from services.intake import api, apply_pages, commitments, front_door, handlers
from services.intake.openapi import openapi_document
from services.intake.repository import REPOSITORIES, TABLES, metadata
from shared.asyncapi import catalog_asyncapi_json
from shared.db import make_engine
from shared.providers.consumer import OFF_PATH_GATHER_SECONDS, consume_events
from shared.providers.persistence import Persistence
from shared.providers.web import http


def _file_limit(settings):
    return settings.intake.max_file_bytes


def _form_limit(settings):
    """A page's form with its uploads: a few materials at once."""
    return settings.intake.max_file_bytes * 4


class SmsPort(DependencyProvider):
    """The SMS port (services/delivery/ports.py Notifier) intake sends applicants' sign-in codes through. As for
    delivery (services/delivery/adapters.py), `delivery.sms_adapter` has one value yet, the simulated gateway: it
    keeps its texts in its own table (here through intake's database URL), and the embedded default shows them at
    /apply/sms-outbox. A real gateway's adapter implements the same Notifier."""

    def setup(self):
        self.engine = make_engine(self.container.config["YICI"].database_url_for("intake"), pool_size=1)
        self.gateway = SimulatedSmsGateway(self.engine)

    def stop(self):
        self.engine.dispose()

    def get_dependency(self, worker_ctx):
        return self.gateway


_LAST_LOOKUP_RETRY = [0.0]


def _lookups_due(settings) -> bool:
    now = time.monotonic()
    if now - _LAST_LOOKUP_RETRY[0] < settings.intake.library.retry_seconds:
        return False
    _LAST_LOOKUP_RETRY[0] = now
    return True


_LAST_NOTICE_CHECK = [0.0]


def _notices_due(settings) -> bool:
    now = time.monotonic()
    if now - _LAST_NOTICE_CHECK[0] < settings.intake.notice_check_seconds:
        return False
    _LAST_NOTICE_CHECK[0] = now
    return True


class Service:
    name = "intake"
    db = Persistence(metadata, TABLES, REPOSITORIES)
    config = Config()
    sms = SmsPort()

    @property
    def context(self) -> handlers.Context:
        return handlers.Context.build(self.config["YICI"])

    @property
    def edge(self) -> apply_pages.Edge:
        return apply_pages.Edge(self.db, self.context, self.config["YICI"], self.sms)

    # the applicant's online application (一网通办): apply_pages.py, ADR 0029
    @http("GET", "/apply", role=None)
    def apply_home(self, request):
        return apply_pages.home(request, self.edge)

    @http("POST", "/apply/signin", role=None)
    def apply_signin(self, request):
        return apply_pages.request_code(request, self.edge)

    @http("GET", "/apply/verify", role=None)
    def apply_verify_form(self, request):
        return apply_pages.verify_form(request, self.edge)

    @http("POST", "/apply/verify", role=None)
    def apply_verify(self, request):
        return apply_pages.verify(request, self.edge)

    @http("POST", "/apply/resend", role=None)
    def apply_resend(self, request):
        return apply_pages.resend(request, self.edge)

    @http("POST", "/apply/signout", role=None)
    def apply_signout(self, request):
        return apply_pages.sign_out(request, self.edge)

    @http("GET", "/apply/sso", role=None)
    def apply_sso(self, request):
        return apply_pages.sso_start(request, self.edge)

    @http("GET", "/apply/sso/callback", role=None)
    def apply_sso_callback(self, request):
        return apply_pages.sso_callback(request, self.edge)

    @http("GET", "/apply/sms-outbox", role=None)
    def apply_sms_outbox(self, request):
        return apply_pages.sms_outbox(request, self.edge, self.sms.sent)

    @http("GET", "/apply/matters", role=None)
    def apply_matters(self, request):
        return apply_pages.matters(request, self.edge)

    @http("GET", "/apply/matters/<code>", role=None)
    def apply_start(self, request, code):
        return apply_pages.start(request, self.edge, code)

    @http("POST", "/apply/matters/<code>/begin", role=None)
    def apply_begin(self, request, code):
        return apply_pages.begin(request, self.edge, code)

    @http("POST", "/apply/matters/<code>/form", role=None, body_limit=_form_limit)
    def apply_fill(self, request, code):
        return apply_pages.fill(request, self.edge, code)

    @http("POST", "/apply/matters/<code>/submit", role=None)
    def apply_submit(self, request, code):
        return apply_pages.submit(request, self.edge, code)

    @http("GET", "/apply/cases", role=None)
    def apply_cases(self, request):
        return apply_pages.my_cases(request, self.edge)

    @http("GET", "/apply/cases/<case_id>", role=None)
    def apply_case(self, request, case_id):
        return apply_pages.case_page(request, self.edge, case_id)

    @http("GET", "/apply/cases/<case_id>/receipt", role=None)
    def apply_receipt(self, request, case_id):
        return apply_pages.receipt(request, self.edge, case_id)

    @http("POST", "/apply/cases/<case_id>/answer", role=None, body_limit=_form_limit)
    def apply_answer(self, request, case_id):
        return apply_pages.answer(request, self.edge, case_id)

    @http("POST", "/apply/cases/<case_id>/rating", role=None)
    def apply_rate(self, request, case_id):
        return apply_pages.rate(request, self.edge, case_id)

    @http("POST", "/api/v1/cases")
    def submit_case(self, request):
        return api.submit_case(request, self.db, self.context)

    @http("GET", "/api/v1/cases/<case_id>")
    def get_case(self, request, case_id):
        return api.get_case(request, self.db, self.config["YICI"], case_id)

    @http("POST", "/api/v1/cases/<case_id>/supplements", role=("frontend", "clerk"))
    def supply(self, request, case_id):
        return api.supply(request, self.db, self.context, case_id)

    @http("POST", "/api/v1/cases/<case_id>/deferred/<material>", role=("frontend", "clerk"))
    def supply_deferred(self, request, case_id, material):
        return api.supply_deferred(request, self.db, self.context, case_id, material)

    @http("POST", "/api/v1/cases/<case_id>/withdraw")
    def withdraw(self, request, case_id):
        return api.withdraw(request, self.db, case_id)

    @http("GET", "/api/v1/cases/<case_id>/receipt")
    def receipt(self, request, case_id):
        return api.receipt(request, self.db, self.context, self.config["YICI"], case_id)

    @http("GET", "/track/<case_id>", role=None)
    def track(self, request, case_id):
        return api.track(request, self.db, self.context, case_id)

    @http("POST", "/track/<case_id>/rating", role=None)
    def rate(self, request, case_id):
        return api.rate(request, self.db, self.context, case_id)

    @http("GET", "/track/<case_id>/decision", role=None)
    def decision(self, request, case_id):
        return api.decision(request, self.db, self.context, case_id)

    @http("POST", "/api/v1/files", body_limit=_file_limit)
    def upload(self, request):
        return api.upload(request, self.db, self.config["YICI"])

    @http("GET", "/api/v1/files/<ref>", role="any")
    def read_file(self, request, ref):
        return api.read_file(request, self.db, self.config["YICI"], ref)

    @http("GET", "/api/v1/files/<ref>/download", role=None)
    def download_file(self, request, ref):
        return api.download_file(request, self.db, self.config["YICI"], ref)

    @http("GET", "/api/v1/window/cases", role="clerk")
    def waiting(self, request):
        return api.waiting(self.db)

    @http("POST", "/api/v1/window/cases/<case_id>/accept", role="clerk")
    def clerk_accept(self, request, case_id):
        return api.clerk_accept(request, self.db, self.context, self.config["YICI"], case_id)

    @http("POST", "/api/v1/window/cases/<case_id>/notice", role="clerk")
    def clerk_notice(self, request, case_id):
        return api.clerk_notice(request, self.db, self.context, self.config["YICI"], case_id)

    @timer(interval=3600)
    def accept_overdue(self):
        self.db.run(handlers.accept_overdue, self.context)

    @timer(interval=1)
    def close_unanswered(self):
        """Correction notices past their deadline, every intake.notice_check_seconds: not accepted, once."""
        if _notices_due(self.config["YICI"]):
            self.db.run(commitments.close_unanswered, self.context)

    @timer(interval=5)
    def retry_lookups(self):
        """Held cases are due again every intake.library.retry_seconds; the timer only looks for them."""
        if _lookups_due(self.config["YICI"]):
            self.db.run(handlers.retry_lookups, self.context)

    @http("GET", "/api/v1/openapi.json", role=None)
    def openapi(self, request):
        return openapi_document()

    @http("GET", "/api/v1/asyncapi.json", role=None)
    def asyncapi(self, request):
        return Response(catalog_asyncapi_json(), mimetype="application/json")

    @http("GET", "/api/v1/matters", role=None)
    def list_matters(self, request):
        return api.matters(self.context)

    @http("GET", "/api/v1/matters/<code>", role=None)
    def get_matter(self, request, code):
        return api.matter(request, self.context, code)

    @http("GET", "/api/v1/matters/<code>/form", role=None)
    def get_matter_form(self, request, code):
        return api.matter_form(request, self.context, code)

    @http("GET", "/", role=None)
    def front_door(self, request):
        return front_door.front_door(request, self.config["YICI"])

    @http("GET", "/static/<name>", role=None)
    def static(self, request, name):
        return front_door.static(name)

    @http("GET", "/guides/", role=None)
    @http("GET", "/guides/<path:path>", role=None)
    def guide_page(self, request, path=""):
        return api.guide(self.context, self.config["YICI"], path)

    @consume_events(batch=200, gather=OFF_PATH_GATHER_SECONDS)
    def on_events(self, events):
        self.db.process_new(self.name, events, partial(handlers.handle_batch, context=self.context))
