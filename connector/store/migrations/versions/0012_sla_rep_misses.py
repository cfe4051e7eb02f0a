"""sla rep misses: a rep's missed first responses per period (the per-rep ladder)

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03 18:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import connector.store.types

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

_WHEN = connector.store.types.UTCDateTime(timezone=True)
_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "sla_rep_misses",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("clock_id", _ID, nullable=False),
        sa.Column("owner_id", sa.String(length=18), nullable=False),
        sa.Column("period", sa.String(length=8), nullable=False),
        sa.Column("ordinal", sa.Integer(), nullable=False),
        sa.Column("at", _WHEN, nullable=False),
        sa.ForeignKeyConstraint(["clock_id"], ["sla_clocks.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("owner_id", "period", "ordinal", name="uq_sla_rep_miss_place"),
        sa.UniqueConstraint("clock_id", name="uq_sla_rep_miss_clock"),
    )
    # the rep's context in each message: their clocks and breaches in the period
    with op.batch_alter_table("sla_clocks", schema=None) as batch_op:
        batch_op.create_index("ix_sla_clocks_owner", ["owner_id", "started_at"], unique=False)
    with op.batch_alter_table("sla_breaches", schema=None) as batch_op:
        batch_op.create_index("ix_sla_breaches_owner", ["owner_id", "at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("sla_breaches", schema=None) as batch_op:
        batch_op.drop_index("ix_sla_breaches_owner")
    with op.batch_alter_table("sla_clocks", schema=None) as batch_op:
        batch_op.drop_index("ix_sla_clocks_owner")
    op.drop_table("sla_rep_misses")
