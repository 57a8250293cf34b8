"""attempt log, supervisor sessions

Revision ID: oversight_0003
Revises: oversight_0002
Create Date: 2026-12-02 13:23:10.749590

"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = 'oversight_0003'
down_revision: Union[str, Sequence[str], None] = 'oversight_0002'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table('oversight_attempts',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('scope', sa.String(length=40), nullable=False),
    sa.Column('subject', sa.String(length=64), nullable=False),
    sa.Column('at', sa.Float(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_oversight_attempts_subject', 'oversight_attempts', ['scope', 'subject', 'at'], unique=False)
    op.create_table('oversight_sessions',
    sa.Column('session_hash', sa.String(length=64), nullable=False),
    sa.Column('supervisor', sa.String(length=100), nullable=False),
    sa.Column('expires_at', sa.Float(), nullable=False),
    sa.PrimaryKeyConstraint('session_hash')
    )
    op.create_index(op.f('ix_oversight_sessions_expires_at'), 'oversight_sessions', ['expires_at'], unique=False)


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_index(op.f('ix_oversight_sessions_expires_at'), table_name='oversight_sessions')
    op.drop_table('oversight_sessions')
    op.drop_index('ix_oversight_attempts_subject', table_name='oversight_attempts')
    op.drop_table('oversight_attempts')
