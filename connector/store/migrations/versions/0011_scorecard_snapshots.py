"""scorecard snapshots: a closed week's scorecard is counted once and kept until late data

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03 18:45:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import connector.store.types

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

_WHEN = connector.store.types.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "scorecard_snapshots",
        sa.Column("week_start", sa.String(length=10), nullable=False),
        sa.Column("filters_key", sa.String(length=600), nullable=False),
        sa.Column("definitions_version", sa.String(length=32), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("record_marks", sa.JSON(), nullable=False),
        sa.Column("since", _WHEN, nullable=False),
        sa.Column("until", _WHEN, nullable=False),
        sa.Column("computed_at", _WHEN, nullable=False),
        sa.Column("checked_at", _WHEN, nullable=False),
        sa.Column("seen_events", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("week_start", "filters_key", "definitions_version"),
    )
    # the snapshots' staleness check reads the events processed since their last check
    with op.batch_alter_table("inbox_events", schema=None) as batch_op:
        batch_op.create_index("ix_inbox_events_processed_at", ["processed_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("inbox_events", schema=None) as batch_op:
        batch_op.drop_index("ix_inbox_events_processed_at")
    op.drop_table("scorecard_snapshots")
