"""Builders for delivery's unit tests: a store and the simulated adapters on one SQLite file, and events.

(Only a check of the builders here; the other test_delivery_* modules import it.)
"""
from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest

from services.delivery import dispatch
from services.delivery.domain import LinkSigner
from services.delivery.handlers import Context
from services.delivery.repository import REPOSITORIES, TABLES, metadata
from services.delivery.simulated import SimulatedCourier, SimulatedCrash, SimulatedSmsGateway
from shared.catalog import default_catalog
from shared.config import DeliverySettings, SimulatedCourierFaults
from shared.db import make_engine, make_session_factory
from shared.events import CaseCompleted, CaseRejected, CorrectionRequested
from shared.messaging import Store
from shared.workdays import WorkingCalendar, today_in_shanghai

NOW = datetime(2026, 3, 2, 2, 0, tzinfo=timezone.utc)
PHONE, NAME, ADDRESS = "13800138000", "张三", "内蒙古鄂尔多斯市乌审旗嘎鲁图镇某街1号"


class Clock:
    def __init__(self, now: datetime = NOW):
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta) -> None:
        self.now += timedelta(**delta)


class World:
    """One delivery service's store, its simulated courier and gateway, and what it published."""

    def __init__(self, tmp_path, faults: SimulatedCourierFaults | None = None, clock: Clock | None = None):
        self.engine = make_engine(f"sqlite:///{tmp_path}/delivery.db")
        metadata.create_all(self.engine)
        self.published: list = []
        self.store = Store(make_session_factory(self.engine), TABLES, REPOSITORIES, publish=self._publish)
        self.clock = clock or Clock()
        self.courier = SimulatedCourier(self.engine, faults=faults, crash=self._crash)
        self.gateway = SimulatedSmsGateway(self.engine)
        self.ctx = Context(default_catalog(), DeliverySettings(), WorkingCalendar.from_file(),
                           lambda: today_in_shanghai(self.clock()), self.clock, LinkSigner("s" * 32),
                           "https://yici.example.gov.cn", self.courier, self.gateway)

    def _publish(self, messages):
        self.published.extend(messages)
        return [m.event_id for m in messages]

    @staticmethod
    def _crash():
        raise SimulatedCrash()

    def consume(self, event) -> None:
        dispatch.consume(self.store, event, self.ctx)

    def work(self) -> dict:
        return dispatch.work(self.store, self.ctx)

    def events(self, event_type: str | None = None) -> list[dict]:
        bodies = [json.loads(m.body) for m in self.published]
        return [b for b in bodies if event_type is None or b["event_type"] == event_type]

    def delivery(self, case_id: str):
        with self.store.unit_of_work() as uow:
            return uow.deliveries.get(case_id)

    def notifications(self, case_id: str) -> list:
        with self.store.unit_of_work() as uow:
            return uow.deliveries.notifications(case_id)


def completed(case_id: str, method: str = "pickup", address: str | None = None, phone: str | None = PHONE,
              licenses=("SCJG-2026-000001",)) -> CaseCompleted:
    delivery = {"method": method, "hall": "乌审旗政务服务大厅" if method == "pickup" else None, "address": address}
    return CaseCompleted(case_id=case_id, payload={
        "matter_code": "open-restaurant", "items": ["business-registration", "food-business-license"],
        "licenses": list(licenses), "delivery": delivery, "contact": {"name": NAME, "phone": phone}})


def rejected(case_id: str) -> CaseRejected:
    return CaseRejected(case_id=case_id, payload={
        "matter_code": "open-restaurant", "item_code": "food-business-license", "department": "market-regulation",
        "reasons": ["经营场所不符合食品安全要求"], "contact": {"name": NAME, "phone": PHONE}})


def correction(case_id: str, contact: bool = True) -> CorrectionRequested:
    return CorrectionRequested(case_id=case_id, payload={
        "notice_id": f"{case_id}-N1", "due_date": "2026-03-09", "matter_code": "open-restaurant",
        "contact": {"name": NAME, "phone": PHONE} if contact else None,
        "deficiencies": [{"target": "materials.lease", "code": "missing", "message_zh": "缺少租赁合同",
                          "message_en": "lease missing"},
                         {"target": "form.area", "code": "invalid", "message_zh": "经营面积填写有误",
                          "message_en": "area invalid"}]})


@pytest.fixture
def world(tmp_path):
    return World(tmp_path)


def test_the_world_starts_empty(world):
    assert world.work() == {"booked": 0, "arrived_or_returned": 0, "notified": 0}
    assert world.events() == [] and world.courier.bookings() == []
