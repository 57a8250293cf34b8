"""Routing's tables and the plan repository (the case row is locked while a decision is recorded)."""
from __future__ import annotations

import json

from sqlalchemy import JSON, Column, Date, DateTime, Integer, MetaData, String, Table
from sqlalchemy.orm import Session

from services.routing.domain import Plan, PlanItem
from shared.db import DeferredUpdates, Presence, hold_writes, prebuilt, rows_by, select_by
from shared.messaging import messaging_tables, utcnow

metadata = MetaData()
TABLES = messaging_tables(metadata, "routing")

cases = Table(
    "routing_cases", metadata,
    Column("case_id", String(64), primary_key=True),
    Column("matter_code", String(100), nullable=False),
    Column("status", String(32), nullable=False),
    Column("context", JSON, nullable=False),
    Column("joint_tasks", JSON, nullable=False, server_default="{}"),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)
items = Table(
    "routing_items", metadata,
    Column("case_id", String(64), primary_key=True),
    Column("item_code", String(100), primary_key=True),
    Column("position", Integer, nullable=False),
    Column("name", String(200), nullable=False),
    Column("department", String(100), nullable=False),
    Column("prerequisites", JSON, nullable=False),
    Column("promised_days", Integer, nullable=False),
    Column("fields", JSON, nullable=False),
    Column("status", String(32), nullable=False),
    Column("licenses", JSON, nullable=False),
    Column("reasons", JSON, nullable=False),
    Column("level", String(16), nullable=False, server_default="banner"),
    Column("unit", String(20), nullable=True),
    Column("routing", JSON, nullable=False, server_default="{}"),
    Column("joint_session", String(100), nullable=True),
    Column("joint_task_id", String(200), nullable=True),
    Column("license_type", String(100), nullable=True),
    Column("round", Integer, nullable=False, server_default="1"),
    Column("requested_on", Date, nullable=True),
    Column("due_date", Date, nullable=True),
    Column("suspensions", JSON, nullable=False, server_default="[]"),
    Column("decided_by", String(100), nullable=True),
)
MUTABLE = ("status", "licenses", "reasons", "joint_task_id", "round", "requested_on", "due_date", "suspensions",
           "decided_by")


