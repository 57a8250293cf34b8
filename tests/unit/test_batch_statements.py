"""A batch costs a few statements per case, not a handful per event, and gives the same result.

This is what keeps the database's work per case down under load (see deploy/CAPACITY.md): one inbox
INSERT for the whole batch, one outbox INSERT, and each case read and written once however many of its
events the batch holds.
"""
from __future__ import annotations

import json
import re
from collections import Counter
from datetime import date

from sqlalchemy import event as sa_event

from routing_support import RoutingHarness, accepted
from services.oversight import handlers as oversight
from services.oversight import views
from services.routing import handlers as routing
from shared.catalog import default_catalog
from shared.events import ApprovalDecided, CaseWithdrawn
from test_oversight_support import Story, context, make_store

WED = date(2026, 3, 4)
VERB_TABLE = re.compile(r"^\s*(INSERT INTO|UPDATE|SELECT\b.*?\sFROM)\s+(\w+)", re.S)


class Statements:
    """Counts (verb, table) of what reaches the database while active."""

    def __init__(self, store):
        self.engine = store.session_factory.kw["bind"]
        self.seen: Counter = Counter()

    def _count(self, _conn, _cursor, statement, _params, _context, _many):
        match = VERB_TABLE.match(statement)
        if match:
            self.seen[(match.group(1).split()[0], match.group(2))] += 1

    def __enter__(self) -> Counter:
        sa_event.listen(self.engine, "before_cursor_execute", self._count)
        return self.seen

    def __exit__(self, *exc) -> None:
        sa_event.remove(self.engine, "before_cursor_execute", self._count)


def story(case_id: str) -> Story:
    s = Story(case_id)
    s.submitted(date(2026, 3, 2))
    s.accepted(date(2026, 3, 3))
    for item in s.items:
        s.requested(item, date(2026, 3, 3))
        s.decided(item, "approved", WED)
    s.completed(WED)
    s.delivered(WED)
    return s


def test_oversight_folds_a_batch_with_a_few_database_calls_whatever_its_size(tmp_path):
    one, two = story("YC-B1"), story("YC-B2")
    batched = make_store(tmp_path / "batched")
    with Statements(batched) as seen:
        oversight.consume(batched, one.events + two.events, context(WED))
    assert len(one.events) == 9
    assert seen[("INSERT", "oversight_inbox")] == 1, "one inbox statement for the whole batch"
    assert seen[("INSERT", "oversight_timeline")] == 1, "one timeline statement for the whole batch"
    assert seen[("SELECT", "oversight_timeline")] == 0, "events in order carry the saved state on: no refold"
    assert seen[("SELECT", "oversight_warnings")] == 1, "the batch's open warnings read with one statement"
    assert seen[("INSERT", "oversight_cases")] == 1 and seen[("UPDATE", "oversight_cases")] == 1, \
        "the cases locked with one statement and written with one executemany"
    late = Story("YC-B1")  # an event that occurred before what was folded: the case is refolded
    late.submitted(date(2026, 3, 1))
    with Statements(batched) as seen:
        oversight.consume(batched, late.events, context(WED))
    assert seen[("SELECT", "oversight_timeline")] == 1, "a case with an event out of order is refolded"
    one_by_one = make_store(tmp_path / "single")
    for e in one.events + two.events + late.events:
        oversight.consume(one_by_one, e, context(WED))
    for case_id in ("YC-B1", "YC-B2"):
        assert views.timeline_view(batched, case_id) == views.timeline_view(one_by_one, case_id)
        assert views.timeline_view(batched, case_id)["status"] == "delivered"


def test_a_redelivery_inside_the_same_batch_is_handled_once(tmp_path):
    store, handled = make_store(tmp_path), []
    e = CaseWithdrawn(case_id="YC-D1", payload={"reason": "x"})
    with Statements(store) as seen:
        assert store.process_batch("demo", [e, e, e], lambda uow, ev: handled.append(ev.event_id)) == 1
    assert handled == [e.event_id] and seen[("INSERT", "oversight_inbox")] == 1


ITEMS = ["enterprise-registration-inquiry", "real-estate-registration-inquiry",
         "social-insurance-arrears-inquiry", "tax-arrears-inquiry"]  # bankruptcy-check's four


def _approved(case_id: str, item: str) -> ApprovalDecided:
    return ApprovalDecided(case_id=case_id, payload={
        "request_id": f"{case_id}:{item}", "item_code": item, "department": default_catalog().items[item].department,
        "decision": "approved", "reasons": [], "decided_by": "clerk", "round": 1})


