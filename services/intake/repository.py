"""Intake's tables: the cases it took in, and its read model of their items and delivery."""
from __future__ import annotations

from sqlalchemy import JSON, Boolean, Column, Date, DateTime, Integer, MetaData, String, Table, select
from sqlalchemy.orm import Session

from shared.db import execute_update, select_by
from shared.messaging import messaging_tables, utcnow

metadata = MetaData()
TABLES = messaging_tables(metadata, "intake")

cases = Table(
    "intake_cases", metadata,
    Column("case_id", String(64), primary_key=True),
    Column("idempotency_key", String(200), unique=True, nullable=True),
    Column("request_hash", String(64), nullable=False),
    Column("lookup_code", String(12), nullable=False),
    Column("matter_code", String(100), nullable=False, index=True),
    Column("catalog_version", String(40), nullable=False),
    Column("status", String(32), nullable=False),
    Column("channel", String(20), nullable=False),
    Column("region_code", String(12), nullable=False),
    Column("client", String(100), nullable=False),
    Column("applicant", JSON, nullable=False),
    Column("situations", JSON, nullable=False),
    Column("form", JSON, nullable=False),
    Column("materials", JSON, nullable=False),
    Column("delivery", JSON, nullable=False),
    Column("commitment", Boolean, nullable=False),
    Column("warnings", JSON, nullable=False),
    Column("submitted_on", Date, nullable=False),
    Column("accepted_on", Date, nullable=True),
    Column("accepted_by", String(100), nullable=True),
    Column("notice", JSON, nullable=True),
    Column("notices", JSON, nullable=False, default=list),
    Column("deferred", JSON, nullable=False, default=list),
    Column("holder_id", String(18), nullable=True, index=True),
    Column("promised_days", Integer, nullable=False),
    Column("due_date", Date, nullable=True),
    Column("due_provisional", Boolean, nullable=False, default=False),
    Column("outcome", JSON, nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)
files = Table(
    "intake_files", metadata,
    Column("file_ref", String(64), primary_key=True),
    Column("sha256", String(64), nullable=False),
    Column("size", Integer, nullable=False),
    Column("content_type", String(100), nullable=False),
    Column("client", String(100), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)
licenses = Table(
    "intake_known_licenses", metadata,
    Column("number", String(100), primary_key=True),
    Column("holder_id", String(18), nullable=False, index=True),
    Column("license_type", String(100), nullable=False),
    Column("valid_until", Date, nullable=True),
)
case_items = Table(
    "intake_case_items", metadata,
    Column("case_id", String(64), primary_key=True),
    Column("item_code", String(100), primary_key=True),
    Column("position", Integer, nullable=False),
    Column("name", String(200), nullable=False),
    Column("department", String(100), nullable=False),
    Column("status", String(32), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)


class SqlCaseRepository:
    def __init__(self, session: Session):
        self.session = session

    def by_idempotency_key(self, key: str):
        return self.session.execute(select_by(cases, "idempotency_key"), {"idempotency_key": key}).first()

    def get(self, case_id: str, for_update: bool = False):
        return self.session.execute(select_by(cases, "case_id", for_update=for_update), {"case_id": case_id}).first()

    def add(self, row: dict, items: list[dict]) -> None:
        now = utcnow()
        self.session.execute(cases.insert().values(**row, created_at=now, updated_at=now))
        self.session.execute(case_items.insert(), [dict(i, updated_at=now) for i in items])

    def update(self, case_id: str, **values) -> None:
        execute_update(self.session, cases, {"case_id": case_id}, {**values, "updated_at": utcnow()})

    def waiting_for_review(self, limit: int = 200) -> list:
        return list(self.session.execute(select(cases).where(cases.c.status.in_(("submitted",
                                                                                  "correction_requested")))
                                         .order_by(cases.c.created_at).limit(limit)))

    def submitted_before(self, day) -> list:
        return list(self.session.execute(select(cases.c.case_id).where(cases.c.status == "submitted",
                                                                       cases.c.submitted_on <= day)))

    def add_file(self, **row) -> None:
        self.session.execute(files.insert().values(**row, created_at=utcnow()))

    def file_digests(self, refs: list[str]) -> dict[str, str]:
        rows = self.session.execute(select(files.c.file_ref, files.c.sha256).where(files.c.file_ref.in_(refs)))
        return dict(rows.all())

    def license_types(self, holder_id: str | None, today) -> set[str]:
        if not holder_id:
            return set()
        rows = self.session.execute(select(licenses.c.license_type).where(
            licenses.c.holder_id == holder_id,
            (licenses.c.valid_until.is_(None)) | (licenses.c.valid_until >= today)))
        return {r[0] for r in rows}

    def remember_license(self, number: str, holder_id: str, license_type: str, valid_until) -> None:
        if self.session.execute(select(licenses.c.number).where(licenses.c.number == number)).first() is None:
            self.session.execute(licenses.insert().values(number=number, holder_id=holder_id,
                                                          license_type=license_type, valid_until=valid_until))

    def items(self, case_id: str) -> list:
        return list(self.session.execute(select_by(case_items, "case_id", order_by="position"), {"case_id": case_id}))

    def set_item_status(self, case_id: str, item_code: str, status: str) -> None:
        execute_update(self.session, case_items, {"case_id": case_id, "item_code": item_code},
                       {"status": status, "updated_at": utcnow()})


REPOSITORIES = {"cases": SqlCaseRepository}