class SqlPlanRepository:
    def __init__(self, session: Session):
        self.session = session
        self._loaded: dict[tuple[str, str], dict] = {}
        self._saved: dict[str, tuple[Plan, dict | None]] = {}
        self._added: dict[str, tuple[Plan, dict]] = {}  # new plans, inserted together at flush
        self._updates = DeferredUpdates(session)
        self._locked: dict[str, tuple] = {}  # case id -> (case row, item rows) read by `lock`, unchanged since
        self._exists = Presence(session, cases, "case_id")  # whether a case has a plan
        hold_writes(session, self)  # a statement on these tables writes the saved plans first

    def pending_tables(self) -> set:
        return {cases, items} if self._saved or self._added else set()

    def exists(self, case_id: str) -> bool:
        return self._exists(case_id)

    def look_up(self, case_ids: list[str]) -> None:
        """Whether these cases have a plan, with one statement, for the `exists` calls after."""
        self._exists.look_up(case_ids)

    def add(self, plan: Plan, context: dict) -> None:
        """A new plan: held, and inserted at flush with the batch's other new plans (one INSERT per table)."""
        self._exists.add(plan.case_id)
        self._locked.pop(plan.case_id, None)
        self._added[plan.case_id] = (plan, context)

    def lock(self, case_ids: list[str]) -> None:
        """Read and lock several plans (in case-id order) with one statement for the cases and one for their
        items; `get_for_update` then answers from what was read (the rows change only at flush)."""
        rows = rows_by(self.session, cases, "case_id", case_ids, "case_id", for_update=True)
        found = rows_by(self.session, items, "case_id", [c for c in rows if rows[c]], "case_id", "position")
        self._locked.update({case_id: (rows[case_id][0] if rows[case_id] else None, found.get(case_id, []))
                             for case_id in case_ids})

    def get_for_update(self, case_id: str) -> tuple[Plan, dict] | None:
        if case_id in self._saved:
            return self._saved[case_id]  # saved earlier in this transaction: already locked, not yet written
        if case_id in self._added:
            return self._added[case_id]  # added in this transaction, not yet inserted: nobody else sees it
        if case_id in self._locked:
            row, rows = self._locked.pop(case_id)  # once: a plan used again comes from _saved or a new read
        else:
            row = self.session.execute(select_by(cases, "case_id", for_update=True), {"case_id": case_id}).first()
            rows = [] if row is None else self.session.execute(select_by(items, "case_id", order_by="position"),
                                                                {"case_id": case_id})
        if row is None:
            return None
        plan_items = {r.item_code: _plan_item(r) for r in rows}
        self._loaded.update({(case_id, code): _snapshot(_mutable(case_id, item))
                             for code, item in plan_items.items()})
        return Plan(case_id, row.matter_code, plan_items, row.status, dict(row.joint_tasks or {})), dict(row.context)

    def save(self, plan: Plan, context: dict | None = None) -> None:
        """Keep the plan for the rest of the transaction; `flush` writes it once, however often it was saved."""
        if plan.case_id in self._added:  # still to be inserted: the INSERT takes the plan as it is then
            self._added[plan.case_id] = (plan, context if context is not None else self._added[plan.case_id][1])
            return
        previous = self._saved.get(plan.case_id)
        self._saved[plan.case_id] = (plan, context if context is not None else previous and previous[1])

    def flush(self) -> None:
        added, self._added = self._added, {}  # cleared first: see hold_writes
        saved, self._saved = self._saved, {}
        self._insert(added.values())
        for plan, context in saved.values():
            self._write(plan, context)
        self._updates.flush()  # every plan's rows together: one executemany per statement shape

    def _insert(self, added) -> None:
        """The new plans' case rows with one multi-row INSERT, and all their items with another."""
        if not added:
            return
        now = utcnow()
        self.session.execute(prebuilt(("routing add case",), cases.insert), [dict(
            case_id=plan.case_id, matter_code=plan.matter_code, status=plan.status, context=context,
            joint_tasks=plan.joint_tasks, created_at=now, updated_at=now) for plan, context in added])
        rows = [_item_row(plan.case_id, n, item) for plan, _ in added for n, item in enumerate(plan.items.values())]
        self.session.execute(prebuilt(("routing add items",), items.insert), rows)
        self._loaded.update({(row["case_id"], row["item_code"]): _snapshot({k: row[k] for k in MUTABLE})
                             for row in rows})

    def _write(self, plan: Plan, context: dict | None) -> None:
        values = {"status": plan.status, "joint_tasks": plan.joint_tasks, "updated_at": utcnow()}
        self._updates.add(cases, {"case_id": plan.case_id},
                          {**values, **({"context": context} if context is not None else {})})
        for item in plan.items.values():
            values = _mutable(plan.case_id, item)
            snapshot = _snapshot(values)
            if self._loaded.get((plan.case_id, item.code)) == snapshot:
                continue  # unchanged since it was read: no UPDATE
            self._updates.add(items, {"case_id": plan.case_id, "item_code": item.code}, values)
            self._loaded[(plan.case_id, item.code)] = snapshot


def _snapshot(values: dict) -> str:
    """What an item's mutable columns held, immune to later in-place changes (and far cheaper than deepcopy)."""
    return json.dumps(values, sort_keys=True, default=str)


def _mutable(case_id: str, item: PlanItem) -> dict:
    row = _item_row(case_id, 0, item)
    return {k: row[k] for k in MUTABLE}


def _plan_item(r) -> PlanItem:
    return PlanItem(r.item_code, r.name, r.department, list(r.prerequisites), r.promised_days, list(r.fields),
                    r.status, list(r.licenses), list(r.reasons), r.level, r.unit, dict(r.routing or {}),
                    r.joint_session, r.joint_task_id, r.license_type, r.round, r.requested_on, r.due_date,
                    list(r.suspensions or []), r.decided_by)


def _item_row(case_id: str, position: int, item: PlanItem) -> dict:
    return {"case_id": case_id, "item_code": item.code, "position": position, "name": item.name,
            "department": item.department, "prerequisites": item.prerequisites,
            "promised_days": item.promised_days, "fields": item.fields, "status": item.status,
            "licenses": item.licenses, "reasons": item.reasons, "level": item.level, "unit": item.unit,
            "routing": item.routing, "joint_session": item.joint_session, "joint_task_id": item.joint_task_id,
            "license_type": item.license_type, "round": item.round, "requested_on": item.requested_on,
            "due_date": item.due_date, "suspensions": item.suspensions, "decided_by": item.decided_by}


REPOSITORIES = {"plans": SqlPlanRepository}
