"""Oversight's repositories: the timeline and the folded cases; warnings, ratings and rectification tasks."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import bindparam, case, func, or_, select, update

from services.oversight.audit import SqlAuditRepository
from services.oversight.commitments import SqlCommitmentRepository
from services.oversight.domain import CLOSED, CaseState, Fact
from services.oversight.signin import REPOSITORIES as SIGN_IN
from services.oversight.staff_repository import REPOSITORIES as STAFF
from services.oversight.tables import TABLES, cases, metadata, ratings, rectifications, timeline, warnings
from shared.db import prebuilt
from shared.rows import Rows

__all__ = ["REPOSITORIES", "TABLES", "metadata"]


class SqlOversightRepository:
    """The timeline and the folded cases, on the unit of work's rows (shared.rows): `save_state` is held, so a
    batch's cases are written together at commit."""

    def __init__(self, rows: Rows):
        self.rows = rows

    def record_many(self, rows: list[dict]) -> None:
        """Add timeline entries in one statement; an event id already there is skipped."""
        self.rows.insert_new(timeline, rows, "event_id")

    def facts_of(self, case_ids: list[str]) -> dict[str, list[Fact]]:
        """The timelines of several cases, read with one statement."""
        facts: dict[str, list[Fact]] = {}
        for case_id, rows in self.rows.load(timeline, "case_id", case_ids).items():
            facts[case_id] = [Fact(event_id=r.event_id, event_type=r.event_type, occurred_at=r.occurred_at,
                                   payload=r.body) for r in rows]
        return facts

    def timeline(self, case_id: str) -> list:
        return list(self.rows.execute(select(timeline).where(timeline.c.case_id == case_id)))

    def lock_cases(self, case_ids: list[str]) -> dict:
        """The cases' rows, created where missing and locked until commit (in case-id order, so replicas cannot
        deadlock), so one fold of a case runs at a time. One statement for all of them."""
        insert = self.rows.insert_construct

        def build():
            upsert = insert(cases).values(case_id=bindparam("case_id"), status="submitted")
            # an existing row is "updated" to itself, which locks it, and returned either way
            return upsert.on_conflict_do_update(index_elements=[cases.c.case_id],
                                                set_={"case_id": upsert.excluded.case_id}).returning(*cases.c)
        rows = self.rows.execute(prebuilt(("lock case", insert), build), [{"case_id": c} for c in sorted(case_ids)])
        return {row.case_id: row for row in rows}

    def case(self, case_id: str):
        return self.rows.get(cases, {"case_id": case_id})

    def save_state(self, state: CaseState, lead_department: str | None, due_date: date | None,
                   on_time: bool | None, working_days: int | None) -> None:
        self.rows.update(cases, {"case_id": state.case_id}, dict(
            on_time=on_time, working_days=working_days,
            matter_code=state.matter_code, channel=state.channel, status=state.status,
            submitted_at=state.submitted_at, accepted_at=state.accepted_at, completed_at=state.completed_at,
            region_code=state.region_code, level=state.level, lead_department=lead_department,
            due_date=due_date, closed_at=state.closed_at, last_event_at=state.last_event_at,
            state=state.model_dump(mode="json")))

    def open_case_ids(self) -> list[str]:
        query = select(cases.c.case_id).where(cases.c.status.not_in(CLOSED), cases.c.accepted_at.is_not(None))
        return list(self.rows.execute(query.order_by(cases.c.case_id)).scalars())

    def states_between(self, start: datetime, end: datetime) -> list[CaseState]:
        """Cases with any event in [start, end)."""
        first = func.coalesce(cases.c.submitted_at, cases.c.accepted_at, cases.c.last_event_at)
        query = select(cases.c.state).where(cases.c.state.is_not(None), first < end,
                                            cases.c.last_event_at >= start)
        return [CaseState.model_validate(s) for s in self.rows.execute(query).scalars()]

    def states(self, case_ids: list[str]) -> dict[str, CaseState]:
        rows = self.rows.execute(select(cases.c.case_id, cases.c.state).where(cases.c.case_id.in_(case_ids)))
        return {r.case_id: CaseState.model_validate(r.state) for r in rows if r.state}

    def counts(self) -> list:
        return list(self.rows.execute(select(cases.c.matter_code, cases.c.status, cases.c.channel, func.count())
                                         .group_by(cases.c.matter_code, cases.c.status, cases.c.channel)))

    def on_time_counts(self) -> list:
        concluded = cases.c.on_time.is_not(None)
        return list(self.rows.execute(
            select(cases.c.matter_code, func.sum(case((cases.c.on_time, 1), else_=0)), func.count())
            .where(concluded).group_by(cases.c.matter_code)))


