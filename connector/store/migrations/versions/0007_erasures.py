"""erasures: that a person's data was erased, as keyed hashes of their identifiers; an index
on inbox_events.raw_request_id for retention

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03 15:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import connector.store.types

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

_WHEN = connector.store.types.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "erasures",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("identifier_hash", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("origin", sa.String(length=32), nullable=False),
        sa.Column("first_erased_at", _WHEN, nullable=False),
        sa.Column("last_erased_at", _WHEN, nullable=False),
        sa.Column("rows_changed", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("identifier_hash"),
    )
    # retention deletes raw requests left without events, found by this column
    with op.batch_alter_table("inbox_events", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_inbox_events_raw_request_id"), ["raw_request_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("inbox_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_inbox_events_raw_request_id"))
    op.drop_table("erasures")
