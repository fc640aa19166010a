"""pair rule: the conflict report's search of the live shoots overlapping a slice of time

Revision ID: 0011_pair_rule
Revises: 0010_places
Create Date: 2026-12-02 17:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011_pair_rule"
down_revision: str | None = "0010_places"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # The conflict report reads the live shoots week by week (shoots.operations.report); the
    # other indexes holding `period` lead with the location or the footprint, and a search by
    # period alone walked all of them (0.2 s a week at 1,000,000 shoots).
    op.create_index(
        "ix_shoots_live_period",
        "shoots",
        ["period"],
        postgresql_using="gist",
        postgresql_where=sa.text("status <> 'cancelled'"),
    )


def downgrade() -> None:
    op.drop_index("ix_shoots_live_period", table_name="shoots")
