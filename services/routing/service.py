"""Routing: the Nameko wiring around the approval plan's use cases."""
from functools import partial

from nameko.dependency_providers import Config

from services.routing import api, handlers
from services.routing.repository import REPOSITORIES, TABLES, metadata
from shared.providers.consumer import consume_events
from shared.providers.persistence import Persistence
from shared.providers.web import http


class Service:
    name = "routing"
    db = Persistence(metadata, TABLES, REPOSITORIES)
    config = Config()

    @property
    def context(self) -> handlers.Context:
        return handlers.Context.build(self.config["YICI"])

    @consume_events(batch=100)
    def on_events(self, events):
        self.db.process_new(self.name, events, partial(handlers.handle_batch, context=self.context))

    @http("GET", "/api/v1/routing/cases/<case_id>", role="any")
    def get_plan(self, request, case_id):
        return api.plan(request, self.db, self.config["YICI"], case_id)
