"""sla clocks: first-response clocks, the touches counted on them, and breaches

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03 13:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import connector.store.types

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

_WHEN = connector.store.types.UTCDateTime(timezone=True)
_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "sla_clocks",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("lead_id", sa.String(length=18), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.String(length=18), nullable=False),
        sa.Column("team", sa.String(length=64), nullable=True),
        sa.Column("policy", sa.String(length=64), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("started_at", _WHEN, nullable=False),
        sa.Column("deadline_at", _WHEN, nullable=False),
        sa.Column("stopped_at", _WHEN, nullable=True),
        sa.Column("stopped_by", sa.String(length=16), nullable=True),
        sa.Column("touches", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("lead_id", "number", name="uq_sla_clock_lead_number"),
    )
    with op.batch_alter_table("sla_clocks", schema=None) as batch_op:
        batch_op.create_index("ix_sla_clocks_open", ["state", "deadline_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_sla_clocks_lead_id"), ["lead_id"], unique=False)
    op.create_table(
        "sla_touches",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("clock_id", _ID, nullable=False),
        sa.Column("activity_id", sa.String(length=18), nullable=False),
        sa.Column("at", _WHEN, nullable=False),
        sa.ForeignKeyConstraint(["clock_id"], ["sla_clocks.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("clock_id", "activity_id", name="uq_sla_touch"),
    )
    op.create_table(
        "sla_breaches",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("clock_id", _ID, nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("at", _WHEN, nullable=False),
        sa.Column("owner_id", sa.String(length=18), nullable=False),
        sa.Column("team", sa.String(length=64), nullable=True),
        sa.Column("policy", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(["clock_id"], ["sla_clocks.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("clock_id", "kind", name="uq_sla_breach"),
    )
    with op.batch_alter_table("sla_breaches", schema=None) as batch_op:
        batch_op.create_index("ix_sla_breaches_at", ["at"], unique=False)


def downgrade() -> None:
    op.drop_table("sla_breaches")
    op.drop_table("sla_touches")
    op.drop_table("sla_clocks")
