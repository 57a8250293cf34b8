"""What a fault did, counted from the outside after the run: the client's answers, the services' tables, the
delivery API, the broker's dead-letter queues, the processes."""
from __future__ import annotations

import logging
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import requests
from sqlalchemy import create_engine, text

from faultkit.load import HUNG_SECONDS, LoadDriver, Prober
from yici_checks import delivery_counts, timelines
from yici_testkit import AUTH, Cluster

log = logging.getLogger("faultkit")
OUTCOMES = ("case_completed", "delivery_dispatched")


@dataclass(frozen=True)
class Window:
    """When the fault began and ended (wall clock, as the timelines' occurred_at)."""
    start: float
    end: float
    repairing: float = 0.0  # when the repair (a restart) began; 0: not marked

    @property
    def seconds(self) -> float:
        return self.end - self.start

    def holds(self, at: float) -> bool:
        return self.start <= at <= self.end


@dataclass
class FaultReport:
    title: str
    fault_seconds: float
    repair_seconds: float  # of which the repair (a node's or the postmaster's restart) took
    submitted: int
    acknowledged: int
    refused: dict = field(default_factory=dict)  # case number -> status answered that no retry could change
    gave_up: int = 0
    stored: int = 0  # intake's cases under the run's idempotency keys
    completed: int = 0
    delivered: int = 0
    stuck: list[str] = field(default_factory=list)
    doubled_deliveries: dict = field(default_factory=dict)
    doubled_outcomes: dict = field(default_factory=dict)
    dead_letters: dict = field(default_factory=dict)
    during_fault: Counter = field(default_factory=Counter)
    statuses: Counter = field(default_factory=Counter)
    errors_500: int = 0
    hung: int = 0
    slowest_request: float = 0.0
    in_flight: int = 0  # cases acknowledged before the fault and completed after it began
    recovery_seconds: float | None = None  # fault end -> the last case first sent by then completed
    drained_seconds: float | None = None  # fault end -> the last case of the run completed
    ready_again_seconds: float | None = None  # fault end -> every /readyz 200 again
    readyz_unanswered: int = 0  # probes (every 0.5 s per service) that got no answer within 5 s
    died: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        return [f"fault report: {self.title}",
                f"  fault lasted {self.fault_seconds:.1f} s, of which the restart {self.repair_seconds:.1f} s",
                f"  cases: submitted {self.submitted}, acknowledged {self.acknowledged}, stored {self.stored}, "
                f"completed {self.completed}, delivered {self.delivered}, stuck {len(self.stuck)}, "
                f"refused {len(self.refused)}, gave up {self.gave_up}; in flight when the fault began "
                f"{self.in_flight}",
                f"  doubled: deliveries {len(self.doubled_deliveries)}, timeline outcomes {len(self.doubled_outcomes)}",
                f"  dead letters: {sum(self.dead_letters.values())} {self.dead_letters or ''}",
                f"  HTTP during the fault: {_counts(self.during_fault)}",
                f"  HTTP in all: {_counts(self.statuses)}; 500s {self.errors_500}; hung (> {HUNG_SECONDS:.0f} s) "
                f"{self.hung}; slowest {self.slowest_request:.2f} s",
                f"  recovery after the fault: cases sent by its end completed {_seconds(self.recovery_seconds)}, "
                f"whole run completed {_seconds(self.drained_seconds)}, "
                f"every /readyz 200 {_seconds(self.ready_again_seconds)} ({self.readyz_unanswered} probes unanswered)",
                f"  service processes died: {self.died or 'none'}"]

    def print(self, path: Path | None = None) -> None:
        text_ = "\n".join(self.lines())
        print("\n" + text_, flush=True)
        log.info(text_)
        if path is not None:
            with path.open("a", encoding="utf-8") as out:
                out.write(text_ + "\n")

    def assert_invariants(self) -> None:
        """Nothing lost, nothing doubled, nothing hung, no 500, no service process died."""
        summary = "\n".join(self.lines())
        assert self.acknowledged == self.submitted and not self.refused and self.gave_up == 0, summary
        assert self.stored == self.acknowledged, summary
        assert self.stuck == [], f"{len(self.stuck)} acknowledged cases never delivered: {self.stuck[:5]}\n{summary}"
        assert self.doubled_deliveries == {} and self.doubled_outcomes == {}, summary
        assert sum(self.dead_letters.values()) == 0, summary
        assert self.hung == 0 and self.errors_500 == 0, summary
        assert self.died == [], summary


def _counts(counter: Counter) -> str:
    return ", ".join(f"{k}: {v}" for k, v in sorted(counter.items(), key=lambda kv: str(kv[0]))) or "none"


def _seconds(value: float | None) -> str:
    return "never" if value is None else f"in {value:.1f} s"


