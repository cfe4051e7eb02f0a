"""credit journeys: every closed deal's path, won or lost, for the Markov model's history;
the HubSpot deals found for an opportunity (credit_deal_links); the history a Markov credit used

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03 18:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import connector.store.types

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

_WHEN = connector.store.types.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "credit_journeys",
        sa.Column("deal_id", sa.String(length=32), nullable=False),
        sa.Column("won", sa.Boolean(), nullable=False),
        sa.Column("path", sa.JSON(), nullable=False),
        sa.Column("closed_at", _WHEN, nullable=False),
        sa.Column("version", sa.String(length=32), nullable=False),
        sa.Column("recorded_at", _WHEN, nullable=False),
        sa.Column("withdrawn_at", _WHEN, nullable=True),
        sa.Column("changes", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("deal_id"),
    )
    with op.batch_alter_table("credit_journeys", schema=None) as batch_op:
        batch_op.create_index(
            "ix_credit_journeys_closed", ["withdrawn_at", "closed_at"], unique=False
        )
    op.create_table(
        "credit_deal_links",
        sa.Column("opportunity_id", sa.String(length=18), nullable=False),
        sa.Column("hubspot_deal_ids", sa.JSON(), nullable=False),
        sa.Column("found_at", _WHEN, nullable=False),
        sa.PrimaryKeyConstraint("opportunity_id"),
    )
    with op.batch_alter_table("credit_ledger", schema=None) as batch_op:
        batch_op.add_column(sa.Column("history", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("credit_ledger", schema=None) as batch_op:
        batch_op.drop_column("history")
    op.drop_table("credit_deal_links")
    op.drop_table("credit_journeys")
