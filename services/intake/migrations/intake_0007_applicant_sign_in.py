"""the applicant's online application: one-time sign-in codes (hashed), applicant sessions, cases bound to a phone

Revision ID: intake_0007
Revises: intake_0006
Create Date: 2026-12-03 08:00:00.000000

"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = 'intake_0007'
down_revision: Union[str, Sequence[str], None] = 'intake_0006'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema: phone numbers are kept only as keyed hashes, except in the session that needs the number."""
    op.create_table(
        'intake_applicant_challenges',
        sa.Column('challenge_id', sa.String(length=40), nullable=False),
        sa.Column('phone_key', sa.String(length=64), nullable=False),
        sa.Column('phone', sa.String(length=20), nullable=False),
        sa.Column('code_hash', sa.String(length=64), nullable=False),
        sa.Column('created_at', sa.Float(), nullable=False),
        sa.Column('expires_at', sa.Float(), nullable=False),
        sa.Column('failures', sa.Integer(), nullable=False),
        sa.Column('used', sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint('challenge_id'),
    )
    op.create_index('ix_intake_applicant_challenges_phone_key', 'intake_applicant_challenges', ['phone_key'])
    op.create_table(
        'intake_applicant_sessions',
        sa.Column('session_id', sa.String(length=40), nullable=False),
        sa.Column('phone_key', sa.String(length=64), nullable=False),
        sa.Column('phone', sa.String(length=20), nullable=False),
        sa.Column('source', sa.String(length=40), nullable=False),
        sa.Column('created_at', sa.Float(), nullable=False),
        sa.Column('expires_at', sa.Float(), nullable=False),
        sa.Column('ended', sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint('session_id'),
    )
    op.create_table(
        'intake_applicant_cases',
        sa.Column('case_id', sa.String(length=64), nullable=False),
        sa.Column('phone_key', sa.String(length=64), nullable=False),
        sa.Column('bound_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('case_id'),
    )
    op.create_index('ix_intake_applicant_cases_phone_key', 'intake_applicant_cases', ['phone_key'])


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_index('ix_intake_applicant_cases_phone_key', table_name='intake_applicant_cases')
    op.drop_table('intake_applicant_cases')
    op.drop_table('intake_applicant_sessions')
    op.drop_index('ix_intake_applicant_challenges_phone_key', table_name='intake_applicant_challenges')
    op.drop_table('intake_applicant_challenges')
