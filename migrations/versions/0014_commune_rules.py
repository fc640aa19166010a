"""commune rules: the special-activity questionnaire, the rule table, services, documents

Revision ID: 0014_commune_rules
Revises: 0013_shoot_series
Create Date: 2026-12-04 22:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0014_commune_rules"
down_revision: str | None = "0013_shoot_series"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SERVICE_KINDS = ("commune_office", "police_zone", "fire_zone", "road_manager")
DOCUMENT_KINDS = (
    "owner_consent",
    "safety_plan",
    "fire_service_report",
    "drone_authorisation",
    "flight_plan",
)

# The default of every commune (rows without a commune), as Walloon and Brussels communes'
# filming rules ask: (activity, extra working days, documents, services, fast track allowed).
DEFAULT_RULES = (
    ("special_effects", 5, ("safety_plan",), ("fire_zone",), False),
    (
        "pyrotechnics",
        10,
        ("safety_plan", "fire_service_report"),
        ("police_zone", "fire_zone"),
        False,
    ),
    ("replica_weapons", 5, (), ("police_zone",), False),
    ("police_uniforms", 5, (), ("police_zone",), False),
    ("stunts", 5, ("safety_plan",), ("fire_zone",), False),
    ("animals", 0, (), (), True),
    ("drones", 10, ("drone_authorisation", "flight_plan"), ("police_zone",), False),
    ("night_work", 5, (), ("police_zone",), False),
    ("generators", 0, (), ("fire_zone",), True),
    ("road_closure", 10, (), ("police_zone", "fire_zone", "road_manager"), False),
    ("parking_suspension", 5, (), ("police_zone",), False),
    ("public_domain", 5, (), ("commune_office",), False),
    ("base_camp", 0, (), ("police_zone",), False),
)


def _one_of(column: str, kinds: Sequence[str]) -> str:
    return f"{column} IN ({', '.join(repr(kind) for kind in kinds)})"


def _commune(table: str, nullable: bool) -> list[sa.schema.SchemaItem]:
    return [
        sa.Column("commune_nis", sa.String(length=5), nullable=nullable),
        sa.ForeignKeyConstraint(
            ["commune_nis"], ["communes.nis"], name=op.f(f"fk_{table}_commune_nis_communes")
        ),
    ]


def upgrade() -> None:
    for table in ("shoots", "permit_amendments"):
        op.add_column(
            table,
            sa.Column(
                "activities",
                postgresql.JSONB(astext_type=sa.Text()),
                server_default="{}",
                nullable=False,
            ),
        )
    op.add_column(
        "permit_commune_settings",
        sa.Column("fast_track_working_days", sa.Integer(), server_default="5", nullable=False),
    )
    op.add_column(
        "permit_commune_settings",
        sa.Column("fast_track_max_crew", sa.Integer(), server_default="10", nullable=False),
    )
    rules = op.create_table(
        "permit_activity_rules",
        sa.Column("id", sa.Integer(), nullable=False),
        *_commune("permit_activity_rules", nullable=True),
        sa.Column("activity", sa.String(length=40), nullable=False),
        sa.Column("extra_working_days", sa.Integer(), server_default="0", nullable=False),
        sa.Column(
            "documents", postgresql.ARRAY(sa.String(length=40)), server_default="{}", nullable=False
        ),
        sa.Column(
            "services", postgresql.ARRAY(sa.String(length=40)), server_default="{}", nullable=False
        ),
        sa.Column("allows_fast_track", sa.Boolean(), server_default="false", nullable=False),
        sa.CheckConstraint(
            "extra_working_days BETWEEN 0 AND 120",
            name=op.f("ck_permit_activity_rules_extra_days_range"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_permit_activity_rules")),
        sa.UniqueConstraint(
            "commune_nis",
            "activity",
            name=op.f("uq_permit_activity_rules_commune_nis"),
            postgresql_nulls_not_distinct=True,
        ),
    )
    op.create_index(
        op.f("ix_permit_activity_rules_commune_nis"), "permit_activity_rules", ["commune_nis"]
    )
    op.bulk_insert(
        rules,
        [
            {
                "commune_nis": None,
                "activity": activity,
                "extra_working_days": days,
                "documents": list(documents),
                "services": list(services),
                "allows_fast_track": fast,
            }
            for activity, days, documents, services, fast in DEFAULT_RULES
        ],
    )
    op.create_table(
        "permit_commune_services",
        sa.Column("id", sa.Integer(), nullable=False),
        *_commune("permit_commune_services", nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("address", sa.Text(), server_default="", nullable=False),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("phone", sa.String(length=50), nullable=True),
        sa.CheckConstraint(
            _one_of("kind", SERVICE_KINDS), name=op.f("ck_permit_commune_services_known_kind")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_permit_commune_services")),
        sa.UniqueConstraint(
            "commune_nis", "kind", name=op.f("uq_permit_commune_services_commune_nis")
        ),
    )
    op.create_index(
        op.f("ix_permit_commune_services_commune_nis"), "permit_commune_services", ["commune_nis"]
    )
    op.create_table(
        "permit_documents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("production_id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("media_type", sa.String(length=40), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=True),
        sa.Column("valid_until", sa.Date(), nullable=True),
        sa.Column("uploaded_by_id", sa.Integer(), nullable=True),
        sa.Column(
            "uploaded_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.CheckConstraint(
            _one_of("kind", DOCUMENT_KINDS), name=op.f("ck_permit_documents_known_kind")
        ),
        sa.CheckConstraint(
            "valid_from <= valid_until", name=op.f("ck_permit_documents_validity_in_order")
        ),
        sa.ForeignKeyConstraint(
            ["production_id"],
            ["productions.id"],
            name=op.f("fk_permit_documents_production_id_productions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["permit_requests.id"],
            name=op.f("fk_permit_documents_request_id_permit_requests"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["uploaded_by_id"], ["users.id"], name=op.f("fk_permit_documents_uploaded_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_permit_documents")),
    )
    op.create_index(
        op.f("ix_permit_documents_production_id"), "permit_documents", ["production_id"]
    )
    op.create_index(op.f("ix_permit_documents_request_id"), "permit_documents", ["request_id"])
    # What a commune asks and what a production sent are part of the record: audited.
    for table, left_out in (
        ("permit_activity_rules", ""),
        ("permit_commune_services", ""),
        ("permit_documents", "'content'"),
    ):
        op.execute(
            f"CREATE TRIGGER audit_{table} AFTER INSERT OR UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION audit_row_change({left_out})"
        )


def downgrade() -> None:
    for table in ("permit_documents", "permit_commune_services", "permit_activity_rules"):
        op.execute(f"DROP TRIGGER IF EXISTS audit_{table} ON {table}")
        op.drop_table(table)
    op.drop_column("permit_commune_settings", "fast_track_max_crew")
    op.drop_column("permit_commune_settings", "fast_track_working_days")
    for table in ("permit_amendments", "shoots"):
        op.drop_column(table, "activities")
