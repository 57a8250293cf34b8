"""Routing's tables and the plan repository (the case row is locked while a decision is recorded)."""
from __future__ import annotations

import json

from sqlalchemy import JSON, Column, Date, DateTime, Integer, MetaData, String, Table

from services.routing.domain import Plan, PlanItem
from shared.messaging import messaging_tables, utcnow
from shared.rows import Rows

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
    """Plans mapped onto the unit of work's rows (shared.rows): a plan is the case's row and its items' rows.

    `get_for_update` hands out one Plan object per case and transaction (later calls return it as the handlers
    left it); `save` maps it back onto the rows, which the buffer writes at commit, an item only when it changed
    since it was read."""

    def __init__(self, rows: Rows):
        self.rows = rows
        self._plans: dict[str, tuple[Plan, dict]] = {}  # the plans handed out: one object per case
        self._read: dict[tuple[str, str], str] = {}  # each item's mutable columns as read or last saved

    def exists(self, case_id: str) -> bool:
        return self.rows.exists(cases, "case_id", case_id)

    def look_up(self, case_ids: list[str]) -> None:
        """Whether these cases have a plan, with one statement, for the `exists` calls after."""
        self.rows.load(cases, "case_id", case_ids, columns=("case_id",))

    def add(self, plan: Plan, context: dict) -> None:
        """A new plan: held, and inserted at commit with the batch's other new plans (one INSERT per table)."""
        now = utcnow()
        self.rows.add(cases, [dict(case_id=plan.case_id, matter_code=plan.matter_code, status=plan.status,
                                   context=context, joint_tasks=plan.joint_tasks, created_at=now, updated_at=now)])
        rows = [_item_row(plan.case_id, n, item) for n, item in enumerate(plan.items.values())]
        self.rows.add(items, rows, whole="case_id")
        self._read.update({(plan.case_id, row["item_code"]): _snapshot({k: row[k] for k in MUTABLE})
                           for row in rows})
        self._plans[plan.case_id] = (plan, context)

    def lock(self, case_ids: list[str]) -> None:
        """Read and lock several plans (in case-id order) with one statement for the cases and one for their
        items; `get_for_update` then answers from what was read."""
        found = self.rows.load(cases, "case_id", case_ids, "case_id", lock=True)
        self.rows.load(items, "case_id", [c for c in found if found[c]], "case_id", "position")

    def get_for_update(self, case_id: str) -> tuple[Plan, dict] | None:
        if case_id in self._plans:
            return self._plans[case_id]
        row = self.rows.get(cases, {"case_id": case_id}, lock=True)
        if row is None:
            return None
        plan_items = {r.item_code: _plan_item(r) for r in self.rows.group(items, "case_id", case_id, "position")}
        self._read.update({(case_id, code): _snapshot(_mutable(case_id, item)) for code, item in plan_items.items()})
        plan = Plan(case_id, row.matter_code, plan_items, row.status, dict(row.joint_tasks or {}))
        self._plans[case_id] = (plan, dict(row.context))
        return self._plans[case_id]

    def save(self, plan: Plan, context: dict | None = None) -> None:
        """Map the plan onto its rows (written at commit, however often it was saved)."""
        previous = self._plans.get(plan.case_id)
        self._plans[plan.case_id] = (plan, context if context is not None else previous[1] if previous else {})
        values = {"status": plan.status, "joint_tasks": plan.joint_tasks, "updated_at": utcnow()}
        self.rows.update(cases, {"case_id": plan.case_id},
                         {**values, **({"context": context} if context is not None else {})})
        for item in plan.items.values():
            values = _mutable(plan.case_id, item)
            snapshot = _snapshot(values)
            if self._read.get((plan.case_id, item.code)) != snapshot:  # unchanged since read: no UPDATE
                self.rows.update(items, {"case_id": plan.case_id, "item_code": item.code}, values)
                self._read[(plan.case_id, item.code)] = snapshot


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
