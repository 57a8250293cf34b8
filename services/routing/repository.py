"""Routing's tables and the plan repository (the case row is locked while a decision is recorded)."""
from __future__ import annotations

from sqlalchemy import JSON, Column, DateTime, Integer, MetaData, String, Table, select
from sqlalchemy.orm import Session

from services.routing.domain import Plan, PlanItem
from shared.messaging import messaging_tables, utcnow

metadata = MetaData()
TABLES = messaging_tables(metadata, "routing")

cases = Table(
    "routing_cases", metadata,
    Column("case_id", String(64), primary_key=True),
    Column("matter_code", String(100), nullable=False),
    Column("status", String(32), nullable=False),
    Column("context", JSON, nullable=False),
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
)


class SqlPlanRepository:
    def __init__(self, session: Session):
        self.session = session

    def exists(self, case_id: str) -> bool:
        return self.session.execute(select(cases.c.case_id).where(cases.c.case_id == case_id)).first() is not None

    def add(self, plan: Plan, context: dict) -> None:
        now = utcnow()
        self.session.execute(cases.insert().values(case_id=plan.case_id, matter_code=plan.matter_code,
                                                   status=plan.status, context=context,
                                                   created_at=now, updated_at=now))
        self.session.execute(items.insert(), [_item_row(plan.case_id, n, i) for n, i in enumerate(plan.items.values())])

    def get_for_update(self, case_id: str) -> tuple[Plan, dict] | None:
        row = self.session.execute(select(cases).where(cases.c.case_id == case_id).with_for_update()).first()
        if row is None:
            return None
        rows = self.session.execute(select(items).where(items.c.case_id == case_id).order_by(items.c.position))
        plan_items = {r.item_code: PlanItem(r.item_code, r.name, r.department, list(r.prerequisites),
                                            r.promised_days, list(r.fields), r.status, list(r.licenses),
                                            list(r.reasons)) for r in rows}
        return Plan(case_id, row.matter_code, plan_items, row.status), dict(row.context)

    def save(self, plan: Plan) -> None:
        self.session.execute(cases.update().where(cases.c.case_id == plan.case_id)
                             .values(status=plan.status, updated_at=utcnow()))
        for item in plan.items.values():
            self.session.execute(items.update().where(items.c.case_id == plan.case_id,
                                                      items.c.item_code == item.code)
                                 .values(status=item.status, licenses=item.licenses, reasons=item.reasons))


def _item_row(case_id: str, position: int, item: PlanItem) -> dict:
    return {"case_id": case_id, "item_code": item.code, "position": position, "name": item.name,
            "department": item.department, "prerequisites": item.prerequisites,
            "promised_days": item.promised_days, "fields": item.fields, "status": item.status,
            "licenses": item.licenses, "reasons": item.reasons}


REPOSITORIES = {"plans": SqlPlanRepository}
