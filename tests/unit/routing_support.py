"""Routing's handlers over a SQLite store, driven by events built from the catalog (no broker)."""
from __future__ import annotations

import json
from datetime import date

from services.routing import handlers
from services.routing.repository import REPOSITORIES, TABLES, metadata
from shared.catalog import default_catalog
from shared.config import RoutingSettings
from shared.db import make_engine, make_session_factory
from shared.events import ApprovalDecided, CaseAccepted, SupplementProvided, parse_event
from shared.messaging import Store
from shared.workdays import WorkingCalendar

TODAY = date(2026, 12, 1)
CALENDAR = WorkingCalendar.from_file()


class RoutingHarness:
    def __init__(self, tmp_path, settings: RoutingSettings | None = None):
        engine = make_engine(f"sqlite:///{tmp_path}/routing.db")
        metadata.create_all(engine)
        self.sent: list = []
        self.store = Store(make_session_factory(engine), TABLES, REPOSITORIES, publish=self._publish)
        self.context = handlers.Context(default_catalog(), settings or RoutingSettings(), CALENDAR, lambda: self.today)
        self.today = TODAY

    def _publish(self, messages):
        self.sent.extend(messages)
        return [m.event_id for m in messages]

    def handle(self, event) -> list:
        """Run routing on one event; returns the events it emitted (parsed)."""
        before = len(self.sent)
        self.store.process("routing", event, lambda uow, e: handlers.handle(uow, e, self.context))
        return [(m.routing_key, parse_event(json.loads(m.body))) for m in self.sent[before:]]

    def decide(self, case_id: str, item: str, decision: str = "approved", reasons=(), round: int = 1,
               department: str | None = None, **extra) -> list:
        """A department's decision on an item (by default from the department the plan sent it to)."""
        department = department or self.department_of(case_id, item)
        return self.handle(ApprovalDecided(case_id=case_id, payload={
            "request_id": f"{case_id}:{item}", "item_code": item, "department": department,
            "decision": decision, "reasons": list(reasons), "decided_by": "clerk", "round": round, **extra}))

    def department_of(self, case_id: str, item: str) -> str:
        with self.store.unit_of_work() as uow:
            found = uow.plans.get_for_update(case_id)
        return found[0].items[item].department if found and item in found[0].items else "x"

    def supply(self, case_id: str, item: str, form=None, materials=()) -> list:
        return self.handle(SupplementProvided(case_id=case_id, payload={
            "item_code": item, "form": form or {}, "materials": list(materials)}))


def accepted(case_id: str, matter: str, situations=(), region: str = "150626", holder_id: str | None = None,
             form: dict | None = None, holder_kind: str | None = None) -> CaseAccepted:
    """What intake emits for a case of `matter` (the same derivation as intake's)."""
    catalog = default_catalog()
    items = catalog.items_for(matter, situations)
    codes = {i.code for i in items}
    return CaseAccepted(case_id=case_id, payload={
        "matter_code": matter, "matter_name": catalog.matters[matter].name, "catalog_version": catalog.version,
        "channel": "online", "region_code": region, "situations": list(situations),
        "items": [{"item_code": i.code, "item_name": i.name, "department": i.department,
                   "prerequisites": [p for p in i.prerequisites if p in codes], "promised_days": i.promised_days,
                   "fields": list(i.fields)} for i in items],
        "promised_days": catalog.matters[matter].promised_days, "form": form or {}, "materials": [],
        "delivery": {"method": "online"}, "contact": {"name": "乌审旗测试有限公司"}, "accepted_on": TODAY,
        "holder_id": holder_id, "holder_kind": holder_kind})


def of_type(emitted: list, event_type: str) -> list:
    return [e for _, e in emitted if e.event_type == event_type]
