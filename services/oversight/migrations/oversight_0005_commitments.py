"""Commitments followed: each deferred material's supply deadline, watched, and missed ones (承诺失信)

Revision ID: oversight_0005
Revises: oversight_0004
Create Date: 2026-12-02 17:30:00.000000

"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = 'oversight_0005'
down_revision: Union[str, Sequence[str], None] = 'oversight_0004'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table('oversight_commitments',
    sa.Column('case_id', sa.String(length=64), nullable=False),
    sa.Column('material_code', sa.String(length=100), nullable=False),
    sa.Column('material_name', sa.String(length=200), nullable=False),
    sa.Column('matter_code', sa.String(length=100), nullable=True),
    sa.Column('department', sa.String(length=100), nullable=False),
    sa.Column('accepted_on', sa.Date(), nullable=False),
    sa.Column('supply_days', sa.Integer(), nullable=False),
    sa.Column('due_date', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('reminded_on', sa.Date(), nullable=True),
    sa.Column('supplied_on', sa.Date(), nullable=True),
    sa.Column('missed_on', sa.Date(), nullable=True),
    sa.Column('follow_up', sa.String(length=32), nullable=True),
    sa.PrimaryKeyConstraint('case_id', 'material_code')
    )
    op.create_index(op.f('ix_oversight_commitments_status'), 'oversight_commitments', ['status'], unique=False)
    op.create_index(op.f('ix_oversight_commitments_missed_on'), 'oversight_commitments', ['missed_on'],
                    unique=False)


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_index(op.f('ix_oversight_commitments_missed_on'), table_name='oversight_commitments')
    op.drop_index(op.f('ix_oversight_commitments_status'), table_name='oversight_commitments')
    op.drop_table('oversight_commitments')
