"""crm call slots: the CRM rate limits shared by every Baton process on one database

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03 18:45:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "crm_call_slots",
        sa.Column("system", sa.String(length=32), nullable=False),
        sa.Column("dimension", sa.String(length=16), nullable=False),
        sa.Column("slot_start", sa.BigInteger(), nullable=False),
        sa.Column("calls", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("system", "dimension", "slot_start"),
    )


def downgrade() -> None:
    op.drop_table("crm_call_slots")
