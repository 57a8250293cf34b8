"""levels, delegation, joint tasks, supplement rounds and clocks on the plan

Revision ID: routing_0002
Revises: routing_0001
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = 'routing_0002'
down_revision: Union[str, Sequence[str], None] = 'routing_0001'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

ITEM_COLUMNS = (
    ("level", lambda: sa.Column("level", sa.String(length=16), nullable=False, server_default="banner")),
    ("unit", lambda: sa.Column("unit", sa.String(length=20), nullable=True)),
    ("routing", lambda: sa.Column("routing", sa.JSON(), nullable=False, server_default="{}")),
    ("joint_session", lambda: sa.Column("joint_session", sa.String(length=100), nullable=True)),
    ("joint_task_id", lambda: sa.Column("joint_task_id", sa.String(length=200), nullable=True)),
    ("license_type", lambda: sa.Column("license_type", sa.String(length=100), nullable=True)),
    ("round", lambda: sa.Column("round", sa.Integer(), nullable=False, server_default="1")),
    ("requested_on", lambda: sa.Column("requested_on", sa.Date(), nullable=True)),
    ("due_date", lambda: sa.Column("due_date", sa.Date(), nullable=True)),
    ("suspensions", lambda: sa.Column("suspensions", sa.JSON(), nullable=False, server_default="[]")),
    ("decided_by", lambda: sa.Column("decided_by", sa.String(length=100), nullable=True)),
)


def upgrade() -> None:
    with op.batch_alter_table("routing_cases") as batch:
        batch.add_column(sa.Column("joint_tasks", sa.JSON(), nullable=False, server_default="{}"))
    with op.batch_alter_table("routing_items") as batch:
        for _name, column in ITEM_COLUMNS:
            batch.add_column(column())


def downgrade() -> None:
    with op.batch_alter_table("routing_items") as batch:
        for name, _column in reversed(ITEM_COLUMNS):
            batch.drop_column(name)
    with op.batch_alter_table("routing_cases") as batch:
        batch.drop_column("joint_tasks")