def test_routing_writes_a_case_once_for_all_its_decisions_in_a_batch(tmp_path):
    harness = RoutingHarness(tmp_path)
    harness.handle(accepted("YC-R1", "bankruptcy-check"))
    decisions = [_approved("YC-R1", i) for i in ITEMS]
    before = len(harness.sent)
    with Statements(harness.store) as seen:
        harness.store.process_batch("routing", decisions, lambda uow, e: routing.handle(uow, e, harness.context))
    assert seen[("SELECT", "routing_cases")] == 1 and seen[("UPDATE", "routing_cases")] == 1
    assert seen[("UPDATE", "routing_items")] == 1 and seen[("INSERT", "routing_outbox")] == 1, \
        "the four items written with one executemany"
    assert [m.routing_key for m in harness.sent[before:]] == ["case_completed"], "completed once, in one batch"


def test_prebuilt_statements_compile_once_including_insert_on_conflict(tmp_path, monkeypatch):
    """SQLAlchemy gives INSERT ... ON CONFLICT no cache key and compiles it on every execution; prebuilt
    statements carry a constant key, so each compiles once per dialect, and still returns the right rows."""
    from sqlalchemy import Column, Integer, MetaData, String, Table, create_engine
    from sqlalchemy.orm import Session
    from sqlalchemy.sql import compiler

    from shared.db import insert_new, select_by

    metadata = MetaData()
    table = Table("prebuilt_probe", metadata, Column("key", String(10), primary_key=True), Column("n", Integer))
    engine = create_engine(f"sqlite:///{tmp_path / 'probe.db'}")
    metadata.create_all(engine)
    compiled = Counter()
    original = compiler.SQLCompiler.__init__

    def counting(self, dialect, statement, *args, **kwargs):
        compiled[type(statement).__name__] += 1
        original(self, dialect, statement, *args, **kwargs)

    monkeypatch.setattr(compiler.SQLCompiler, "__init__", counting)
    with Session(engine) as session:
        new = [set(session.scalars(insert_new(session, table, "key"), [{"key": k, "n": i} for k in keys]))
               for i, keys in enumerate([("a", "b"), ("b", "c"), ("c", "d"), ("a", "e")])]
        rows = [session.execute(select_by(table, "key"), {"key": k}).one().n for k in "abcde"]
    assert new == [{"a", "b"}, {"c"}, {"d"}, {"e"}]
    assert rows == [0, 0, 1, 2, 3]
    assert compiled == {"Insert": 1, "Select": 1}


def test_approval_registers_a_batchs_requests_with_one_insert_and_keeps_tombstones(tmp_path):
    """The requests that come first for their task are inserted together; a cancellation that overtook its
    request in the same batch still leaves a tombstone the request cannot pass (same result as one by one)."""
    from services.approval import handlers as approval
    from shared.events import ApprovalCancelled
    from test_approval_decisions import Approval, request

    def batch():
        overtaken = request("YC-A3")
        cancel = ApprovalCancelled(case_id="YC-A3", payload={
            "request_id": overtaken.payload.request_id, "item_code": overtaken.payload.item_code,
            "department": "market-regulation", "reason": "case_withdrawn"})
        return [request("YC-A2"), cancel, request("YC-A1"), overtaken]

    batched = Approval(tmp_path / "batched", departments={"market-regulation": "auto"})
    single = Approval(tmp_path / "single", departments={"market-regulation": "auto"})
    events = batch()
    with Statements(batched.store) as seen:
        batched.store.process_new("approval", events, lambda uow, fresh: approval.handle_batch(uow, fresh,
                                                                                               batched.context))
    for event in events:
        single.handle(event)
    assert seen[("INSERT", "approval_tasks")] == 3, \
        "the two leading requests together, the tombstone, the overtaken request's own (refused) insert"
    assert seen[("UPDATE", "approval_tasks")] == 1, "both decisions written with one executemany"
    for case_id in ("YC-A1", "YC-A2", "YC-A3"):
        request_id = f"{case_id}:business-registration"
        assert batched.task(request_id).status == single.task(request_id).status
    assert batched.task("YC-A3:business-registration").status == "cancelled"
    assert sorted(m.routing_key for m in batched.sent) == sorted(m.routing_key for m in single.sent)
    assert [m.routing_key for m in batched.sent].count("approval_decided") == 2


