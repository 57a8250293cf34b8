"""worklist columns on tasks (unit, round, deadline, claim, licenses) and the e-license registry

Revision ID: approval_0002
Revises: approval_0001
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = 'approval_0002'
down_revision: Union[str, Sequence[str], None] = 'approval_0001'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

TASK_COLUMNS = (
    ("unit", lambda: sa.Column("unit", sa.String(length=20), nullable=True)),
    ("round", lambda: sa.Column("round", sa.Integer(), nullable=False, server_default="1")),
    ("due_date", lambda: sa.Column("due_date", sa.Date(), nullable=True)),
    ("claimed_by", lambda: sa.Column("claimed_by", sa.String(length=100), nullable=True)),
    ("claimed_at", lambda: sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True)),
    ("licenses", lambda: sa.Column("licenses", sa.JSON(), nullable=False, server_default="[]")),
    ("note", lambda: sa.Column("note", sa.String(length=500), nullable=True)),
)


def upgrade() -> None:
    with op.batch_alter_table("approval_tasks") as batch:
        for _name, column in TASK_COLUMNS:
            batch.add_column(column())
    op.create_table(
        "approval_licenses",
        sa.Column("number", sa.String(length=64), nullable=False),
        sa.Column("holder_id", sa.String(length=32), nullable=False),
        sa.Column("license_type", sa.String(length=100), nullable=False),
        sa.Column("department", sa.String(length=100), nullable=False),
        sa.Column("request_id", sa.String(length=200), nullable=False),
        sa.Column("case_id", sa.String(length=64), nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("content", sa.JSON(), nullable=False),
        sa.Column("seal", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("number"),
        sa.UniqueConstraint("request_id"),
    )
    op.create_index(op.f("ix_approval_licenses_holder_id"), "approval_licenses", ["holder_id"], unique=False)
    op.create_index(op.f("ix_approval_licenses_license_type"), "approval_licenses", ["license_type"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_approval_licenses_license_type"), table_name="approval_licenses")
    op.drop_index(op.f("ix_approval_licenses_holder_id"), table_name="approval_licenses")
    op.drop_table("approval_licenses")
    with op.batch_alter_table("approval_tasks") as batch:
        for name, _column in reversed(TASK_COLUMNS):
            batch.drop_column(name)
