"""the e-license registry's changes: revoked, corrected, replaced, each with its reason and sealed record

Revision ID: approval_0004
Revises: approval_0003
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = 'approval_0004'
down_revision: Union[str, Sequence[str], None] = 'approval_0003'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        "approval_license_changes",
        sa.Column("change_id", sa.String(length=100), nullable=False),
        sa.Column("number", sa.String(length=64), nullable=False),
        sa.Column("serial", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("changed_on", sa.Date(), nullable=False),
        sa.Column("changed_by", sa.String(length=100), nullable=False),
        sa.Column("replaced_by", sa.String(length=64), nullable=True),
        sa.Column("record", sa.JSON(), nullable=False),
        sa.Column("seal", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("change_id"),
    )
    op.create_index(op.f("ix_approval_license_changes_number"), "approval_license_changes", ["number"],
                    unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_approval_license_changes_number"), table_name="approval_license_changes")
    op.drop_table("approval_license_changes")
