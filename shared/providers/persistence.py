"""The `Persistence` dependency: a service's database, outbox relay and unit of work."""
from __future__ import annotations

import logging
from datetime import timedelta

import eventlet
from nameko.extensions import DependencyProvider
from sqlalchemy import MetaData

from shared.db import make_engine, make_session_factory
from shared.messaging import MessagingTables, Store
from shared.providers.amqp import Publisher

log = logging.getLogger(__name__)
SWEEP_INTERVAL = 1.0
SWEEP_AGE = timedelta(seconds=2)


class Persistence(DependencyProvider):
    """Gives each worker the service's `Store`; a background relay publishes what was left unsent."""

    def __init__(self, metadata: MetaData, tables: MessagingTables, repositories: dict | None = None):
        self.metadata, self.tables, self.repositories = metadata, tables, repositories or {}
        self.store: Store | None = None
        self._running = False

    def setup(self) -> None:
        settings = self.container.config["YICI"]
        self.engine = make_engine(settings.database_url_for(self.container.service_name))
        self.metadata.create_all(self.engine)
        self.publisher = Publisher(settings.amqp_uri, settings.confirm_timeout, settings.heartbeat)
        self.store = Store(make_session_factory(self.engine), self.tables, self.repositories,
                           publish=self.publisher.safe_publish)

    def start(self) -> None:
        self._running = True
        self.container.spawn_managed_thread(self._sweep, identifier="outbox-relay")

    def stop(self) -> None:
        self._running = False
        self.publisher.close()
        self.engine.dispose()

    def kill(self) -> None:
        self.stop()

    def get_dependency(self, worker_ctx) -> Store:
        return self.store

    def _sweep(self) -> None:
        while self._running:
            try:
                while self.store.relay(self.publisher.safe_publish, older_than=SWEEP_AGE) > 0:
                    pass
            except Exception as exc:  # noqa: BLE001 - the relay must outlive a database outage
                log.warning("outbox relay sweep failed: %s", type(exc).__name__)
            eventlet.sleep(SWEEP_INTERVAL)
