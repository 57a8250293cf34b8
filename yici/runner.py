"""Starting services: all five in one process (embedded) or one service per process (distributed)."""
from __future__ import annotations

import shared.providers.boot  # noqa: F401 - greens the standard library first, so it must stay first

# isort: split
import gc
import importlib
import logging
import signal
import time

import eventlet
from amqp.exceptions import NotFound
from nameko.runners import ServiceRunner

from shared import logging as yici_logging
from shared.config import SERVICES, ConfigError, Settings, refuse_weak_secrets, weak_secrets
from shared.providers import amqp
from shared.topology import decisions_queue, department_queues, service_queues
from yici.startup import refuse_wrong_broker_user

log = logging.getLogger(__name__)
DECLARE_ATTEMPTS = 5


def service_class(name: str):
    return getattr(importlib.import_module(f"services.{name}.service"), "Service")


def nameko_config(settings: Settings, service: str | None = None) -> dict:
    port = settings.port_for(service) if service else settings.port
    return {"AMQP_URI": settings.amqp_uri, "HEARTBEAT": settings.heartbeat,
            "max_workers": settings.max_workers, "serializer": "json",
            "WEB_SERVER_ADDRESS": f"{settings.host}:{port}",
            "TRANSPORT_OPTIONS": {"polling_interval": 0.005, "confirm_publish": True},
            "YICI": settings}


def declare_topology(settings: Settings, departments: list[str], services=SERVICES) -> None:
    """Declare every service, department and unit queue, so no mandatory publish is ever unroutable.

    A department queue is bound only when the department's own system consumes it (mode external): a
    department the approval service serves gets no copies to throw away. Bindings are only ever added here,
    never removed, so a process with an older configuration cannot cut off a department system; a queue bound
    under an earlier configuration keeps its copies, which the approval service drains.
    Only the approval process declares the decisions exchange and queue (it alone may configure them).
    """
    units = [(u.department, u.region) for u in settings.routing.units]
    specs = list(service_queues().values()) + department_queues(
        departments, units, served=settings.approval.serves)
    specs += [decisions_queue()] if "approval" in services else []
    for attempt in range(1, DECLARE_ATTEMPTS + 1):
        try:
            with amqp.connection(settings.amqp_uri, settings.heartbeat) as conn:
                conn.ensure_connection(max_retries=5, interval_start=0.5)
                amqp.declare(conn.default_channel, specs, settings.quorum_queues,
                             stream=amqp.broker_user_of(settings.amqp_uri) is not None)
            return
        except NotFound as exc:
            # Several processes declaring the same new durable queue at once: RabbitMQ 3.x may answer one of
            # them "home node ... of durable queue ... is down or inaccessible" while the queue is being
            # created. The declaration is idempotent, so it is repeated on a fresh channel.
            if attempt == DECLARE_ATTEMPTS:
                raise
            log.warning("topology declaration raced another process, repeating", extra={"error": str(exc)[:200]})
            time.sleep(0.2 * attempt)


def refuse_unpaired_staff_keys(settings: Settings, services: list[str]) -> None:
    """Distributed mode: staff sessions signed by oversight must verify in every service (shared/staff/tokens.py)."""
    from shared.staff.tokens import key_problems
    problems = key_problems(settings, services)
    if problems:
        raise ConfigError("refusing to start in distributed mode: staff sign-ins would not verify:\n"
                          + "\n".join(f"  {p}" for p in problems)
                          + "\nmake a key pair with: yici secrets staff-keypair (deploy/README.md)")


def catalog_departments() -> list[str]:
    from shared.catalog import default_catalog
    return sorted(default_catalog().departments)


def run(settings: Settings, services: list[str]) -> None:
    """Run the named services in this process until SIGTERM or SIGINT."""
    unknown = set(services) - set(SERVICES)
    if unknown:
        raise SystemExit(f"unknown services: {sorted(unknown)}; choose from {', '.join(SERVICES)}")
    refuse_weak_secrets(settings)  # distributed mode: development, placeholder or guessable secrets stop the start
    refuse_wrong_broker_user(settings, services)
    yici_logging.configure("+".join(services), settings.log_format)
    if weak_secrets(settings):
        log.warning("development secrets in use (%d settings, e.g. the tokens dev-*-change-me): for development "
                    "only; the distributed mode refuses them", len(weak_secrets(settings)))
    if settings.mode == "distributed" and settings.audit_subject_key is None:
        log.warning("audit_subject_key is unset: the audit trail's pseudonym key is generated in data_dir; services "
                    "that do not share data_dir must be given one key (YICI_AUDIT_SUBJECT_KEY), else one person "
                    "has a pseudonym per service")
    if settings.mode == "distributed":
        refuse_unpaired_staff_keys(settings, services)
    declare_topology(settings, catalog_departments(), services)
    runner = ServiceRunner(nameko_config(settings, services[0] if len(services) == 1 else None))
    for name in services:
        runner.add_service(service_class(name))
    _stop_on_signals(runner, settings.shutdown_grace_seconds)
    feed = _follow_staff_revocations(settings)
    runner.start()
    _settle_garbage_collector()
    port = settings.port_for(services[0]) if len(services) == 1 else settings.port
    print(f"yici: {', '.join(services)} listening on http://{settings.host}:{port}", flush=True)
    if "intake" in services and settings.mode == "embedded":
        print(f"yici: online application at http://{settings.host}:{port}/apply (the simulated SMS gateway's "
              "sign-in codes: the link on the code page)", flush=True)
    runner.wait()
    if feed is not None:
        feed.stop()


def _follow_staff_revocations(settings: Settings):
    """On RabbitMQ, this process reads every staff sign-out and disabled account (shared/providers/staff_feed.py)."""
    if amqp.broker_user_of(settings.amqp_uri) is None:
        return None  # the in-memory transport: one process, where oversight records its own events at once
    from shared.providers.staff_feed import RevocationFeed
    feed = RevocationFeed(settings.amqp_uri, settings.heartbeat, settings.verify_publishers,
                          settings.broker_user_prefix)
    eventlet.spawn_n(feed.run)
    return feed


def _settle_garbage_collector() -> None:
    """Keep full collections short: everything alive after start-up (modules, the catalog, SQLAlchemy's and
    pydantic's structures) moves to the permanent generation, which collections no longer scan.

    Without it, a full (generation 2) collection paused a whole service, every case in it waiting; with it, no
    full collection ran during a paced run (deploy/CAPACITY.md, section 6).
    """
    gc.collect()
    gc.freeze()


def _stop_on_signals(runner: ServiceRunner, grace: float) -> None:
    """SIGTERM/SIGINT: new requests are refused, work in flight gets `grace` seconds, then the rest is killed."""
    def stop(signum, _frame):
        log.info("stopping on signal %s", signum)
        eventlet.spawn_n(_stop_within, runner, grace)
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)


def _stop_within(runner: ServiceRunner, seconds: float) -> None:
    """Drain in-flight work; a container that cannot stop (a broker that never answers) is killed.

    Unacknowledged messages go back to their queue and the inbox deduplicates them, so a kill loses nothing.
    """
    try:
        with eventlet.Timeout(seconds):
            runner.stop()
    except eventlet.Timeout:
        log.error("services did not stop within %s s; killing them", seconds)
        runner.kill()
