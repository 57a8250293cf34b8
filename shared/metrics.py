"""Prometheus metrics, defined once per process (never per container)."""
from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, disable_created_metrics, generate_latest

disable_created_metrics()  # type: ignore[no-untyped-call]  # prometheus_client leaves it unannotated

REGISTRY = CollectorRegistry(auto_describe=True)

HANDLED = Counter("yici_events_handled_total", "Events handled successfully",
                  ["service", "event_type"], registry=REGISTRY)
HANDLER_ERRORS = Counter("yici_handler_errors_total", "Handler attempts that raised",
                         ["service", "event_type", "error"], registry=REGISTRY)
DEAD_LETTERED = Counter("yici_dead_lettered_total", "Messages sent to a dead-letter queue",
                        ["service", "queue"], registry=REGISTRY)
OUTBOX_BACKLOG = Gauge("yici_outbox_backlog", "Outbox rows not yet confirmed by the broker",
                       ["service"], registry=REGISTRY)
BATCH_EVENTS = Histogram("yici_batch_events", "Events a batching consumer handled together, in one transaction",
                         ["service"], buckets=(1, 2, 5, 10, 20, 50, 100, 200), registry=REGISTRY)
DB_COMMITS = Counter("yici_db_commits_total", "Database transactions committed", ["service"], registry=REGISTRY)
HTTP_REQUESTS = Counter("yici_http_requests_total", "HTTP requests served",
                        ["service", "method", "route", "status"], registry=REGISTRY)
HTTP_LATENCY = Histogram("yici_http_request_duration_seconds", "HTTP request latency",
                         ["service", "route"], registry=REGISTRY)
HTTP_REFUSED = Counter("yici_http_connections_refused_total", "Connections answered 429/503 at once, unread",
                       ["reason"], registry=REGISTRY)


def exposition() -> bytes:
    return generate_latest(REGISTRY)


UNKNOWN_CASE = Counter("yici_events_unknown_case_total",
                       "Events about a case the service does not know: parked (an ordering race may explain it, "
                       "retried for a bounded time), dead_lettered (with the reason), or answered (approval: a "
                       "department told that no such request exists)",
                       ["service", "event_type", "outcome"], registry=REGISTRY)


UNTRUSTED_SENDER = Counter("yici_events_untrusted_sender_total",
                           "Events dead-lettered because their AMQP user_id is not the broker user of the service that "
                           "owns the event type (verify_publishers): a forged or misrouted event",
                           ["service", "event_type"], registry=REGISTRY)
ATTEMPTS_REFUSED = Counter("yici_attempts_refused_total",
                           "Attempts at a guessable code refused (429) before it was looked at: the target was "
                           "locked, or the client had failed too often", ["scope", "reason"], registry=REGISTRY)
ATTEMPT_LOCKS = Counter("yici_attempt_locks_total",
                        "Targets (a case's lookup code, a pickup code, a supervisor sign-in) locked after repeated "
                        "failures", ["scope"], registry=REGISTRY)
