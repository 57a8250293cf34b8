"""Case counts by matter and status, read from oversight's own table at scrape time."""
from __future__ import annotations

from prometheus_client.core import GaugeMetricFamily

from shared.messaging import Store


class CaseCountCollector:
    def __init__(self, store: Store):
        self.store = store

    def describe(self):
        return [GaugeMetricFamily("yici_cases", "Cases by matter and status", labels=["matter", "status"])]

    def collect(self):
        family = GaugeMetricFamily("yici_cases", "Cases by matter and status", labels=["matter", "status"])
        with self.store.unit_of_work() as uow:
            for matter, status, count in uow.oversight.counts():
                family.add_metric([matter or "unknown", status], count)
        yield family
