"""Oversight's metrics: latency histograms and warnings counted as they happen, the rest read at scrape time.

Gauges read from the database (cases, on-time ratio, open warnings and tasks) are the same on every
replica: aggregate them with max(), not sum().
"""
from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, time, timedelta
from typing import Iterable

from prometheus_client import Counter, Histogram
from prometheus_client.core import GaugeMetricFamily, InfoMetricFamily

from shared.config import Settings
from shared.messaging import Store
from shared.metrics import REGISTRY
from shared.workdays import SHANGHAI

HOUR, DAY = 3600.0, 86400.0
COMPLETION_SECONDS = Histogram(
    "yici_case_completion_duration_seconds", "Time from acceptance to completion of a case",
    ["matter", "channel"], registry=REGISTRY,
    buckets=(60, 10 * 60, HOUR, 4 * HOUR, DAY, 3 * DAY, 7 * DAY, 14 * DAY, 30 * DAY, 60 * DAY))
COMPLETION_WORKDAYS = Histogram(
    "yici_case_completion_workdays", "Working days from acceptance to completion, suspensions excluded",
    ["matter", "channel"], registry=REGISTRY, buckets=(0, 1, 2, 3, 5, 7, 10, 15, 20, 30, 60))
WARNINGS_RAISED = Counter(
    "yici_supervision_warnings_raised_total", "Supervision warnings raised (each subject and level once)",
    ["level", "scope", "department"], registry=REGISTRY)
RATINGS = Counter("yici_ratings_received_total", "Ratings received, by overall score", ["score"],
                  registry=REGISTRY)


def observe_completions(completions: Iterable) -> None:
    for c in completions:
        COMPLETION_SECONDS.labels(c.matter_code, c.channel).observe(c.seconds)
        COMPLETION_WORKDAYS.labels(c.matter_code, c.channel).observe(c.workdays)


def count_warnings(raised: Iterable[dict]) -> None:
    for w in raised:
        WARNINGS_RAISED.labels(w["level"], w["scope"], w["department"]).inc()


class OversightCollector:
    """Cases by matter/status/channel, on-time ratio, open warnings and rectification tasks, and when the official
    working-day data ends (deadlines past it are provisional until next year's notice is added)."""

    def __init__(self, store: Store, settings: Settings):
        self.store, self.settings = store, settings

    def describe(self):
        return [*self._families(), self._calendar_family(), *self._audit_families()]

    def collect(self):
        with self.store.unit_of_work() as uow:
            counts = uow.oversight.counts()
            warnings = uow.supervision.open_warning_counts()
            tasks = uow.supervision.rectifications("open")
            on_time = uow.oversight.on_time_counts()
            chain = (uow.audit.count(), *uow.audit.head())
        yield from self._families(counts, warnings, tasks, on_time)
        yield self._calendar_family(self.settings.calendar().covered_until())
        yield from self._audit_families(*chain)

    @staticmethod
    def _audit_families(entries: int | None = None, seq: int = 0, head: str = ""):
        """The chain's length and head: an outside monitor that keeps them sees a rewrite (the length falling,
        or an earlier head no longer in the chain: `yici audit verify --head`)."""
        length = GaugeMetricFamily("yici_audit_chain_entries", "Entries in the audit trail's hash chain")
        info = InfoMetricFamily("yici_audit_chain_head", "The audit chain's last entry: its sequence number and hash",
                                labels=[])
        if entries is not None:
            length.add_metric([], entries)
            info.add_metric([], {"seq": str(seq), "hash": head})
        return length, info

    @staticmethod
    def _calendar_family(covered_until: date | None = None) -> GaugeMetricFamily:
        family = GaugeMetricFamily(
            "yici_calendar_official_until_timestamp_seconds",
            "When the official working-day data ends (00:00 Asia/Shanghai the day after its last day); deadlines "
            "counted past it are provisional until next year's holiday notice is loaded")
        if covered_until is not None:
            end = datetime.combine(covered_until + timedelta(days=1), time(), tzinfo=SHANGHAI)
            family.add_metric([], end.timestamp())
        return family

    def _families(self, counts=(), warnings=(), tasks=(), on_time=()):
        cases = GaugeMetricFamily("yici_cases", "Cases by matter, status and channel",
                                  labels=["matter", "status", "channel"])
        for matter, status, channel, count in counts:
            cases.add_metric([matter or "unknown", status, channel or "unknown"], count)
        open_warnings = GaugeMetricFamily("yici_supervision_warnings_open", "Open supervision warnings",
                                          labels=["level", "scope", "department"])
        for level, scope, department, count in warnings:
            open_warnings.add_metric([level, scope, department], count)
        open_tasks = GaugeMetricFamily("yici_rectification_tasks_open", "Open rectification tasks",
                                       labels=["department"])
        for department, count in _count_by(t.department for t in tasks).items():
            open_tasks.add_metric([department], count)
        ratio = GaugeMetricFamily("yici_cases_on_time_ratio",
                                  "Share of concluded cases (completed or rejected) concluded within the limit",
                                  labels=["matter"])
        for matter, in_time, concluded in on_time:
            ratio.add_metric([matter or "unknown"], (in_time or 0) / concluded)
        return cases, open_warnings, open_tasks, ratio


def _count_by(values: Iterable[str]) -> dict[str, int]:
    counted: dict[str, int] = defaultdict(int)
    for value in values:
        counted[value] += 1
    return counted
