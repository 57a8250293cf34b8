"""Approval: departments' queues and decisions (auto-approving mode for demos and tests)."""
import eventlet
from nameko.dependency_providers import Config

from services.approval import handlers
from services.approval.repository import REPOSITORIES, TABLES, metadata
from shared.catalog import default_catalog
from shared.providers.consumer import consume_events
from shared.providers.persistence import Persistence
from shared.topology import department_queue


def department_queues(settings):
    return [department_queue(code) for code in sorted(default_catalog().departments)]


class Service:
    name = "approval"
    db = Persistence(metadata, TABLES, REPOSITORIES)
    config = Config()

    @consume_events(queues=department_queues)
    def on_approval_requested(self, event):
        settings = self.config["YICI"]
        if settings.approval.auto_approve and settings.approval.delay_seconds:
            eventlet.sleep(settings.approval.delay_seconds)
        self.db.process(self.name, event, lambda uow, e: handlers.receive_request(
            uow, e, settings.approval.auto_approve))
