"""rectifications: the item rated and who closed the task

Revision ID: oversight_0006
Revises: oversight_0005
Create Date: 2026-12-02 17:30:00

A bad rating's rectification goes to the department whose item was rated (item_code; absent: the rejecting or
lead department), which closes it itself (closed_by: department or supervisor).
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = 'oversight_0006'
down_revision: Union[str, Sequence[str], None] = 'oversight_0005'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table('oversight_rectifications') as batch:
        batch.add_column(sa.Column('item_code', sa.String(length=100), nullable=True))
        batch.add_column(sa.Column('closed_by', sa.String(length=20), nullable=True))
        batch.create_index('ix_oversight_rectifications_department', ['department'], unique=False)


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('oversight_rectifications') as batch:
        batch.drop_index('ix_oversight_rectifications_department')
        batch.drop_column('closed_by')
        batch.drop_column('item_code')
