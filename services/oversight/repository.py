"""Oversight's tables: every event of every case, the case folded from them, warnings, ratings, tasks."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (JSON, Boolean, Column, Date, DateTime, Float, Integer, MetaData, String, Table, Text,
                        UniqueConstraint, case, func, or_, select, update)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from services.oversight.domain import CLOSED, CaseState, Fact
from shared.messaging import messaging_tables

metadata = MetaData()
TABLES = messaging_tables(metadata, "oversight")

timeline = Table(
    "oversight_timeline", metadata,
    Column("event_id", String(36), primary_key=True),
    Column("case_id", String(64), nullable=False, index=True),
    Column("event_type", String(64), nullable=False),
    Column("occurred_at", DateTime(timezone=True), nullable=False),
    Column("actor", String(100), nullable=False),
    Column("body", JSON, nullable=False),
)
cases = Table(
    "oversight_cases", metadata,
    Column("case_id", String(64), primary_key=True),
    Column("matter_code", String(100), nullable=True, index=True),
    Column("channel", String(20), nullable=True),
    Column("status", String(32), nullable=False),
    Column("submitted_at", DateTime(timezone=True), nullable=True),
    Column("accepted_at", DateTime(timezone=True), nullable=True),
    Column("completed_at", DateTime(timezone=True), nullable=True),
    Column("region_code", String(12), nullable=True),
    Column("level", String(16), nullable=True),
    Column("lead_department", String(100), nullable=True),
    Column("due_date", Date, nullable=True),
    Column("closed_at", DateTime(timezone=True), nullable=True),
    Column("on_time", Boolean, nullable=True),
    Column("working_days", Integer, nullable=True),
    Column("last_event_at", DateTime(timezone=True), nullable=True, index=True),
    Column("state", JSON, nullable=True),
)
warnings = Table(
    "oversight_warnings", metadata,
    Column("warning_id", String(36), primary_key=True),
    Column("case_id", String(64), nullable=False, index=True),
    Column("scope", String(16), nullable=False),
    Column("subject", String(100), nullable=False),
    Column("level", String(8), nullable=False),
    Column("department", String(100), nullable=False),
    Column("due_date", Date, nullable=False),
    Column("provisional", Boolean, nullable=False),
    Column("used_share", Float, nullable=False),
    Column("raised_on", Date, nullable=False),
    Column("raised_at", DateTime(timezone=True), nullable=False),
    Column("status", String(16), nullable=False, index=True),
    Column("closed_at", DateTime(timezone=True), nullable=True),
    UniqueConstraint("case_id", "scope", "subject", "level", name="uq_oversight_warnings_once"),
)
ratings = Table(
    "oversight_ratings", metadata,
    Column("case_id", String(64), primary_key=True),
    Column("score", Integer, nullable=False),
    Column("dimensions", JSON, nullable=False),
    Column("comment", Text, nullable=False),
    Column("rated_at", DateTime(timezone=True), nullable=False),
    Column("rated_on", Date, nullable=False, index=True),
)
rectifications = Table(
    "oversight_rectifications", metadata,
    Column("task_id", String(80), primary_key=True),
    Column("case_id", String(64), nullable=False, unique=True),
    Column("department", String(100), nullable=False),
    Column("score", Integer, nullable=False),
    Column("opened_on", Date, nullable=False),
    Column("budget_days", Integer, nullable=False),
    Column("due_date", Date, nullable=False),
    Column("status", String(16), nullable=False, index=True),
    Column("closed_on", Date, nullable=True),
    Column("note", Text, nullable=False),
)


class SqlOversightRepository:
    def __init__(self, session: Session):
        self.session = session

    def record(self, row: dict) -> bool:
        """Add a timeline entry unless its event id is already there; True when added."""
        return self._insert_new(timeline, row)

    def facts(self, case_id: str) -> list[Fact]:
        rows = self.session.execute(select(timeline).where(timeline.c.case_id == case_id))
        return [Fact(event_id=r.event_id, event_type=r.event_type, occurred_at=r.occurred_at, payload=r.body)
                for r in rows]

    def timeline(self, case_id: str) -> list:
        return list(self.session.execute(select(timeline).where(timeline.c.case_id == case_id)))

    def lock_case(self, case_id: str):
        """The case row, created if missing and locked until commit, so one fold runs at a time."""
        self._insert_new(cases, {"case_id": case_id, "status": "submitted"})
        return self.session.execute(select(cases).where(cases.c.case_id == case_id).with_for_update()).first()

    def case(self, case_id: str):
        return self.session.execute(select(cases).where(cases.c.case_id == case_id)).first()

    def save_state(self, state: CaseState, lead_department: str | None, due_date: date | None,
                   on_time: bool | None, working_days: int | None) -> None:
        self.session.execute(update(cases).where(cases.c.case_id == state.case_id).values(
            on_time=on_time, working_days=working_days,
            matter_code=state.matter_code, channel=state.channel, status=state.status,
            submitted_at=state.submitted_at, accepted_at=state.accepted_at, completed_at=state.completed_at,
            region_code=state.region_code, level=state.level, lead_department=lead_department,
            due_date=due_date, closed_at=state.closed_at, last_event_at=state.last_event_at,
            state=state.model_dump(mode="json")))

    def open_case_ids(self) -> list[str]:
        query = select(cases.c.case_id).where(cases.c.status.not_in(CLOSED), cases.c.accepted_at.is_not(None))
        return list(self.session.scalars(query.order_by(cases.c.case_id)))

    def states_between(self, start: datetime, end: datetime) -> list[CaseState]:
        """Cases with any event in [start, end)."""
        first = func.coalesce(cases.c.submitted_at, cases.c.accepted_at, cases.c.last_event_at)
        query = select(cases.c.state).where(cases.c.state.is_not(None), first < end,
                                            cases.c.last_event_at >= start)
        return [CaseState.model_validate(s) for s in self.session.scalars(query)]

    def states(self, case_ids: list[str]) -> dict[str, CaseState]:
        rows = self.session.execute(select(cases.c.case_id, cases.c.state).where(cases.c.case_id.in_(case_ids)))
        return {r.case_id: CaseState.model_validate(r.state) for r in rows if r.state}

    def counts(self) -> list:
        return list(self.session.execute(select(cases.c.matter_code, cases.c.status, cases.c.channel, func.count())
                                         .group_by(cases.c.matter_code, cases.c.status, cases.c.channel)))

    def on_time_counts(self) -> list:
        concluded = cases.c.on_time.is_not(None)
        return list(self.session.execute(
            select(cases.c.matter_code, func.sum(case((cases.c.on_time, 1), else_=0)), func.count())
            .where(concluded).group_by(cases.c.matter_code)))

    def received_between(self, start: datetime, end: datetime) -> list:
        first = func.coalesce(cases.c.submitted_at, cases.c.accepted_at)
        return list(self.session.execute(select(cases).where(first >= start, first < end)))

    # warnings
    def warning(self, case_id: str, scope: str, subject: str, level: str):
        return self.session.execute(select(warnings).where(
            warnings.c.case_id == case_id, warnings.c.scope == scope, warnings.c.subject == subject,
            warnings.c.level == level)).first()

    def add_warning(self, row: dict) -> None:
        self.session.execute(warnings.insert().values(**row))

    def close_warnings(self, case_id: str, status: str, at: datetime, scope: str | None = None,
                       subjects: list[str] | None = None, level: str | None = None) -> int:
        conditions = [warnings.c.case_id == case_id, warnings.c.status == "open"]
        if scope is not None:
            conditions.append(warnings.c.scope == scope)
        if subjects is not None:
            conditions.append(warnings.c.subject.in_(subjects))
        if level is not None:
            conditions.append(warnings.c.level == level)
        return self.session.execute(update(warnings).where(*conditions).values(status=status, closed_at=at)).rowcount

    def open_warning_subjects(self, case_id: str) -> list:
        return list(self.session.execute(select(warnings.c.scope, warnings.c.subject).where(
            warnings.c.case_id == case_id, warnings.c.status == "open")))

    def warnings(self, status: str | None = None, level: str | None = None, department: str | None = None,
                 raised_from: date | None = None, raised_before: date | None = None, limit: int = 1000) -> list:
        query = select(warnings)
        for column, value in ((warnings.c.status, status), (warnings.c.level, level),
                              (warnings.c.department, department)):
            if value is not None:
                query = query.where(column == value)
        if raised_from is not None:
            query = query.where(warnings.c.raised_on >= raised_from)
        if raised_before is not None:
            query = query.where(warnings.c.raised_on < raised_before)
        return list(self.session.execute(query.order_by(warnings.c.raised_at.desc(), warnings.c.warning_id)
                                         .limit(limit)))

    def open_warning_counts(self) -> list:
        return list(self.session.execute(select(warnings.c.level, warnings.c.scope, warnings.c.department, func.count())
                                         .where(warnings.c.status == "open")
                                         .group_by(warnings.c.level, warnings.c.scope, warnings.c.department)))

    # ratings and rectification tasks
    def rating(self, case_id: str):
        return self.session.execute(select(ratings).where(ratings.c.case_id == case_id)).first()

    def add_rating(self, row: dict) -> None:
        self.session.execute(ratings.insert().values(**row))

    def ratings_between(self, start: date, end: date) -> list:
        return list(self.session.execute(select(ratings).where(ratings.c.rated_on >= start, ratings.c.rated_on < end)
                                         .order_by(ratings.c.rated_at.desc())))

    def add_rectification(self, row: dict) -> None:
        self.session.execute(rectifications.insert().values(**row))

    def rectification(self, task_id: str, for_update: bool = False):
        query = select(rectifications).where(rectifications.c.task_id == task_id)
        return self.session.execute(query.with_for_update() if for_update else query).first()

    def rectifications(self, status: str | None = None) -> list:
        query = select(rectifications)
        if status is not None:
            query = query.where(rectifications.c.status == status)
        return list(self.session.execute(query.order_by(rectifications.c.due_date, rectifications.c.task_id)))

    def rectifications_touching(self, start: date, end: date) -> list:
        return list(self.session.execute(select(rectifications).where(or_(
            (rectifications.c.opened_on >= start) & (rectifications.c.opened_on < end),
            (rectifications.c.closed_on >= start) & (rectifications.c.closed_on < end)))))

    def close_rectification(self, task_id: str, closed_on: date, note: str) -> None:
        self.session.execute(update(rectifications).where(rectifications.c.task_id == task_id)
                             .values(status="closed", closed_on=closed_on, note=note))

    def _insert_new(self, table: Table, row: dict) -> bool:
        dialect = self.session.get_bind().dialect.name
        insert = pg_insert if dialect == "postgresql" else sqlite_insert
        result = self.session.execute(insert(table).values(**row).on_conflict_do_nothing())
        return result.rowcount == 1


REPOSITORIES = {"oversight": SqlOversightRepository}
