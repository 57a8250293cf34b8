"""Oversight's tables: every event of every case, the case folded from them, warnings, ratings, tasks."""
from __future__ import annotations

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
                        Text,
                        UniqueConstraint,
                        event,
)
from sqlalchemy.schema import DDL

from shared.attempt_log import attempts_table
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
    Column("department", String(100), nullable=False, index=True),
    Column("score", Integer, nullable=False),
    Column("opened_on", Date, nullable=False),
    Column("budget_days", Integer, nullable=False),
    Column("due_date", Date, nullable=False),
    Column("status", String(16), nullable=False, index=True),
    Column("closed_on", Date, nullable=True),
    Column("note", Text, nullable=False),
    Column("item_code", String(100), nullable=True),  # the item rated; None: the case as a whole
    Column("closed_by", String(20), nullable=True),   # department or supervisor
)
commitments = Table(
    "oversight_commitments", metadata,
    Column("case_id", String(64), primary_key=True),
    Column("material_code", String(100), primary_key=True),
    Column("material_name", String(200), nullable=False),
    Column("matter_code", String(100), nullable=True),
    Column("department", String(100), nullable=False),
    Column("accepted_on", Date, nullable=False),
    Column("supply_days", Integer, nullable=False),
    Column("due_date", Date, nullable=False),
    Column("status", String(16), nullable=False, index=True),
    Column("reminded_on", Date, nullable=True),
    Column("supplied_on", Date, nullable=True),
    Column("missed_on", Date, nullable=True, index=True),
    Column("follow_up", String(32), nullable=True),
)
"""Each deferred material's supply deadline (承诺), watched: open, supplied, missed (承诺失信, with the catalog's
follow-up), or void (the case was withdrawn or rejected)."""
sessions = Table(
    "oversight_sessions", metadata,
    Column("session_hash", String(64), primary_key=True),
    Column("supervisor", String(100), nullable=False),
    Column("expires_at", Float, nullable=False, index=True),
)
attempts = attempts_table(metadata, "oversight")
staff_accounts = Table(
    "oversight_staff_accounts", metadata,
    Column("account_id", String(64), primary_key=True),
    Column("display_name", String(100), nullable=False),
    Column("role", String(32), nullable=False),
    Column("department", String(100), nullable=True),
    Column("unit", String(100), nullable=True),
    Column("password_hash", String(255), nullable=False),  # argon2id, with its parameters and salt
    Column("disabled_at", Float, nullable=True),
    Column("sessions_valid_after", Float, nullable=False),  # sessions issued until then are refused (reset)
    Column("created_at", Float, nullable=False),
)
"""Staff accounts (people): administrators add, disable and reset them (`yici users`, /staff/admin)."""
staff_sessions = Table(
    "oversight_staff_sessions", metadata,
    Column("session_id", String(64), primary_key=True),
    Column("account_id", String(64), nullable=False, index=True),
    Column("issued_at", Float, nullable=False),
    Column("expires_at", Float, nullable=False, index=True),
    Column("ended_at", Float, nullable=True),
)
"""The sessions oversight signed: the ended ones are reloaded into the revocation registry at start."""
audit_chain = Table(
    "oversight_audit_chain", metadata,
    Column("seq", Integer, primary_key=True, autoincrement=False),
    Column("event_id", String(36), nullable=False, unique=True),
    Column("occurred_at", String(40), nullable=False, index=True),  # ISO text: hashed exactly as stored
    Column("case_id", String(64), nullable=False, index=True),
    Column("service", String(32), nullable=False),
    Column("action", String(64), nullable=False),
    Column("actor_kind", String(16), nullable=False),
    Column("actor_name", String(200), nullable=False, index=True),
    Column("actor_role", String(16), nullable=False),
    Column("actor_department", String(100), nullable=True),
    Column("actor_client", String(200), nullable=True),
    Column("subject", String(40), nullable=True, index=True),
    Column("purpose", String(200), nullable=False),
    Column("client_address", String(64), nullable=True),
    Column("outcome", String(64), nullable=False),
    Column("previous_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
)
"""The audit trail, append-only: each entry holds the hash of the one before (shared.audit)."""

APPEND_ONLY_SQLITE = [DDL(f"CREATE TRIGGER oversight_audit_chain_no_{verb.lower()} BEFORE {verb} ON oversight_audit_chain "
                          "BEGIN SELECT RAISE(ABORT, 'oversight_audit_chain is append-only'); END")
                      for verb in ("UPDATE", "DELETE")]
APPEND_ONLY_POSTGRESQL = [
    DDL("CREATE OR REPLACE FUNCTION oversight_audit_chain_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
        "BEGIN RAISE EXCEPTION 'oversight_audit_chain is append-only'; END $$"),
    DDL("CREATE TRIGGER oversight_audit_chain_append_only BEFORE UPDATE OR DELETE OR TRUNCATE "
        "ON oversight_audit_chain FOR EACH STATEMENT EXECUTE FUNCTION oversight_audit_chain_append_only()"),
]
for _ddl in APPEND_ONLY_SQLITE:
    event.listen(audit_chain, "after_create", _ddl.execute_if(dialect="sqlite"))
for _ddl in APPEND_ONLY_POSTGRESQL:
    event.listen(audit_chain, "after_create", _ddl.execute_if(dialect="postgresql"))
