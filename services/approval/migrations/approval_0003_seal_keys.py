"""the departments' e-seal keys: generated per deployment or supplied by the operator, rotated, retired

Keys are no longer derived from approval.seal_secret: licenses sealed with such a key no longer verify.

Revision ID: approval_0003
Revises: approval_0002
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = 'approval_0003'
down_revision: Union[str, Sequence[str], None] = 'approval_0002'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        "approval_seal_keys",
        sa.Column("key_id", sa.String(length=32), nullable=False),
        sa.Column("department", sa.String(length=100), nullable=False),
        sa.Column("serial", sa.Integer(), nullable=False),
        sa.Column("public_key", sa.String(length=64), nullable=False),
        sa.Column("private_key", sa.String(length=64), nullable=True),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("valid_from", sa.DateTime(timezone=True), nullable=False),
        sa.Column("retired_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("key_id"),
        sa.UniqueConstraint("department", "serial", name="uq_approval_seal_keys_department_serial"),
    )


def downgrade() -> None:
    op.drop_table("approval_seal_keys")