def collect(title: str, load: LoadDriver, prober: Prober, suite: Cluster, database_url: str,
            dead_letters: Callable[[], dict], window: Window, settle: float = 120) -> FaultReport:
    """Wait (up to `settle` s) for every acknowledged case to be delivered, then count."""
    ids = list(load.acknowledged.values())
    timeline = _settled(database_url, ids, settle)
    repair = window.end - window.repairing if window.repairing else 0.0
    report = FaultReport(title, window.seconds, repair, load.submitted, len(load.acknowledged), dict(load.refused),
                         len(load.gave_up), stored=_stored(database_url, load.key_prefix))
    _count_outcomes(report, timeline, ids, _delivery_answers(suite, ids))
    report.doubled_deliveries = {c: n for c, n in delivery_counts(database_url, ids).items() if n > 1}
    report.dead_letters = {q: n for q, n in dead_letters().items() if n}
    _count_http(report, load, window)
    _count_recovery(report, load, timeline, window, prober)
    report.died = [name for name, p in _processes(suite) if p.popen.poll() is not None]
    return report


def _settled(database_url: str, ids: list[str], settle: float) -> dict:
    deadline = time.monotonic() + settle
    for _ in range(int(settle) + 1):
        timeline = timelines(database_url, ids)
        if all(_kinds(timeline, c)["delivery_dispatched"] for c in ids) or time.monotonic() > deadline:
            break
        time.sleep(1)
    return timeline


def _kinds(timeline: dict, case_id: str) -> Counter:
    return Counter(kind for kind, _, _ in timeline.get(case_id, []))


def _count_outcomes(report: FaultReport, timeline: dict, ids: list[str], answered: set[str]) -> None:
    kinds = {c: _kinds(timeline, c) for c in ids}
    report.completed = sum(1 for c in ids if kinds[c]["case_completed"])
    report.delivered = sum(1 for c in ids if kinds[c]["delivery_dispatched"] and c in answered)
    report.stuck = [c for c in ids if not (kinds[c]["delivery_dispatched"] and c in answered)]
    report.doubled_outcomes = {c: {k: kinds[c][k] for k in OUTCOMES} for c in ids
                               if any(kinds[c][k] > 1 for k in OUTCOMES)}


def _delivery_answers(suite: Cluster, ids: list[str]) -> set[str]:
    """The cases the delivery API answers 200 for."""
    with requests.Session() as session:
        return {c for c in ids if session.get(suite.url("delivery", f"/api/v1/deliveries/{c}"), headers=AUTH,
                                              timeout=10).status_code == 200}


def _count_http(report: FaultReport, load: LoadDriver, window: Window) -> None:
    attempts = list(load.attempts)
    report.statuses = Counter(a.status or a.error for a in attempts)
    report.during_fault = Counter(a.status or a.error for a in attempts if window.holds(a.started))
    report.errors_500 = sum(1 for a in attempts if a.status == 500)
    report.hung = sum(1 for a in attempts if a.seconds > HUNG_SECONDS)
    report.slowest_request = max((a.seconds for a in attempts), default=0.0)


def _count_recovery(report: FaultReport, load: LoadDriver, timeline: dict, window: Window, prober: Prober) -> None:
    completed = {c: at.timestamp() for c, events in timeline.items() for kind, at, _ in events
                 if kind == "case_completed"}
    first, acked = _first_tries(load), _acknowledged_at(load)
    report.in_flight = sum(1 for n, at in acked.items() if at < window.start
                           and completed.get(load.acknowledged[n], window.start) > window.start)
    ids = list(load.acknowledged.values())
    if ids and all(c in completed for c in ids):
        report.drained_seconds = max(0.0, max(completed[c] for c in ids) - window.end)
        backlog = [completed[load.acknowledged[n]] for n, at in first.items() if at <= window.end]
        report.recovery_seconds = max([0.0] + [at - window.end for at in backlog])
    ready = _ready_again(prober, window.end, timeout=30)
    report.ready_again_seconds = None if ready is None else max(0.0, ready - window.end)
    report.readyz_unanswered = sum(1 for p in prober.probes if p.status is None)


def _ready_again(prober: Prober, after: float, timeout: float) -> float | None:
    deadline = time.monotonic() + timeout
    for _ in range(int(timeout / 0.5)):
        if (ready := prober.ready_again(after)) is not None or time.monotonic() > deadline:
            return ready
        time.sleep(0.5)
    return prober.ready_again(after)


def _first_tries(load: LoadDriver) -> dict[int, float]:
    """When each acknowledged case was first sent."""
    first: dict[int, float] = {}
    for attempt in load.attempts:
        if attempt.case in load.acknowledged:
            first[attempt.case] = min(first.get(attempt.case, attempt.started), attempt.started)
    return first


def _acknowledged_at(load: LoadDriver) -> dict[int, float]:
    return {a.case: a.started + a.seconds for a in load.attempts if a.status in (200, 201)}


def _stored(database_url: str, key_prefix: str) -> int:
    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            return conn.execute(text("SELECT count(*) FROM intake_cases WHERE idempotency_key LIKE :p"),
                                {"p": f"{key_prefix}%"}).scalar_one()
    finally:
        engine.dispose()


def _processes(suite: Cluster):
    yield from suite.processes.items()
    for name, replicas in suite.extra_replicas.items():
        yield from ((name, p) for p in replicas)
