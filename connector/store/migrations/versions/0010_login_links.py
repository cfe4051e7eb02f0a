"""login links: one-time dashboard sign-in links in the store, redeemable once by any process

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03 18:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import connector.store.types

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

_WHEN = connector.store.types.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "login_links",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("created_at", _WHEN, nullable=False),
        sa.Column("expires_at", _WHEN, nullable=False),
        sa.Column("used_at", _WHEN, nullable=True),
        sa.PrimaryKeyConstraint("token_hash"),
    )
    with op.batch_alter_table("login_links", schema=None) as batch_op:
        batch_op.create_index("ix_login_links_expires_at", ["expires_at"], unique=False)


def downgrade() -> None:
    op.drop_table("login_links")
