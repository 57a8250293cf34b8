"""Builders for oversight's unit tests: a store on SQLite, and a case's events told as a story by date.

(No tests here besides a check of the builders themselves; the other test_oversight_* modules import it.)
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timezone

import pytest

from services.oversight import handlers
from services.oversight.handlers import Context
from services.oversight.repository import REPOSITORIES, TABLES, metadata
from services.oversight.supervision import LenientCalendar
from shared.catalog import default_catalog
from shared.config import OversightSettings
from shared.db import make_engine, make_session_factory
from shared.errors import SetAside
from shared.events import (
    ApprovalDecided,
    ApprovalRequested,
    CaseAccepted,
    CaseCompleted,
    CaseRejected,
    CaseSubmitted,
    CorrectionRequested,
    DeliveryCompleted,
    DeliveryDispatched,
    Event,
)
from shared.messaging import Store
from shared.workdays import SHANGHAI

CALENDAR = LenientCalendar.from_file()
CONTACT = {"name": "张三", "phone": "13800138000"}


def make_store(tmp_path, published: list | None = None) -> Store:
    engine = make_engine(f"sqlite:///{tmp_path}/oversight.db")
    metadata.create_all(engine)

    def publish(messages):
        if published is not None:
            published.extend(messages)
        return [m.event_id for m in messages]
    return Store(make_session_factory(engine), TABLES, REPOSITORIES, publish=publish)


def context(today: date = date(2026, 3, 2), **settings) -> Context:
    """Oversight's context on the lenient calendar, as of `today`, with these oversight settings."""
    return Context(default_catalog(), OversightSettings(**settings), CALENDAR, lambda: today)


def at(day: date, hour: int = 10, minute: int = 0) -> datetime:
    """An instant on a Shanghai working day, in UTC as the events carry it."""
    return datetime.combine(day, time(hour, minute), SHANGHAI).astimezone(timezone.utc)


@dataclass
class Story:
    """One case: call the steps in any order; each returns its event (also kept in `events`)."""
    case_id: str
    matter: str = "bankruptcy-check"
    channel: str = "online"
    region: str = "150626"
    promised_days: int = 3
    items: dict[str, tuple[str, int]] = field(default_factory=lambda: {
        "enterprise-registration-inquiry": ("market-regulation", 1),
        "tax-arrears-inquiry": ("tax", 2)})
    situations: list[str] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    minute: int = 0

    def _keep(self, event: Event) -> Event:
        self.events.append(event)
        return event

    def _at(self, day: date) -> datetime:
        self.minute += 1
        return at(day, 9 + self.minute // 60, self.minute % 60)

    def submitted(self, day: date) -> Event:
        return self._keep(CaseSubmitted(case_id=self.case_id, occurred_at=self._at(day), payload={
            "matter_code": self.matter, "channel": self.channel, "region_code": self.region,
            "catalog_version": "test"}))

    def correction(self, day: date) -> Event:
        return self._keep(CorrectionRequested(case_id=self.case_id, occurred_at=self._at(day), payload={
            "notice_id": f"N-{self.case_id}-{len(self.events)}", "deficiencies": [], "due_date": None}))

    def accepted(self, day: date) -> Event:
        planned = [{"item_code": code, "item_name": code, "department": dept, "promised_days": days}
                   for code, (dept, days) in self.items.items()]
        return self._keep(CaseAccepted(case_id=self.case_id, occurred_at=self._at(day), payload={
            "matter_code": self.matter, "matter_name": self.matter, "catalog_version": "test",
            "channel": self.channel, "region_code": self.region, "situations": self.situations,
            "items": planned, "promised_days": self.promised_days, "delivery": {"method": "pickup"},
            "contact": CONTACT, "accepted_on": day}))

    def requested(self, item: str, day: date) -> Event:
        dept, days = self.items[item]
        return self._keep(ApprovalRequested(case_id=self.case_id, occurred_at=self._at(day), payload={
            "request_id": f"{self.case_id}:{item}", "matter_code": self.matter, "item_code": item,
            "item_name": item, "department": dept, "promised_days": days}))

    def decided(self, item: str, decision: str, day: date) -> Event:
        return self._keep(ApprovalDecided(case_id=self.case_id, occurred_at=self._at(day), payload={
            "request_id": f"{self.case_id}:{item}", "item_code": item, "department": self.items[item][0],
            "decision": decision, "decided_by": "clerk"}))

    def completed(self, day: date) -> Event:
        return self._keep(CaseCompleted(case_id=self.case_id, occurred_at=self._at(day), payload={
            "matter_code": self.matter, "items": list(self.items), "delivery": {"method": "pickup"},
            "contact": CONTACT}))

    def rejected(self, item: str, day: date) -> Event:
        return self._keep(CaseRejected(case_id=self.case_id, occurred_at=self._at(day), payload={
            "matter_code": self.matter, "item_code": item, "department": self.items[item][0],
            "reasons": ["材料不符"], "contact": CONTACT}))

    def delivered(self, day: date) -> list[Event]:
        return [self._keep(DeliveryDispatched(case_id=self.case_id, occurred_at=self._at(day), payload={
                    "delivery_id": f"D-{self.case_id}", "method": "pickup", "pickup_code": "123456"})),
                self._keep(DeliveryCompleted(case_id=self.case_id, occurred_at=self._at(day), payload={
                    "delivery_id": f"D-{self.case_id}", "method": "pickup"}))]

    def approve_all(self, day: date, complete_on: date | None = None) -> list[Event]:
        for item in self.items:
            self.requested(item, day)
            self.decided(item, "approved", complete_on or day)
        self.completed(complete_on or day)
        return self.events


def consume_parking(store: Store, ctx: Context, events: list[Event], today: date | None = None) -> list[Event]:
    """`handlers.consume` as the consumer runs it (as of `today`): the events it sets aside (their case is not known yet)
    are left out and the others handled together; returns those set aside (the consumer parks them)."""
    parked: list[Event] = []
    while events:
        try:
            handlers.consume(store, events, replace(ctx, today=lambda: today or date(2026, 3, 2)))
            return parked
        except SetAside as aside:
            parked += [e for e in events if aside.error_for(e.event_id)]
            events = [e for e in events if not aside.error_for(e.event_id)]
    return parked


def feed(store: Store, ctx: Context, events: list[Event], today: date | None = None) -> list[Event]:
    """One event at a time; a parked one is tried again after the others, as long as that helps. Returns the
    events still parked at the end (the consumer would dead-letter them when their park time ends)."""
    waiting = list(events)
    while waiting:
        parked = [e for e in waiting if consume_parking(store, ctx, [e], today)]
        if len(parked) == len(waiting):
            return parked
        waiting = parked
    return []


def feed_batches(store: Store, ctx: Context, batches: list[list[Event]], today: date | None = None) -> None:
    """Batch after batch; the events parked on the way are tried again at the end."""
    parked = [e for batch in batches for e in consume_parking(store, ctx, batch, today)]
    feed(store, ctx, parked, today)


@pytest.fixture
def published():
    return []


@pytest.fixture
def store(tmp_path, published):
    return make_store(tmp_path, published)


def test_a_story_tells_its_events_in_order_of_occurrence():
    story = Story("YC-S")
    story.submitted(date(2026, 3, 2))
    story.accepted(date(2026, 3, 2))
    story.approve_all(date(2026, 3, 3))
    times = [e.occurred_at for e in story.events]
    assert times == sorted(times) and len(set(times)) == len(times)
    assert [e.event_type for e in story.events][-1] == "case_completed"
