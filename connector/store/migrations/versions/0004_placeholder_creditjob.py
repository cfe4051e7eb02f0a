"""placeholder for the 0004 revision another branch adds (no schema change)

The credit ledger is revision 0006 (down_revision 0005) as agreed; this empty revision only
keeps the chain whole on the creditjob branch. Delete this file when the real 0004 is merged.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03 13:00:00
"""

from __future__ import annotations

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
