"""Fault tests' own infrastructure: RabbitMQ nodes and clusters, PostgreSQL clusters, a retrying load driver,
readiness probes and a report counted from the outside. Nothing here touches the machine's broker or database."""
from __future__ import annotations

import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from faultkit.load import Attempt, LoadDriver, Prober
from faultkit.postgres import PgCluster, pg_bindir
from faultkit.rabbit import RabbitCluster, RabbitNode
from faultkit.report import FaultReport, Window, collect
from yici_testkit import Cluster

__all__ = ["Attempt", "FaultReport", "LoadDriver", "PgCluster", "Prober", "RabbitCluster", "RabbitNode",
           "Window", "collect", "fault_window", "pg_bindir", "readyz_urls", "start_suite"]


def start_suite(tmp_path: Path, amqp_uri: str, database_url: str, **env: str) -> Cluster:
    """The five services as processes on the given broker URI (one node, or a failover list) and database."""
    suite = Cluster(tmp_path, "unused", database_url, **env)
    suite.env["YICI_AMQP_URI"] = amqp_uri
    return suite.start()


def readyz_urls(suite: Cluster) -> dict[str, str]:
    return {name: process.url("/readyz") for name, process in suite.processes.items()}


class _Marks:
    start = end = repairing = 0.0

    @property
    def window(self) -> Window:
        return Window(self.start, self.end, self.repairing)

    def repair_begins(self) -> None:
        """The fault is being repaired (a restart under way): what /readyz says from here on may be either."""
        self.repairing = time.time()


@contextmanager
def fault_window() -> Iterator[_Marks]:
    """Marks the fault's start and end (wall clock) around the block that injects and repairs it."""
    marks = _Marks()
    marks.start = time.time()
    try:
        yield marks
    finally:
        marks.end = time.time()
