"""the applicant's language (zh, mn), chosen once with the application (ADR 0030)

Revision ID: intake_0009
Revises: intake_0008
Create Date: 2026-12-03 08:10:00.000000

"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = 'intake_0009'
down_revision: Union[str, Sequence[str], None] = 'intake_0008'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema: cases taken before are Chinese."""
    op.add_column('intake_cases', sa.Column('language', sa.String(length=8), nullable=False, server_default='zh'))


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_column('intake_cases', 'language')
