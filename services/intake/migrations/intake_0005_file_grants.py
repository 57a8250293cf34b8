"""departments read the materials of the items requested of them: which department may read which file, by case

Revision ID: intake_0005
Revises: intake_0004
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = 'intake_0005'
down_revision: Union[str, Sequence[str], None] = 'intake_0004'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        "intake_file_grants",
        sa.Column("file_ref", sa.String(length=64), nullable=False),
        sa.Column("department", sa.String(length=100), nullable=False),
        sa.Column("case_id", sa.String(length=64), nullable=False),
        sa.Column("granted_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("file_ref", "department", "case_id"),
    )


def downgrade() -> None:
    op.drop_table("intake_file_grants")
