"""Intake's tables: the cases it took in, and its read model of their items and delivery."""
from __future__ import annotations

from types import SimpleNamespace

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    Integer,
    MetaData,
    String,
    Table,
    UniqueConstraint,
    bindparam,
    select,
)

from shared.attempt_log import attempt_log, attempts_table
from shared.db import prebuilt
from shared.messaging import messaging_tables, utcnow
from shared.rows import Rows

metadata = MetaData()
TABLES = messaging_tables(metadata, "intake")

cases = Table(
    "intake_cases", metadata,
    Column("case_id", String(64), primary_key=True),
    Column("idempotency_key", String(200), nullable=True),
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
    Column("holder_kind", String(8), nullable=True),  # person (also a founder) or company: what holder_id is
    Column("promised_days", Integer, nullable=False),
    Column("due_date", Date, nullable=True),
    Column("due_provisional", Boolean, nullable=False, default=False),
    Column("outcome", JSON, nullable=True),
    Column("material_sources", JSON, nullable=True),  # material code -> the library or exchange that supplied it
    Column("lookup", JSON, nullable=True),            # the wait for a library that was down (see acceptance.hold)
    Column("lookup_pending", Boolean, nullable=False, default=False, index=True),
    Column("taking_point", JSON, nullable=True),      # the hall, service point or bank branch that took it
    Column("commitment_witness", String(200), nullable=True),  # the clerk who witnessed the signed commitment
    Column("language", String(8), nullable=False, default="zh", server_default="zh"),  # the applicant's: zh, mn
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("client", "idempotency_key", name="uq_intake_cases_client_idempotency_key"),
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
file_grants = Table(
    "intake_file_grants", metadata,  # a department was requested an item of a case that holds this file
    Column("file_ref", String(64), primary_key=True),
    Column("department", String(100), primary_key=True),
    Column("case_id", String(64), primary_key=True),
    Column("granted_at", DateTime(timezone=True), nullable=False),
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
# The applicant's online application (/apply, applicants.py): one-time codes kept only as keyed hashes, the
# applicants' sessions, and which verified phone (a keyed hash of it) each online case belongs to.
challenges = Table(
    "intake_applicant_challenges", metadata,
    Column("challenge_id", String(40), primary_key=True),
    Column("phone_key", String(64), nullable=False, index=True),
    Column("phone", String(20), nullable=False),  # the code's recipient; kept a day at most
    Column("code_hash", String(64), nullable=False),
    Column("created_at", Float, nullable=False),
    Column("expires_at", Float, nullable=False),
    Column("failures", Integer, nullable=False),
    Column("used", Boolean, nullable=False),
)
applicant_sessions = Table(
    "intake_applicant_sessions", metadata,
    Column("session_id", String(40), primary_key=True),
    Column("phone_key", String(64), nullable=False),
    Column("phone", String(20), nullable=False),
    Column("source", String(40), nullable=False),
    Column("created_at", Float, nullable=False),
    Column("expires_at", Float, nullable=False),
    Column("ended", Boolean, nullable=False),
)
applicant_cases = Table(
    "intake_applicant_cases", metadata,
    Column("case_id", String(64), primary_key=True),
    Column("phone_key", String(64), nullable=False, index=True),
    Column("bound_at", DateTime(timezone=True), nullable=False),
)


class SqlApplicantRepository:
    """Sign-in codes, applicant sessions and the cases bound to a verified phone (by its keyed hash)."""

    def __init__(self, rows: Rows):
        self.rows = rows

    def add_challenge(self, **row) -> None:
        self.rows.execute(challenges.insert().values(**row))

    def challenge(self, challenge_id: str):
        return self.rows.execute(select(challenges).where(challenges.c.challenge_id == challenge_id)).first()

    def challenges_since(self, phone_key: str, since: float) -> list:
        """The codes sent to one number since `since`, newest first."""
        return list(self.rows.execute(select(challenges).where(challenges.c.phone_key == phone_key,
                                                               challenges.c.created_at >= since)
                                      .order_by(challenges.c.created_at.desc())))

    def update_challenge(self, challenge_id: str, **values) -> None:
        self.rows.execute(challenges.update().where(challenges.c.challenge_id == challenge_id).values(**values))

    def forget_challenges(self, before: float) -> None:
        self.rows.execute(challenges.delete().where(challenges.c.expires_at < before))

    def add_session(self, **row) -> None:
        self.rows.execute(applicant_sessions.insert().values(**row))

    def applicant_session(self, session_id: str):
        return self.rows.execute(select(applicant_sessions)
                                 .where(applicant_sessions.c.session_id == session_id)).first()

    def end_session(self, session_id: str) -> None:
        self.rows.execute(applicant_sessions.update().where(applicant_sessions.c.session_id == session_id)
                          .values(ended=True))

    def forget_sessions(self, before: float) -> None:
        self.rows.execute(applicant_sessions.delete().where(applicant_sessions.c.expires_at < before))

    def bind(self, case_id: str, phone_key: str) -> None:
        self.rows.insert_new(applicant_cases, [{"case_id": case_id, "phone_key": phone_key, "bound_at": utcnow()}])

    def owner(self, case_id: str) -> str | None:
        found = self.rows.execute(select(applicant_cases.c.phone_key)
                                  .where(applicant_cases.c.case_id == case_id)).first()
        return found[0] if found else None

    def cases_of(self, phone_key: str, limit: int = 100) -> list[str]:
        query = select(applicant_cases.c.case_id).where(applicant_cases.c.phone_key == phone_key)
        return [r[0] for r in self.rows.execute(query.order_by(applicant_cases.c.bound_at.desc()).limit(limit))]


class SqlCaseRepository:
    """Cases and their items, mapped onto the unit of work's rows (shared.rows): a case added in this
    transaction is read and updated in memory and written with one INSERT and its final values (a submission
    pre-reviewed and accepted at once costs no read-back and no UPDATE); `lock` reads a batch's cases and items
    with one statement each."""

    def __init__(self, rows: Rows):
        self.rows = rows

    def by_idempotency_key(self, client: str, key: str):
        query = prebuilt(("intake by idempotency key",), lambda: select(cases).where(
            cases.c.client == bindparam("client"), cases.c.idempotency_key == bindparam("key")))
        return self.rows.execute(query, {"client": client, "key": key}).first()

    def lock(self, case_ids: list[str], *columns: str) -> dict[str, object]:
        """Read and lock these cases (in case-id order), only `columns` of them (with case_id) when given, and
        read their items for the `items` calls after; the rows by case id (None where there is no such case).

        The view's batches read only the few columns they fold into: a full row carries the applicant, form
        and materials as JSON, which is most of what the database sends and the driver decodes."""
        found = self.rows.load(cases, "case_id", case_ids, "case_id", lock=True, columns=columns)
        self.rows.load(case_items, "case_id", [c for c in found if found[c]], "case_id", "position")
        return {case_id: rows[0] if rows else None for case_id, rows in found.items()}

    def get(self, case_id: str, for_update: bool = False):
        return self.rows.get(cases, {"case_id": case_id}, lock=for_update)

    def add(self, row: dict, items: list[dict]) -> SimpleNamespace:
        """Hold a new case and its items; returns the case as `get` would."""
        now = utcnow()
        [case] = self.rows.add(cases, [{**row, "created_at": now, "updated_at": now}])
        self.rows.add(case_items, [dict(i, updated_at=now) for i in items], whole="case_id")
        return case

    def update(self, case_id: str, **values) -> None:
        self.rows.update(cases, {"case_id": case_id}, {**values, "updated_at": utcnow()})

    def waiting_for_review(self, limit: int = 200) -> list:
        return list(self.rows.execute(select(cases).where(cases.c.status.in_(("submitted", "correction_requested")))
                                      .order_by(cases.c.created_at).limit(limit)))

    def taken_at_window(self, limit: int = 100) -> list:
        """The newest cases taken at a hall window (the window workbench's queue), without personal data."""
        columns = (cases.c.case_id, cases.c.status, cases.c.matter_code, cases.c.submitted_on, cases.c.accepted_on,
                   cases.c.due_date, cases.c.notice, cases.c.deferred, cases.c.lookup_pending, cases.c.accepted_by,
                   cases.c.client)
        return list(self.rows.execute(select(*columns).where(cases.c.channel == "window")
                                      .order_by(cases.c.created_at.desc()).limit(limit)))

    def held_for_lookup(self, limit: int = 200) -> list:
        """Cases waiting for a library or exchange that was down, oldest first."""
        return list(self.rows.execute(select(cases.c.case_id).where(cases.c.lookup_pending.is_(True))
                                      .order_by(cases.c.created_at).limit(limit)))

    def awaiting_correction(self) -> list:
        """Cases waiting for the answer to their correction notice."""
        return list(self.rows.execute(select(cases.c.case_id).where(cases.c.status == "correction_requested")
                                      .order_by(cases.c.case_id)))

    def submitted_before(self, day) -> list:
        return list(self.rows.execute(select(cases.c.case_id).where(cases.c.status == "submitted",
                                                                    cases.c.submitted_on <= day)))

    def add_file(self, **row) -> None:
        self.rows.execute(files.insert().values(**row, created_at=utcnow()))

    def file_digests(self, refs: list[str]) -> dict[str, str]:
        if not refs:
            return {}
        # one statement per list length, not an expanding IN (SQLAlchemy renders that afresh on every call)
        query = prebuilt(("intake file digests", len(refs)), lambda: select(files.c.file_ref, files.c.sha256).where(
            files.c.file_ref.in_([bindparam(f"ref{n}") for n in range(len(refs))])))
        return dict(self.rows.execute(query, {f"ref{n}": ref for n, ref in enumerate(refs)}).all())

    def file_owners(self, refs: list[str]) -> dict[str, str]:
        """The client that uploaded each of these files (those that exist)."""
        if not refs:
            return {}
        query = prebuilt(("intake file owners", len(refs)), lambda: select(files.c.file_ref, files.c.client).where(
            files.c.file_ref.in_([bindparam(f"ref{n}") for n in range(len(refs))])))
        return dict(self.rows.execute(query, {f"ref{n}": ref for n, ref in enumerate(refs)}).all())

    def file(self, ref: str):
        return self.rows.execute(select(files).where(files.c.file_ref == ref)).first()

    def grant_files(self, grants: list[dict]) -> None:
        """Let departments read files of cases they were requested items of (kept: formerly assigned counts)."""
        if grants:
            now = utcnow()
            self.rows.insert_new(file_grants, [{**g, "granted_at": now} for g in grants])

    def granted_cases(self, ref: str, department: str) -> list[str]:
        """The cases through which `department` may read file `ref` (none: it may not)."""
        query = select(file_grants.c.case_id).where(file_grants.c.file_ref == ref,
                                                    file_grants.c.department == department)
        return [r[0] for r in self.rows.execute(query.order_by(file_grants.c.case_id))]

    def license_types(self, holder_id: str | None, today) -> set[str]:
        if not holder_id:
            return set()
        query = prebuilt(("intake license types",), lambda: select(licenses.c.license_type).where(
            licenses.c.holder_id == bindparam("holder"),
            (licenses.c.valid_until.is_(None)) | (licenses.c.valid_until >= bindparam("today"))))
        return {r[0] for r in self.rows.execute(query, {"holder": holder_id, "today": today})}

    def remember_license(self, number: str, holder_id: str, license_type: str, valid_until) -> None:
        if self.rows.execute(select(licenses.c.number).where(licenses.c.number == number)).first() is None:
            self.rows.execute(licenses.insert().values(number=number, holder_id=holder_id,
                                                       license_type=license_type, valid_until=valid_until))

    def remembered_license(self, number: str):
        return self.rows.execute(select(licenses).where(licenses.c.number == number)).first()

    def forget_license(self, number: str) -> None:
        self.rows.execute(licenses.delete().where(licenses.c.number == number))

    def items(self, case_id: str) -> list:
        return self.rows.group(case_items, "case_id", case_id, "position")

    def set_item_status(self, case_id: str, item_code: str, status: str) -> None:
        self.rows.update(case_items, {"case_id": case_id, "item_code": item_code},
                         {"status": status, "updated_at": utcnow()})


attempts = attempts_table(metadata, "intake")
REPOSITORIES = {"cases": SqlCaseRepository, "attempts": attempt_log(attempts), "applicants": SqlApplicantRepository}
