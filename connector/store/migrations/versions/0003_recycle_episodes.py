"""recycle episodes: each time sales said "not now", and what became of it

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-03 12:45:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import connector.store.types

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_WHEN = connector.store.types.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "recycle_episodes",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("person_key", sa.String(length=160), nullable=False),
        sa.Column("hubspot_contact_id", sa.String(length=64), nullable=True),
        sa.Column("salesforce_lead_id", sa.String(length=18), nullable=True),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("reason_code", sa.String(length=64), nullable=True),
        sa.Column("reason_flag", sa.String(length=16), nullable=True),
        sa.Column("trigger_source", sa.String(length=16), nullable=False),
        sa.Column("trigger_status", sa.String(length=128), nullable=False),
        sa.Column(
            "trigger_event_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("previous_owner_id", sa.String(length=18), nullable=True),
        sa.Column("recycled_at", _WHEN, nullable=False),
        sa.Column("reactivate_at", _WHEN, nullable=True),
        sa.Column("closed_at", _WHEN, nullable=True),
        sa.Column("closed_by", sa.String(length=16), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["trigger_event_id"], ["inbox_events.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("person_key", "number", name="uq_recycle_person_number"),
    )
    with op.batch_alter_table("recycle_episodes", schema=None) as batch_op:
        batch_op.create_index("ix_recycle_state", ["state", "recycled_at"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_recycle_episodes_person_key"), ["person_key"], unique=False
        )


def downgrade() -> None:
    op.drop_table("recycle_episodes")
