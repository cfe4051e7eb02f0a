"""pipeline deals: the open deals the credit job saw, with their marketing flags, for the
scorecard's marketing pipeline

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03 19:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import connector.store.types

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

_WHEN = connector.store.types.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "pipeline_deals",
        sa.Column("deal_id", sa.String(length=32), nullable=False),
        sa.Column("system", sa.String(length=16), nullable=False),
        sa.Column("state", sa.String(length=8), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("stage", sa.String(length=120), nullable=True),
        sa.Column("created_at", _WHEN, nullable=True),
        sa.Column("close_date", _WHEN, nullable=True),
        sa.Column("sourced", sa.Boolean(), nullable=False),
        sa.Column("influenced", sa.Boolean(), nullable=False),
        sa.Column("top_channel", sa.String(length=64), nullable=True),
        sa.Column("opened_at", _WHEN, nullable=False),
        sa.Column("left_at", _WHEN, nullable=True),
        sa.Column("modified_at", _WHEN, nullable=False),
        sa.Column("recorded_at", _WHEN, nullable=False),
        sa.PrimaryKeyConstraint("deal_id"),
    )
    with op.batch_alter_table("pipeline_deals", schema=None) as batch_op:
        batch_op.create_index("ix_pipeline_deals_open", ["opened_at", "left_at"], unique=False)


def downgrade() -> None:
    op.drop_table("pipeline_deals")
