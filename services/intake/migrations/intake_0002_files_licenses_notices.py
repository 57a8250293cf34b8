"""files, known licenses, notices, deferred materials

Revision ID: intake_0002
Revises: intake_0001
Create Date: 2026-11-26 06:43:29.581575

"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = 'intake_0002'
down_revision: Union[str, Sequence[str], None] = 'intake_0001'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table('intake_files',
    sa.Column('file_ref', sa.String(length=64), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('client', sa.String(length=100), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('file_ref')
    )
    op.create_table('intake_known_licenses',
    sa.Column('number', sa.String(length=100), nullable=False),
    sa.Column('holder_id', sa.String(length=18), nullable=False),
    sa.Column('license_type', sa.String(length=100), nullable=False),
    sa.Column('valid_until', sa.Date(), nullable=True),
    sa.PrimaryKeyConstraint('number')
    )
    op.create_index(op.f('ix_intake_known_licenses_holder_id'), 'intake_known_licenses', ['holder_id'], unique=False)
    # server defaults fill the rows that exist already; new rows get their values from intake
    op.add_column('intake_cases', sa.Column('submitted_on', sa.Date(), nullable=False,
                                            server_default=sa.text('CURRENT_DATE')))
    op.add_column('intake_cases', sa.Column('accepted_by', sa.String(length=100), nullable=True))
    op.add_column('intake_cases', sa.Column('notice', sa.JSON(), nullable=True))
    op.add_column('intake_cases', sa.Column('notices', sa.JSON(), nullable=False, server_default='[]'))
    op.add_column('intake_cases', sa.Column('deferred', sa.JSON(), nullable=False, server_default='[]'))
    op.add_column('intake_cases', sa.Column('holder_id', sa.String(length=18), nullable=True))
    op.create_index(op.f('ix_intake_cases_holder_id'), 'intake_cases', ['holder_id'], unique=False)


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_index(op.f('ix_intake_cases_holder_id'), table_name='intake_cases')
    op.drop_column('intake_cases', 'holder_id')
    op.drop_column('intake_cases', 'deferred')
    op.drop_column('intake_cases', 'notices')
    op.drop_column('intake_cases', 'notice')
    op.drop_column('intake_cases', 'accepted_by')
    op.drop_column('intake_cases', 'submitted_on')
    op.drop_index(op.f('ix_intake_known_licenses_holder_id'), table_name='intake_known_licenses')
    op.drop_table('intake_known_licenses')
    op.drop_table('intake_files')