class SqlSupervisionRepository:
    def __init__(self, rows: Rows):
        self.rows = rows

    def warning(self, case_id: str, scope: str, subject: str, level: str):
        return self.rows.execute(select(warnings).where(
            warnings.c.case_id == case_id, warnings.c.scope == scope, warnings.c.subject == subject,
            warnings.c.level == level)).first()

    def add_warning(self, row: dict) -> None:
        self.rows.execute(warnings.insert().values(**row))

    def close_warnings(self, case_id: str, status: str, at: datetime, scope: str | None = None,
                       subjects: list[str] | None = None, level: str | None = None) -> int:
        conditions = [warnings.c.case_id == case_id, warnings.c.status == "open"]
        if scope is not None:
            conditions.append(warnings.c.scope == scope)
        if subjects is not None:
            conditions.append(warnings.c.subject.in_(subjects))
        if level is not None:
            conditions.append(warnings.c.level == level)
        return self.rows.execute(update(warnings).where(*conditions).values(status=status, closed_at=at)).rowcount

    def open_warning_subjects_of(self, case_ids: list[str]) -> dict[str, list[tuple[str, str]]]:
        """(scope, subject) of the open warnings of several cases, read with one statement."""
        query = prebuilt(("open warnings of",), lambda: select(
            warnings.c.case_id, warnings.c.scope, warnings.c.subject).where(
            warnings.c.case_id.in_(bindparam("ids", expanding=True)), warnings.c.status == "open"))
        found: dict[str, list[tuple[str, str]]] = {}
        for r in self.rows.execute(query, {"ids": case_ids}):
            found.setdefault(r.case_id, []).append((r.scope, r.subject))
        return found

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
        return list(self.rows.execute(query.order_by(warnings.c.raised_at.desc(), warnings.c.warning_id)
                                         .limit(limit)))

    def open_warning_counts(self) -> list:
        return list(self.rows.execute(select(warnings.c.level, warnings.c.scope, warnings.c.department, func.count())
                                         .where(warnings.c.status == "open")
                                         .group_by(warnings.c.level, warnings.c.scope, warnings.c.department)))

    def rating(self, case_id: str):
        return self.rows.execute(select(ratings).where(ratings.c.case_id == case_id)).first()

    def add_rating(self, row: dict) -> None:
        self.rows.execute(ratings.insert().values(**row))

    def ratings_between(self, start: date, end: date) -> list:
        return list(self.rows.execute(select(ratings).where(ratings.c.rated_on >= start, ratings.c.rated_on < end)
                                         .order_by(ratings.c.rated_at.desc())))

    def add_rectification(self, row: dict) -> None:
        self.rows.execute(rectifications.insert().values(**row))

    def rectification(self, task_id: str, for_update: bool = False):
        query = select(rectifications).where(rectifications.c.task_id == task_id)
        return self.rows.execute(query.with_for_update() if for_update else query).first()

    def rectifications(self, status: str | None = None, department: str | None = None) -> list:
        query = select(rectifications)
        if status is not None:
            query = query.where(rectifications.c.status == status)
        if department is not None:
            query = query.where(rectifications.c.department == department)
        return list(self.rows.execute(query.order_by(rectifications.c.due_date, rectifications.c.task_id)))

    def rectifications_touching(self, start: date, end: date) -> list:
        return list(self.rows.execute(select(rectifications).where(or_(
            (rectifications.c.opened_on >= start) & (rectifications.c.opened_on < end),
            (rectifications.c.closed_on >= start) & (rectifications.c.closed_on < end)))))

    def close_rectification(self, task_id: str, closed_on: date, note: str, closed_by: str) -> None:
        self.rows.execute(update(rectifications).where(rectifications.c.task_id == task_id)
                             .values(status="closed", closed_on=closed_on, note=note, closed_by=closed_by))


REPOSITORIES = {"oversight": SqlOversightRepository, "supervision": SqlSupervisionRepository,
                "commitments": SqlCommitmentRepository,
                "audit": SqlAuditRepository, **SIGN_IN, **STAFF}
