"""attempt log

Revision ID: delivery_0003
Revises: delivery_0002
Create Date: 2026-12-02 13:23:07.089506

"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = 'delivery_0003'
down_revision: Union[str, Sequence[str], None] = 'delivery_0002'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table('delivery_attempts',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('scope', sa.String(length=40), nullable=False),
    sa.Column('subject', sa.String(length=64), nullable=False),
    sa.Column('at', sa.Float(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_delivery_attempts_subject', 'delivery_attempts', ['scope', 'subject', 'at'], unique=False)


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_index('ix_delivery_attempts_subject', table_name='delivery_attempts')
    op.drop_table('delivery_attempts')
