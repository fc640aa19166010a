"""insurance cover: the dates a request's insurance certificate states

Revision ID: 0017_insurance_cover
Revises: 0016_fees_notices
Create Date: 2026-12-05 00:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017_insurance_cover"
down_revision: str | None = "0016_fees_notices"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("permit_requests", sa.Column("insurance_valid_from", sa.Date(), nullable=True))
    op.add_column("permit_requests", sa.Column("insurance_valid_until", sa.Date(), nullable=True))


def downgrade() -> None:
    op.drop_column("permit_requests", "insurance_valid_until")
    op.drop_column("permit_requests", "insurance_valid_from")
