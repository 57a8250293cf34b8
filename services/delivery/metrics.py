"""Deliveries by method and status, notifications by status, read from delivery's tables at scrape time."""
from __future__ import annotations

from prometheus_client.core import GaugeMetricFamily

from shared.messaging import Store


class DeliveryCollector:
    def __init__(self, store: Store, settings=None):  # built by Persistence with (store, settings)
        self.store = store

    def describe(self):
        return list(self._families([], []))

    def collect(self):
        with self.store.unit_of_work() as uow:
            yield from self._families(uow.deliveries.counts(), uow.deliveries.notification_counts())

    def _families(self, deliveries, notifications):
        by_status = GaugeMetricFamily("yici_deliveries", "Deliveries by method and status",
                                      labels=["method", "status"])
        for method, status, count in deliveries:
            by_status.add_metric([method, status], count)
        messages = GaugeMetricFamily("yici_notifications", "Applicant notifications by status", labels=["status"])
        for status, count in notifications:
            messages.add_metric([status], count)
        return by_status, messages
