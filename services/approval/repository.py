"""Approval's tables: one task per approval request (decided once), the e-license registry, the seal keys."""
from __future__ import annotations

from datetime import date

from sqlalchemy import (
    JSON,
    Column,
    Date,
    DateTime,
    Integer,
    MetaData,
    String,
    Table,
    UniqueConstraint,
    bindparam,
    exists,
    select,
    update,
)

from services.approval.domain import CANCELLED, CLAIMED, DECIDED, PENDING, SUSPENDED
from shared.db import prebuilt
from shared.messaging import messaging_tables, utcnow
from shared.rows import Rows

metadata = MetaData()
TABLES = messaging_tables(metadata, "approval")

tasks = Table(
    "approval_tasks", metadata,
    Column("request_id", String(200), primary_key=True),
    Column("case_id", String(64), nullable=False, index=True),
    Column("item_code", String(100), nullable=False),
    Column("department", String(100), nullable=False, index=True),
    Column("status", String(32), nullable=False),
    Column("decision", String(32), nullable=True),
    Column("reasons", JSON, nullable=False),
    Column("decided_by", String(100), nullable=True),
    Column("request", JSON, nullable=False),
    Column("received_at", DateTime(timezone=True), nullable=False),
    Column("decided_at", DateTime(timezone=True), nullable=True),
    Column("unit", String(20), nullable=True),
    Column("round", Integer, nullable=False, server_default="1"),
    Column("due_date", Date, nullable=True),
    Column("claimed_by", String(100), nullable=True),
    Column("claimed_at", DateTime(timezone=True), nullable=True),
    Column("licenses", JSON, nullable=False, server_default="[]"),
    Column("note", String(500), nullable=True),
)
licenses = Table(
    "approval_licenses", metadata,
    Column("number", String(64), primary_key=True),
    Column("holder_id", String(32), nullable=False, index=True),
    Column("license_type", String(100), nullable=False, index=True),
    Column("department", String(100), nullable=False),
    Column("request_id", String(200), nullable=False, unique=True),
    Column("case_id", String(64), nullable=False),
    Column("issued_on", Date, nullable=False),
    Column("valid_until", Date, nullable=True),
    Column("status", String(16), nullable=False),
    Column("content", JSON, nullable=False),
    Column("seal", JSON, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)
license_changes = Table(
    "approval_license_changes", metadata,
    Column("change_id", String(100), primary_key=True),  # <number>:<serial>
    Column("number", String(64), nullable=False, index=True),
    Column("serial", Integer, nullable=False),
    Column("action", String(16), nullable=False),
    Column("reason", String(500), nullable=False),
    Column("changed_on", Date, nullable=False),
    Column("changed_by", String(100), nullable=False),
    Column("replaced_by", String(64), nullable=True),
    Column("record", JSON, nullable=False),  # the sealed record's content
    Column("seal", JSON, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)
seal_keys = Table(
    "approval_seal_keys", metadata,
    Column("key_id", String(32), primary_key=True),
    Column("department", String(100), nullable=False),
    Column("serial", Integer, nullable=False),
    Column("public_key", String(64), nullable=False),
    Column("private_key", String(64), nullable=True),  # none for an operator's key: it stays in their secret store
    Column("source", String(16), nullable=False),
    Column("valid_from", DateTime(timezone=True), nullable=False),
    Column("retired_at", DateTime(timezone=True), nullable=True),
    UniqueConstraint("department", "serial", name="uq_approval_seal_keys_department_serial"),
)


class SqlTaskRepository:
    """Tasks on the unit of work's rows (shared.rows): their updates are held, so a batch's decisions are
    written together at commit; a task inserted or read in this transaction is answered from memory."""

    def __init__(self, rows: Rows):
        self.rows = rows
        self._registered: dict[str, bool] = {}  # by `register`, for the `add_new` call to come: was it new

    def get(self, request_id: str, for_update: bool = False):
        return self.rows.get(tasks, {"request_id": request_id}, lock=for_update)

    def add_new(self, request_id: str, case_id: str, item_code: str, department: str, request: dict,
                status: str = PENDING) -> bool:
        """Insert the task unless one with this request id exists (then False): one statement either way."""
        if request_id in self._registered:
            return self._registered.pop(request_id)  # inserted (or found) by `register` for this very call
        row = _task_row(request_id, case_id, item_code, department, request, status)
        return bool(self.rows.insert_new(tasks, [row]))

    def register(self, requests: list[tuple[str, str, str, str, dict]]) -> None:
        """Insert several requests' tasks in one statement, ahead of the `add_new` calls that will ask for them
        (in this order, once each); those calls then answer without a statement of their own."""
        inserted = {row.request_id for row in self.rows.insert_new(tasks, [_task_row(*r) for r in requests])}
        self._registered.update({r[0]: r[0] in inserted for r in requests})

    def reopen(self, request_id: str, request: dict) -> None:
        self._set(request_id, status=PENDING, request=request, round=request["round"],
                  due_date=_date(request.get("due_date")), claimed_by=None, claimed_at=None)

    def claim(self, request_id: str, clerk: str) -> None:
        self._set(request_id, status=CLAIMED, claimed_by=clerk, claimed_at=utcnow())

    def decide(self, request_id: str, decision: str, reasons: list[str], decided_by: str,
               license_numbers: list[str] = ()) -> None:
        status = SUSPENDED if decision == "supplement_requested" else DECIDED
        self._set(request_id, status=status, decision=decision, reasons=reasons, decided_by=decided_by,
                  decided_at=utcnow(), licenses=list(license_numbers))

    def cancel(self, request_id: str, note: str) -> None:
        self._set(request_id, status=CANCELLED, note=note[:500])

    def set_request(self, request_id: str, request: dict) -> None:
        self._set(request_id, request=request)

    def of_case(self, case_id: str, for_update: bool = False) -> list:
        """The case's tasks in request-id order (locked in that order with `for_update`)."""
        return self.rows.load(tasks, "case_id", [case_id], "request_id", lock=for_update)[case_id]

    def _set(self, request_id: str, **values) -> None:
        self.rows.update(tasks, {"request_id": request_id}, values)

    def of_department(self, department: str, statuses: tuple[str, ...], limit: int = 200,
                      unit: str | None = None) -> list:
        """The department's tasks; with `unit`, only those of that township/village unit."""
        query = select(tasks).where(tasks.c.department == department, tasks.c.status.in_(statuses))
        if unit is not None:
            query = query.where(tasks.c.unit == unit)
        query = query.order_by(tasks.c.due_date, tasks.c.received_at).limit(limit)
        return list(self.rows.execute(query))


class SqlLicenseRegistry:
    def __init__(self, rows: Rows):
        self.rows = rows

    def add(self, row: dict) -> None:
        self.rows.insert(licenses, {**row, "created_at": utcnow()})

    def get(self, number: str, for_update: bool = False):
        return self.rows.get(licenses, {"number": number}, lock=for_update)

    def change(self, number: str, values: dict, record: dict, seal: dict, changed_by: str) -> None:
        """Set the license's new `values` (status; content and seal when corrected) and keep the sealed record."""
        serial = len(self.changes_of(number)) + 1
        self.rows.update(licenses, {"number": number}, values)
        self.rows.insert(license_changes, {
            "change_id": f"{number}:{serial}", "number": number, "serial": serial, "action": record["action"],
            "reason": record["reason"], "changed_on": date.fromisoformat(record["changed_on"]),
            "changed_by": changed_by, "replaced_by": record.get("replaced_by"), "record": record, "seal": seal,
            "created_at": utcnow()})

    def changes_of(self, number: str) -> list:
        query = select(license_changes).where(license_changes.c.number == number)
        return list(self.rows.execute(query.order_by(license_changes.c.serial)))

    def of_holder(self, holder_id: str, license_type: str | None = None) -> list:
        query = select(licenses).where(licenses.c.holder_id == holder_id)
        if license_type:
            query = query.where(licenses.c.license_type == license_type)
        return list(self.rows.execute(query.order_by(licenses.c.issued_on, licenses.c.number)))

    def holds(self, holder_id: str, license_type: str) -> bool:
        query = prebuilt(("holds license",), lambda: select(exists().where(
            licenses.c.holder_id == bindparam("holder"), licenses.c.license_type == bindparam("type"),
            licenses.c.status == "valid")))
        return self.rows.execute(query, {"holder": holder_id, "type": license_type}).scalar_one()


class SqlSealKeys:
    """A department's e-seal keys, oldest first; at most one per (department, serial), so replicas that
    generate a department's first key at once keep one of them."""

    def __init__(self, rows: Rows):
        self.rows = rows

    def of_department(self, department: str, for_update: bool = False) -> list:
        query = select(seal_keys).where(seal_keys.c.department == department).order_by(seal_keys.c.serial)
        return list(self.rows.execute(query.with_for_update() if for_update else query))

    def add(self, row: dict) -> bool:
        """Insert the key unless its id or its serial exists already (then False)."""
        return bool(self.rows.insert_new(seal_keys, [row], "key_id"))

    def retire(self, key_id: str, at) -> None:
        self.rows.execute(update(seal_keys).where(seal_keys.c.key_id == key_id, seal_keys.c.retired_at.is_(None))
                             .values(retired_at=at))


def _task_row(request_id: str, case_id: str, item_code: str, department: str, request: dict,
              status: str = PENDING) -> dict:
    return dict(request_id=request_id, case_id=case_id, item_code=item_code, department=department, status=status,
                reasons=[], request=request, received_at=utcnow(), unit=request.get("unit"),
                round=request.get("round", 1), due_date=_date(request.get("due_date")), licenses=[])


def _date(value) -> date | None:
    return date.fromisoformat(value) if isinstance(value, str) else value


REPOSITORIES = {"tasks": SqlTaskRepository, "licenses": SqlLicenseRegistry, "seal_keys": SqlSealKeys}
