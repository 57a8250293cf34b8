"""The `Persistence` dependency: a service's database, outbox relay and unit of work."""
from __future__ import annotations

import logging
import time
from datetime import timedelta

import eventlet
from nameko.extensions import DependencyProvider
from sqlalchemy import MetaData, event, text

from shared.db import make_engine, make_session_factory
from shared.messaging import MessagingTables, Store
from shared.metrics import DB_COMMITS, OUTBOX_BACKLOG, REGISTRY
from shared.providers import probes
from shared.providers.publisher import Publisher
from shared.providers.server import YiciWebServer

log = logging.getLogger(__name__)
SWEEP_INTERVAL = 1.0
QUIET_SWEEP_INTERVAL = 8.0  # the longest wait between sweeps that find nothing, with no publish failed here
SWEEP_AGE = timedelta(seconds=2)
MARK_INTERVAL = 0.25


class Persistence(DependencyProvider):
    """Gives each worker the service's `Store`; a background relay publishes what was left unsent.

    It also brings the service's web server, so /healthz, /readyz and /metrics exist on every service.
    """

    web = YiciWebServer()

    def __init__(self, metadata: MetaData, tables: MessagingTables, repositories: dict | None = None,
                 collectors: list | None = None):
        self.metadata, self.tables, self.repositories = metadata, tables, repositories or {}
        self.collector_types = collectors or []  # each built as cls(store, settings) and registered on /metrics
        self._collectors: list = []
        self.store: Store | None = None
        self._running = False
        self._hurry = False  # a publish failed here: its rows wait in the outbox for the next sweeps
        self._started: dict[object, float] = {}  # running workers: since when

    def setup(self) -> None:
        settings = self.container.config["YICI"]
        self.engine = make_engine(settings.database_url_for(self.container.service_name))
        commits = DB_COMMITS.labels(self.container.service_name)
        event.listen(self.engine, "commit", lambda _connection: commits.inc())
        self.metadata.create_all(self.engine)
        self.publisher = Publisher(settings.amqp_uri, settings.confirm_timeout, settings.heartbeat)
        self.store = Store(make_session_factory(self.engine), self.tables, self.repositories,
                           publish=self._publish)
        self._collectors = [cls(self.store, settings) for cls in self.collector_types]
        for collector in self._collectors:
            REGISTRY.register(collector)
        name = self.container.service_name
        probes.require(f"{name}.database", self._check_database)
        probes.degrade(f"{name}.broker", self._check_broker)
        probes.liveness(f"{name}.workers", self._check_workers)

    def _check_database(self) -> None:
        with self.engine.connect() as conn:
            conn.execute(text("SELECT 1"))

    def _check_broker(self) -> str | None:
        """The broker answers; when it does not, events wait in the outbox and the service works on."""
        state = self.publisher.state
        if not self.publisher.reachable():
            return "broker unreachable; events wait in the outbox and go out when it returns"
        if state.down_since is not None:
            return f"publishing failed for {state.unavailable_for():.0f} s: {state.last_error[:200]}"
        return None

    def _check_workers(self) -> str | None:
        """A worker (HTTP request or event batch) running longer than `wedged_after_seconds` is stuck."""
        limit = self.container.config["YICI"].wedged_after_seconds
        oldest = min(self._started.values(), default=None)
        if oldest is not None and time.monotonic() - oldest > limit:
            return f"a worker has been running for {time.monotonic() - oldest:.0f} s (limit {limit:.0f} s)"
        return None

    def worker_setup(self, worker_ctx) -> None:
        self._started[worker_ctx] = time.monotonic()

    def worker_teardown(self, worker_ctx) -> None:
        self._started.pop(worker_ctx, None)

    def start(self) -> None:
        self._running = True
        self._store().unmarked = []
        OUTBOX_BACKLOG.labels(self.container.service_name).set_function(self._backlog)
        self.container.spawn_managed_thread(self._sweep, identifier="outbox-relay")
        self.container.spawn_managed_thread(self._mark_sent, identifier="outbox-marker")

    def _mark_sent(self) -> None:
        """Mark confirmed rows sent that no unit of work has marked within MARK_INTERVAL (a quiet service)."""
        while self._running:
            eventlet.sleep(MARK_INTERVAL)
            self._mark_waiting()

    def _mark_waiting(self) -> None:
        batch = self._store().take_unmarked()
        try:
            self._store().mark_sent(batch)
        except Exception as exc:  # noqa: BLE001 - unmarked rows are only published again, and deduplicated
            self._store().give_back(batch)
            log.warning("marking outbox rows sent failed: %s", type(exc).__name__)

    def stop(self) -> None:
        self._running = False
        if self.store is not None and self.store.unmarked:
            self._mark_waiting()
        for collector in self._collectors:
            REGISTRY.unregister(collector)
        self._collectors = []
        probes.forget(f"{self.container.service_name}.")
        self.publisher.close()
        self.engine.dispose()

    def kill(self) -> None:
        self.stop()

    def get_dependency(self, worker_ctx) -> Store:
        return self._store()

    def _store(self) -> Store:
        """The store, which setup() creates (a method: Nameko's bind() reads every attribute of a provider)."""
        if self.store is None:
            raise RuntimeError("the persistence provider is used before its setup")
        return self.store

    def _publish(self, messages, probe: bool = False) -> list[str]:
        """Publish what a transaction emitted; what is not confirmed stays in the outbox for the relay.

        Never raises: the transaction has committed, so its caller (an HTTP request, a consumer) must not fail.
        """
        try:
            sent = self.publisher.safe_publish(messages, probe)
        except Exception as exc:  # noqa: BLE001 - the relay publishes the rows later
            log.warning("publish failed, left to the outbox relay: %s", type(exc).__name__)
            sent = []
        if len(sent) < len(messages):
            self._hurry = True
        return sent

    def _relay_publish(self, messages) -> list[str]:
        return self._publish(messages, probe=True)

    def _sweep(self) -> None:
        """Publish what stayed unsent: rows whose publish failed here, or that a crashed process committed.

        Every second while there is something to do; after sweeps that find nothing, less and less often (up
        to QUIET_SWEEP_INTERVAL: a quiet service otherwise spends a transaction a second on nothing), and every
        second again as soon as a publish here fails.
        """
        interval = SWEEP_INTERVAL
        while self._running:
            found = 0
            try:
                while (sent := self._store().relay(self._relay_publish, older_than=SWEEP_AGE)) > 0:
                    found += sent
            except Exception as exc:  # noqa: BLE001 - the relay must outlive a database outage
                log.warning("outbox relay sweep failed: %s", type(exc).__name__)
                self._hurry = True
            interval = next_sweep_interval(interval, found, self._hurry)
            self._hurry = False
            self._wait(interval)

    def _wait(self, seconds: float) -> None:
        """Sleep up to `seconds`, cut short when a publish fails meanwhile."""
        deadline = time.monotonic() + seconds
        while self._running and not self._hurry and (left := deadline - time.monotonic()) > 0:
            eventlet.sleep(min(SWEEP_INTERVAL, left))

    def _backlog(self) -> float:
        """The gauge's value, counted when /metrics is scraped (not every sweep: a transaction per second per
        service for a figure read every 15 s); NaN while the database does not answer."""
        try:
            return float(self._store().backlog())
        except Exception:  # noqa: BLE001 - a scrape must not fail because the database is down
            return float("nan")


def next_sweep_interval(current: float, found: int, hurry: bool) -> float:
    """Back to SWEEP_INTERVAL when the last sweep published something or a publish failed, else twice as long."""
    return SWEEP_INTERVAL if found or hurry else min(2 * current, QUIET_SWEEP_INTERVAL)
