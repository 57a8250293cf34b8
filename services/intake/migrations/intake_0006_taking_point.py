"""the hall, village service point or bank branch (政银合作) that took the case

Revision ID: intake_0006
Revises: intake_0005
Create Date: 2026-12-02 17:30:00.000000

"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = 'intake_0006'
down_revision: Union[str, Sequence[str], None] = 'intake_0005'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema: cases taken before have none (shown as not recorded)."""
    op.add_column('intake_cases', sa.Column('taking_point', sa.JSON(), nullable=True))


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_column('intake_cases', 'taking_point')
