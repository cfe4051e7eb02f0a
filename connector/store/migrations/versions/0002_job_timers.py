"""jobs and live timers: the job that owns a timer, the jobs that finished an event

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-03 12:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("timers", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("job", sa.String(length=64), nullable=False, server_default="")
        )
    with op.batch_alter_table("inbox_events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("jobs_done", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("inbox_events", schema=None) as batch_op:
        batch_op.drop_column("jobs_done")
    with op.batch_alter_table("timers", schema=None) as batch_op:
        batch_op.drop_column("job")
