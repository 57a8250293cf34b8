"""Delivery: the Nameko wiring for one delivery per completed case."""
from services.delivery import handlers
from services.delivery.repository import REPOSITORIES, TABLES, metadata
from services.delivery.views import delivery_view
from shared.providers.consumer import consume_events
from shared.providers.persistence import Persistence
from shared.providers.web import http


class Service:
    name = "delivery"
    db = Persistence(metadata, TABLES, REPOSITORIES)

    @consume_events()
    def on_event(self, event):
        self.db.process(self.name, event, handlers.handle)

    @http("GET", "/api/v1/deliveries/<case_id>", role="any")
    def get_delivery(self, request, case_id):
        return delivery_view(self.db, case_id)
