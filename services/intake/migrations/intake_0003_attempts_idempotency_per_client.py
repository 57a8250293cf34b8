"""attempt log, idempotency keys unique per client

Revision ID: intake_0003
Revises: intake_0002
Create Date: 2026-12-02 13:23:03.507334

"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = 'intake_0003'
down_revision: Union[str, Sequence[str], None] = 'intake_0002'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


NEW_UNIQUE = "uq_intake_cases_client_idempotency_key"
# The baseline's unique constraint on idempotency_key has no name of its own: PostgreSQL calls it
# intake_cases_idempotency_key_key; SQLite's is found by reflection and named by this convention.
SQLITE_NAMES = {"uq": "uq_%(table_name)s_%(column_0_name)s"}


def upgrade() -> None:
    """The attempt log (shared.attempts); Idempotency-Keys unique per client, no longer across clients.
    Existing rows keep their keys (each already unique, so unique per client too)."""
    op.create_table('intake_attempts',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('scope', sa.String(length=40), nullable=False),
    sa.Column('subject', sa.String(length=64), nullable=False),
    sa.Column('at', sa.Float(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_intake_attempts_subject', 'intake_attempts', ['scope', 'subject', 'at'], unique=False)
    if op.get_bind().dialect.name == "sqlite":
        with op.batch_alter_table("intake_cases", naming_convention=SQLITE_NAMES) as batch:
            batch.drop_constraint("uq_intake_cases_idempotency_key", type_="unique")
            batch.create_unique_constraint(NEW_UNIQUE, ["client", "idempotency_key"])
    else:
        op.drop_constraint("intake_cases_idempotency_key_key", "intake_cases", type_="unique")
        op.create_unique_constraint(NEW_UNIQUE, "intake_cases", ["client", "idempotency_key"])


def downgrade() -> None:
    """Back to keys unique across clients (fails if two clients now share a key: decide which case keeps it)."""
    if op.get_bind().dialect.name == "sqlite":
        with op.batch_alter_table("intake_cases") as batch:
            batch.drop_constraint(NEW_UNIQUE, type_="unique")
            batch.create_unique_constraint("uq_intake_cases_idempotency_key", ["idempotency_key"])
    else:
        op.drop_constraint(NEW_UNIQUE, "intake_cases", type_="unique")
        op.create_unique_constraint("intake_cases_idempotency_key_key", "intake_cases", ["idempotency_key"])
    op.drop_index('ix_intake_attempts_subject', table_name='intake_attempts')
    op.drop_table('intake_attempts')
