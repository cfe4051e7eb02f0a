"""placeholder for the 0005 revision another branch adds (no schema change)

The credit ledger is revision 0006 (down_revision 0005) as agreed; this empty revision only
keeps the chain whole on the creditjob branch. Delete this file when the real 0005 is merged.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03 13:00:00
"""

from __future__ import annotations

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
