"""Routing: the Nameko wiring around the approval plan's use cases."""
from services.routing import handlers
from services.routing.repository import REPOSITORIES, TABLES, metadata
from services.routing.views import plan_view
from shared.providers.consumer import consume_events
from shared.providers.persistence import Persistence
from shared.providers.web import http


class Service:
    name = "routing"
    db = Persistence(metadata, TABLES, REPOSITORIES)

    @consume_events()
    def on_event(self, event):
        self.db.process(self.name, event, handlers.handle)

    @http("GET", "/api/v1/routing/cases/<case_id>", role="any")
    def get_plan(self, request, case_id):
        return plan_view(self.db, case_id)