def test_routing_locks_a_batchs_plans_with_one_read_for_cases_and_one_for_items(tmp_path):
    harness = RoutingHarness(tmp_path)
    for case_id in ("YC-R1", "YC-R2", "YC-R3"):
        harness.handle(accepted(case_id, "bankruptcy-check"))
    decisions = [_approved(c, i) for i in ITEMS for c in ("YC-R3", "YC-R1", "YC-R2")]
    before = len(harness.sent)
    with Statements(harness.store) as seen:
        harness.store.process_new("routing", decisions,
                                  lambda uow, fresh: routing.handle_batch(uow, fresh, harness.context))
    assert seen[("SELECT", "routing_cases")] == 1 and seen[("SELECT", "routing_items")] == 1
    assert seen[("UPDATE", "routing_items")] == 1 and seen[("UPDATE", "routing_cases")] == 1
    completed = [m for m in harness.sent[before:] if m.routing_key == "case_completed"]
    assert sorted(json.loads(m.body)["case_id"] for m in completed) == ["YC-R1", "YC-R2", "YC-R3"]


def test_routing_new_cases_in_a_batch_do_not_send_the_held_writes_of_others_one_by_one(tmp_path):
    """A batch mixing decisions (held plan updates) with new cases: the new cases' existence is checked with
    one statement and their plain INSERTs leave the held updates alone, so these go together at flush."""
    harness = RoutingHarness(tmp_path)
    for case_id in ("YC-R1", "YC-R3", "YC-R5"):
        harness.handle(accepted(case_id, "bankruptcy-check"))
    decisions = [_approved(c, ITEMS[0]) for c in ("YC-R1", "YC-R3", "YC-R5")]
    fresh = [accepted(c, "bankruptcy-check") for c in ("YC-R2", "YC-R4", "YC-R6")]  # sorted between them
    with Statements(harness.store) as seen:
        harness.store.process_new("routing", decisions + fresh,
                                  lambda uow, batch: routing.handle_batch(uow, batch, harness.context))
    assert seen[("SELECT", "routing_cases")] == 2, "the followed plans locked, the new ones looked up: once each"
    assert seen[("UPDATE", "routing_items")] == 1 and seen[("UPDATE", "routing_cases")] == 1, \
        "held updates sent once, at flush"
    assert seen[("INSERT", "routing_cases")] == 1 and seen[("INSERT", "routing_items")] == 1, \
        "the batch's new plans inserted together: one statement for their cases, one for all their items"
    with harness.store.unit_of_work() as uow:
        for case_id in ("YC-R2", "YC-R4", "YC-R6"):
            assert uow.plans.exists(case_id)
        plan, _ = uow.plans.get_for_update("YC-R3")
        assert plan.items[ITEMS[0]].status == "approved"


def test_routing_records_a_decision_on_a_plan_added_in_the_same_batch(tmp_path):
    """A plan held for insertion answers later events of its batch, and is inserted as they left it."""
    harness = RoutingHarness(tmp_path)
    batch = [accepted("YC-S1", "bankruptcy-check"), _approved("YC-S1", ITEMS[0])]
    with Statements(harness.store) as seen:
        harness.store.process_new("routing", batch,
                                  lambda uow, fresh: routing.handle_batch(uow, fresh, harness.context))
    assert seen[("INSERT", "routing_items")] == 1 and seen[("UPDATE", "routing_items")] == 0, \
        "the decided item is inserted decided, not inserted and then updated"
    with harness.store.unit_of_work() as uow:
        plan, context = uow.plans.get_for_update("YC-S1")
    assert plan.items[ITEMS[0]].status == "approved"
    assert {plan.items[i].status for i in ITEMS[1:]} == {"requested"} and context["holder_id"] is None


def test_delivery_looks_up_a_batchs_cases_with_one_statement_and_marks_its_notices_with_one(tmp_path):
    from test_delivery_support import World, completed
    world = World(tmp_path)
    batch = [completed("YC-V3"), completed("YC-V1"), completed("YC-V2"), completed("YC-V1")]  # V1 twice, two ids
    with Statements(world.store) as seen:
        world.consume(batch)
    assert seen[("SELECT", "delivery_deliveries")] == 1, "whether the batch's cases have a delivery: one read"
    assert seen[("INSERT", "delivery_deliveries")] == 3, "one delivery per case, the repeated completion included"
    assert seen[("UPDATE", "delivery_notifications")] == 1, "the batch's sent notices marked with one executemany"
    assert sorted(e["case_id"] for e in world.events("delivery_dispatched")) == ["YC-V1", "YC-V2", "YC-V3"]
    for case_id in ("YC-V1", "YC-V2", "YC-V3"):
        [notice] = world.notifications(case_id)
        assert notice.status == "sent" and notice.phone == "138****8000"
