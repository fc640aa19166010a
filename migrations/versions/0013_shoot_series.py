"""shoot series: shoots copied to several dates, made and changed together

Revision ID: 0013_shoot_series
Revises: 0012_user_language
Create Date: 2026-12-03 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0013_shoot_series"
down_revision: str | None = "0012_user_language"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "shoot_series",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("production_id", sa.Integer(), nullable=False),
        sa.Column(
            "rule", postgresql.JSONB(astext_type=sa.Text()), server_default="{}", nullable=False
        ),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.ForeignKeyConstraint(
            ["production_id"],
            ["productions.id"],
            name=op.f("fk_shoot_series_production_id_productions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_shoot_series_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shoot_series")),
    )
    op.create_index(
        op.f("ix_shoot_series_production_id"), "shoot_series", ["production_id"], unique=False
    )
    op.add_column("shoots", sa.Column("series_id", sa.Integer(), nullable=True))
    op.create_foreign_key(
        op.f("fk_shoots_series_id_shoot_series"),
        "shoots",
        "shoot_series",
        ["series_id"],
        ["id"],
        ondelete="SET NULL",
    )
    op.create_index(op.f("ix_shoots_series_id"), "shoots", ["series_id"], unique=False)
    # A series is part of what a production asked for: its changes are audited as the shoots'.
    op.execute(
        "CREATE TRIGGER audit_shoot_series AFTER INSERT OR UPDATE OR DELETE ON shoot_series "
        "FOR EACH ROW EXECUTE FUNCTION audit_row_change()"
    )


def downgrade() -> None:
    op.execute("DROP TRIGGER IF EXISTS audit_shoot_series ON shoot_series")
    op.drop_index(op.f("ix_shoots_series_id"), table_name="shoots")
    op.drop_constraint(op.f("fk_shoots_series_id_shoot_series"), "shoots", type_="foreignkey")
    op.drop_column("shoots", "series_id")
    op.drop_index(op.f("ix_shoot_series_production_id"), table_name="shoot_series")
    op.drop_table("shoot_series")
