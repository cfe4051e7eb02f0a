"""placeholder for revision 0004, which another branch adds (delete this file when merging it)

The SLA tables are revision 0005 with ``down_revision = "0004"`` as agreed; this empty revision
only keeps the chain whole on the ``sla`` branch.

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
    """Nothing: the real 0004 lives on another branch."""


def downgrade() -> None:
    """Nothing."""
