"""Delivery: the Nameko wiring of one delivery per case, its courier and SMS adapters, and its tick."""
from nameko.dependency_providers import Config
from nameko.extensions import DependencyProvider
from nameko.timer import Timer

from services.delivery import adapters, api, dispatch, handlers, handover_pages
from services.delivery.metrics import DeliveryCollector
from services.delivery.repository import REPOSITORIES, TABLES, metadata
from shared.providers.consumer import OFF_PATH_GATHER_SECONDS, consume_events
from shared.providers.persistence import Persistence
from shared.providers.web import http


class Adapters(DependencyProvider):
    """The courier and SMS gateway ports, built once per container from the settings."""

    def setup(self):
        self.ports, self.engine = adapters.build(self.container.config["YICI"])

    def stop(self):
        self.engine.dispose()

    def get_dependency(self, worker_ctx):
        return self.ports


class WorkTimer(Timer):
    """Book, track and notify every `delivery.work_interval_seconds`."""

    def __init__(self, **kwargs):
        super().__init__(interval=2.0, **kwargs)

    def setup(self):
        self.interval = self.container.config["YICI"].delivery.work_interval_seconds


class Service:
    name = "delivery"
    db = Persistence(metadata, TABLES, REPOSITORIES, collectors=[DeliveryCollector])
    ports = Adapters()
    config = Config()

    @property
    def context(self) -> handlers.Context:
        return handlers.Context.build(self.config["YICI"], self.db, self.ports)

    @consume_events(batch=100, gather=OFF_PATH_GATHER_SECONDS)
    def on_events(self, events):
        dispatch.consume(self.db, events, self.context)

    @WorkTimer.decorator()
    def work(self):
        dispatch.work(self.db, self.context)

    @http("GET", "/api/v1/deliveries/<case_id>", role="any")
    def get_delivery(self, request, case_id):
        return api.delivery(request, self.db, self.config["YICI"], case_id)

    @http("GET", "/api/v1/deliveries/<case_id>/notifications", role="frontend")
    def get_notifications(self, request, case_id):
        return api.notifications(request, self.db, self.config["YICI"], case_id)

    @http("POST", "/api/v1/deliveries/<case_id>/pickup", role="clerk")
    def confirm_pickup(self, request, case_id):
        return api.confirm_pickup(request, self.db, self.context, case_id)

    @http("POST", "/api/v1/deliveries/<case_id>/link", role="frontend")
    def reissue_link(self, request, case_id):
        return api.reissue_link(self.db, self.context, case_id)

    @http("GET", "/api/v1/downloads/<token>", role=None)
    def download(self, request, token):
        return api.download(self.db, self.context, token)

    @http("GET", "/handover", role=None)
    def handover_start(self, request):
        return handover_pages.start(request, self.config["YICI"])

    @http("POST", "/handover/find", role=None)
    def handover_find(self, request):
        return handover_pages.find(request, self.db, self.context, self.config["YICI"])

    @http("POST", "/handover/confirm", role=None)
    def handover_confirm(self, request):
        return handover_pages.confirm(request, self.db, self.context, self.config["YICI"])

    @http("GET", "/handover/<case_id>/slip", role=None)
    def handover_slip(self, request, case_id):
        return handover_pages.slip(request, self.db, self.config["YICI"], case_id)
