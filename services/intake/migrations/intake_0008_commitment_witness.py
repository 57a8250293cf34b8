"""the clerk who witnessed the applicant's commitment (承诺) signed at the window

Revision ID: intake_0008
Revises: intake_0007
Create Date: 2026-12-03 08:00:00.000000

"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = 'intake_0008'
down_revision: Union[str, Sequence[str], None] = 'intake_0007'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema: commitments signed before were not witnessed at a workbench (none recorded)."""
    op.add_column('intake_cases', sa.Column('commitment_witness', sa.String(length=200), nullable=True))


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_column('intake_cases', 'commitment_witness')
