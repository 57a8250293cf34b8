"""Oversight: every event into the case timeline, and case counts for dashboards."""
from services.oversight import handlers
from services.oversight.metrics import CaseCountCollector
from services.oversight.repository import REPOSITORIES, TABLES, metadata
from services.oversight.views import timeline_view
from shared.providers.consumer import consume_events
from shared.providers.persistence import Persistence
from shared.providers.web import http


class Service:
    name = "oversight"
    db = Persistence(metadata, TABLES, REPOSITORIES, collectors=[CaseCountCollector])

    @consume_events()
    def on_event(self, event):
        self.db.process(self.name, event, handlers.record_event)

    @http("GET", "/api/v1/cases/<case_id>/timeline", role="any")
    def get_timeline(self, request, case_id):
        return timeline_view(self.db, case_id)
