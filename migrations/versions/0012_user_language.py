"""user language: the language a user chose, kept across sign-in and devices

Revision ID: 0012_user_language
Revises: 0011_pair_rule
Create Date: 2026-12-02 19:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012_user_language"
down_revision: str | None = "0011_pair_rule"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # NULL means "not chosen yet": the browser's language applies (core.i18n.select_locale).
    op.add_column("users", sa.Column("language", sa.String(2), nullable=True))
    op.create_check_constraint(
        op.f("ck_users_user_language_known"), "users", "language IN ('fr', 'de', 'en')"
    )


def downgrade() -> None:
    op.drop_constraint(op.f("ck_users_user_language_known"), "users", type_="check")
    op.drop_column("users", "language")
