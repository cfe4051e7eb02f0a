"""erasures: that a person's data was erased, as keyed hashes of their identifiers; indexes on
the columns that point at inbox events and raw requests, for retention

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
_REFERRERS = (
    ("inbox_events", "raw_request_id"),
    ("outbox", "cause_event_id"),
    ("audit", "event_id"),
    ("recycle_episodes", "trigger_event_id"),
)


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
    # retention deletes finished events and the raw requests left without any: each delete
    # checks the rows that point at it (foreign keys), which without these indexes is a scan
    # of the whole referring table per deleted row
    for table, column in _REFERRERS:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.create_index(batch_op.f(f"ix_{table}_{column}"), [column], unique=False)


def downgrade() -> None:
    for table, column in _REFERRERS:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(batch_op.f(f"ix_{table}_{column}"))
    op.drop_table("erasures")
