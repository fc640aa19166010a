"""fees and what the commune issues: tariffs, fee status, parking spaces, resident notices

Revision ID: 0016_fees_notices
Revises: 0015_standard_conditions
Create Date: 2026-12-04 23:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0016_fees_notices"
down_revision: str | None = "0015_standard_conditions"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

AMOUNTS = ("per_day", "per_m2_day", "per_sign", "per_parking_space_day")


def upgrade() -> None:
    # A new value of a PostgreSQL enum; not used in this transaction.
    op.execute("ALTER TYPE production_type ADD VALUE IF NOT EXISTS 'student'")
    op.create_table(
        "permit_tariffs",
        sa.Column("commune_nis", sa.String(length=5), nullable=False),
        *(
            sa.Column(name, sa.Numeric(10, 2), server_default="0", nullable=False)
            for name in AMOUNTS
        ),
        sa.Column("urgency_surcharge_percent", sa.Integer(), server_default="0", nullable=False),
        sa.Column(
            "exempt_types",
            postgresql.ARRAY(sa.String(length=40)),
            server_default="{student}",
            nullable=False,
        ),
        sa.CheckConstraint(
            " AND ".join(f"{name} >= 0" for name in AMOUNTS),
            name=op.f("ck_permit_tariffs_amounts_not_negative"),
        ),
        sa.CheckConstraint(
            "urgency_surcharge_percent BETWEEN 0 AND 200",
            name=op.f("ck_permit_tariffs_surcharge_range"),
        ),
        sa.ForeignKeyConstraint(
            ["commune_nis"], ["communes.nis"], name=op.f("fk_permit_tariffs_commune_nis_communes")
        ),
        sa.PrimaryKeyConstraint("commune_nis", name=op.f("pk_permit_tariffs")),
    )
    op.execute(
        "CREATE TRIGGER audit_permit_tariffs AFTER INSERT OR UPDATE OR DELETE ON permit_tariffs "
        "FOR EACH ROW EXECUTE FUNCTION audit_row_change()"
    )
    for column in (
        sa.Column("fee_status", sa.String(10), server_default="unpaid", nullable=False),
        sa.Column("fee_status_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resident_notice_delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resident_notice_method", sa.String(200), nullable=True),
    ):
        op.add_column("permit_requests", column)
    op.add_column(
        "permit_commune_settings",
        sa.Column("parking_space_m", sa.Float(), server_default="5.5", nullable=False),
    )
    op.add_column(
        "permit_commune_settings",
        sa.Column("resident_notice_days", sa.Integer(), server_default="7", nullable=False),
    )


def downgrade() -> None:
    op.drop_column("permit_commune_settings", "resident_notice_days")
    op.drop_column("permit_commune_settings", "parking_space_m")
    for name in (
        "resident_notice_method",
        "resident_notice_delivered_at",
        "fee_status_at",
        "fee_status",
    ):
        op.drop_column("permit_requests", name)
    op.execute("DROP TRIGGER IF EXISTS audit_permit_tariffs ON permit_tariffs")
    op.drop_table("permit_tariffs")
    # PostgreSQL cannot drop an enum value: productions of type 'student' become 'feature'.
    op.execute("UPDATE productions SET type = 'feature' WHERE type = 'student'")
