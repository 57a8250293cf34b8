"""which library supplied each material; cases held for a library that is down; holder kind

Revision ID: intake_0004
Revises: intake_0003
Create Date: 2026-12-02 13:40:00.000000

"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = 'intake_0004'
down_revision: Union[str, Sequence[str], None] = 'intake_0003'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.add_column('intake_cases', sa.Column('material_sources', sa.JSON(), nullable=True))
    op.add_column('intake_cases', sa.Column('lookup', sa.JSON(), nullable=True))
    # the server default fills the rows that exist already (none of them waits); new rows get it from intake
    op.add_column('intake_cases', sa.Column('lookup_pending', sa.Boolean(), nullable=False,
                                            server_default=sa.false()))
    op.create_index(op.f('ix_intake_cases_lookup_pending'), 'intake_cases', ['lookup_pending'], unique=False)
    op.add_column('intake_cases', sa.Column('holder_kind', sa.String(length=8), nullable=True))


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_column('intake_cases', 'holder_kind')
    op.drop_index(op.f('ix_intake_cases_lookup_pending'), table_name='intake_cases')
    op.drop_column('intake_cases', 'lookup_pending')
    op.drop_column('intake_cases', 'lookup')
    op.drop_column('intake_cases', 'material_sources')
