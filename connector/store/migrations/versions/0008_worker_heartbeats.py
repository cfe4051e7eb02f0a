"""worker heartbeats: a dead worker's claims come back in seconds, not when its leases run out

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03 15:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import connector.store.types

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

_WHEN = connector.store.types.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "worker_heartbeats",
        sa.Column("owner", sa.String(length=128), nullable=False),
        sa.Column("started_at", _WHEN, nullable=False),
        sa.Column("beat_at", _WHEN, nullable=False),
        sa.Column("expires_at", _WHEN, nullable=False),
        sa.PrimaryKeyConstraint("owner"),
    )
    with op.batch_alter_table("worker_heartbeats", schema=None) as batch_op:
        batch_op.create_index("ix_worker_heartbeats_expires_at", ["expires_at"], unique=False)


def downgrade() -> None:
    op.drop_table("worker_heartbeats")
