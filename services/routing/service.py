"""Routing: the Nameko wiring around the approval plan's use cases."""
from nameko.dependency_providers import Config

from services.routing import handlers
from services.routing.repository import REPOSITORIES, TABLES, metadata
from services.routing.views import plan_view
from shared.catalog import default_catalog
from shared.providers.consumer import consume_events
from shared.providers.persistence import Persistence
from shared.providers.web import http
from shared.workdays import today_in_shanghai


class Service:
    name = "routing"
    db = Persistence(metadata, TABLES, REPOSITORIES)
    config = Config()

    @consume_events(batch=100)
    def on_events(self, events):
        settings = self.config["YICI"]
        ports = handlers.Ports(default_catalog(), settings.calendar(), settings.routing, today_in_shanghai)
        self.db.process_new(self.name, events, lambda uow, fresh: handlers.handle_batch(uow, fresh, ports))

    @http("GET", "/api/v1/routing/cases/<case_id>", role="any")
    def get_plan(self, request, case_id):
        return plan_view(self.db, case_id)
