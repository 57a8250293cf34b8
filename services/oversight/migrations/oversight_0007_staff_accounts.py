"""Staff accounts (argon2id password hashes) and the staff sessions oversight signs

Revision ID: oversight_0007
Revises: oversight_0006
Create Date: 2026-12-02 18:00:00.000000

"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = 'oversight_0007'
down_revision: Union[str, Sequence[str], None] = 'oversight_0006'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table('oversight_staff_accounts',
    sa.Column('account_id', sa.String(length=64), nullable=False),
    sa.Column('display_name', sa.String(length=100), nullable=False),
    sa.Column('role', sa.String(length=32), nullable=False),
    sa.Column('department', sa.String(length=100), nullable=True),
    sa.Column('unit', sa.String(length=100), nullable=True),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('disabled_at', sa.Float(), nullable=True),
    sa.Column('sessions_valid_after', sa.Float(), nullable=False),
    sa.Column('created_at', sa.Float(), nullable=False),
    sa.PrimaryKeyConstraint('account_id')
    )
    op.create_table('oversight_staff_sessions',
    sa.Column('session_id', sa.String(length=64), nullable=False),
    sa.Column('account_id', sa.String(length=64), nullable=False),
    sa.Column('issued_at', sa.Float(), nullable=False),
    sa.Column('expires_at', sa.Float(), nullable=False),
    sa.Column('ended_at', sa.Float(), nullable=True),
    sa.PrimaryKeyConstraint('session_id')
    )
    op.create_index(op.f('ix_oversight_staff_sessions_account_id'), 'oversight_staff_sessions', ['account_id'],
                    unique=False)
    op.create_index(op.f('ix_oversight_staff_sessions_expires_at'), 'oversight_staff_sessions', ['expires_at'],
                    unique=False)


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_index(op.f('ix_oversight_staff_sessions_expires_at'), table_name='oversight_staff_sessions')
    op.drop_index(op.f('ix_oversight_staff_sessions_account_id'), table_name='oversight_staff_sessions')
    op.drop_table('oversight_staff_sessions')
    op.drop_table('oversight_staff_accounts')
