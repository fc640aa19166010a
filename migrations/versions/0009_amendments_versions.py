"""amendments of shoots under permit, their reviews by commune, frozen versions of requests

Revision ID: 0009_amendments_versions
Revises: 0008_commune_at_point
Create Date: 2026-12-02 15:24:49.562474
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from geoalchemy2 import Geometry
from sqlalchemy.dialects import postgresql

revision: str = "0009_amendments_versions"
down_revision: str | None = "0008_commune_at_point"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "permit_request_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("status", sa.String(length=40), nullable=False),
        sa.Column("amendment_id", sa.Integer(), nullable=True),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("clock_timestamp()"),
            nullable=False,
        ),
        sa.Column("data", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_permit_request_versions")),
        sa.UniqueConstraint(
            "request_id", "number", name=op.f("uq_permit_request_versions_request_id")
        ),
    )
    op.create_index(
        op.f("ix_permit_request_versions_request_id"),
        "permit_request_versions",
        ["request_id"],
        unique=False,
    )
    op.create_geospatial_table(
        "permit_amendments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("shoot_id", sa.Integer(), nullable=False),
        sa.Column("production_id", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum("pending", "approved", "rejected", "withdrawn", name="amendment_status"),
            server_default="pending",
            nullable=False,
        ),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("base_version", sa.Integer(), nullable=False),
        sa.Column("previous", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("location_id", sa.Integer(), nullable=True),
        sa.Column(
            "footprint",
            Geometry(
                geometry_type="MULTIPOLYGON",
                srid=3812,
                dimension=2,
                spatial_index=False,
                from_text="ST_GeomFromEWKT",
                name="geometry",
                nullable=False,
            ),
            nullable=False,
        ),
        sa.Column(
            "parking",
            Geometry(
                geometry_type="MULTIPOLYGON",
                srid=3812,
                dimension=2,
                spatial_index=False,
                from_text="ST_GeomFromEWKT",
                name="geometry",
            ),
            nullable=True,
        ),
        sa.Column("period", postgresql.TSTZRANGE(), nullable=False),
        sa.Column("crew_size", sa.Integer(), nullable=False),
        sa.Column("vehicle_count", sa.Integer(), nullable=False),
        sa.Column("night_shoot", sa.Boolean(), nullable=False),
        sa.Column("parking_suspension", sa.Boolean(), nullable=False),
        sa.Column("road_closure", sa.Boolean(), nullable=False),
        sa.Column("special_effects", sa.Boolean(), nullable=False),
        sa.Column("drones", sa.Boolean(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column(
            "shoot_status", postgresql.ENUM(name="shoot_status", create_type=False), nullable=False
        ),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.CheckConstraint(
            "crew_size >= 0 AND vehicle_count >= 0",
            name=op.f("ck_permit_amendments_counts_not_negative"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_permit_amendments_created_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["location_id"],
            ["locations.id"],
            name=op.f("fk_permit_amendments_location_id_locations"),
        ),
        sa.ForeignKeyConstraint(
            ["production_id"],
            ["productions.id"],
            name=op.f("fk_permit_amendments_production_id_productions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["shoot_id"],
            ["shoots.id"],
            name=op.f("fk_permit_amendments_shoot_id_shoots"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_permit_amendments")),
    )
    op.create_index(
        "ix_permit_amendments_one_pending",
        "permit_amendments",
        ["shoot_id"],
        unique=True,
        postgresql_where=sa.text("status = 'pending'"),
    )
    op.create_index(
        op.f("ix_permit_amendments_production_id"),
        "permit_amendments",
        ["production_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_permit_amendments_shoot_id"), "permit_amendments", ["shoot_id"], unique=False
    )
    op.create_geospatial_table(
        "permit_amendment_reviews",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("amendment_id", sa.Integer(), nullable=False),
        sa.Column("commune_nis", sa.String(length=5), nullable=False),
        sa.Column("production_id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=True),
        sa.Column(
            "status",
            postgresql.ENUM(name="permit_status", create_type=False),
            server_default="submitted",
            nullable=False,
        ),
        sa.Column("decision_comment", sa.Text(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "footprint_part",
            Geometry(
                geometry_type="MULTIPOLYGON",
                srid=3812,
                dimension=2,
                spatial_index=False,
                from_text="ST_GeomFromEWKT",
                name="geometry",
            ),
            nullable=True,
        ),
        sa.Column(
            "parking_part",
            Geometry(
                geometry_type="MULTIPOLYGON",
                srid=3812,
                dimension=2,
                spatial_index=False,
                from_text="ST_GeomFromEWKT",
                name="geometry",
            ),
            nullable=True,
        ),
        sa.Column("footprint_area_m2", sa.Float(), server_default="0", nullable=False),
        sa.Column("parking_area_m2", sa.Float(), server_default="0", nullable=False),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.ForeignKeyConstraint(
            ["amendment_id"],
            ["permit_amendments.id"],
            name=op.f("fk_permit_amendment_reviews_amendment_id_permit_amendments"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["commune_nis"],
            ["communes.nis"],
            name=op.f("fk_permit_amendment_reviews_commune_nis_communes"),
        ),
        sa.ForeignKeyConstraint(
            ["production_id"],
            ["productions.id"],
            name=op.f("fk_permit_amendment_reviews_production_id_productions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["permit_requests.id"],
            name=op.f("fk_permit_amendment_reviews_request_id_permit_requests"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_permit_amendment_reviews")),
        sa.UniqueConstraint(
            "amendment_id", "commune_nis", name=op.f("uq_permit_amendment_reviews_amendment_id")
        ),
    )
    op.create_index(
        op.f("ix_permit_amendment_reviews_amendment_id"),
        "permit_amendment_reviews",
        ["amendment_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_permit_amendment_reviews_commune_nis"),
        "permit_amendment_reviews",
        ["commune_nis"],
        unique=False,
    )
    op.create_index(
        op.f("ix_permit_amendment_reviews_production_id"),
        "permit_amendment_reviews",
        ["production_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_permit_amendment_reviews_request_id"),
        "permit_amendment_reviews",
        ["request_id"],
        unique=False,
    )
    op.add_column("permit_events", sa.Column("review_id", sa.Integer(), nullable=True))
    op.alter_column("permit_events", "request_id", existing_type=sa.INTEGER(), nullable=True)
    op.create_index(
        op.f("ix_permit_events_review_id"), "permit_events", ["review_id"], unique=False
    )
    op.create_foreign_key(
        op.f("fk_permit_events_review_id_permit_amendment_reviews"),
        "permit_events",
        "permit_amendment_reviews",
        ["review_id"],
        ["id"],
        ondelete="CASCADE",
    )
    _create_triggers()


# As in 0005, plus the amendment reviews, which belong to a request when the commune has one.
AUDIT_FUNCTION = """
CREATE OR REPLACE FUNCTION audit_row_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    -- Trigger arguments name columns too bulky to copy (uploaded files).
    old_row jsonb := CASE WHEN TG_OP <> 'INSERT' THEN to_jsonb(OLD) - COALESCE(TG_ARGV, '{}') END;
    new_row jsonb := CASE WHEN TG_OP <> 'DELETE' THEN to_jsonb(NEW) - COALESCE(TG_ARGV, '{}') END;
    changed jsonb := COALESCE(new_row, old_row);
BEGIN
    IF TG_OP = 'UPDATE' AND old_row = new_row THEN
        RETURN NULL;
    END IF;
    INSERT INTO audit_log (table_name, row_id, request_id, operation, actor_id, before, after)
    VALUES (
        TG_TABLE_NAME,
        changed ->> 'id',
        CASE TG_TABLE_NAME
            WHEN 'permit_requests' THEN (changed ->> 'id')::int
            WHEN 'permit_request_shoots' THEN (changed ->> 'request_id')::int
            WHEN 'permit_amendment_reviews' THEN (changed ->> 'request_id')::int
        END,
        TG_OP,
        NULLIF(current_setting('tournages.user_id', true), '')::int,
        old_row,
        new_row
    );
    RETURN NULL;
END $$
"""

REFUSE_FUNCTION = """
CREATE FUNCTION refuse_row_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END $$
"""

AUDITED_TABLES = ("permit_amendments", "permit_amendment_reviews")


def _create_triggers() -> None:
    op.execute(AUDIT_FUNCTION)
    for table in AUDITED_TABLES:
        op.execute(
            f"CREATE TRIGGER audit_{table} AFTER INSERT OR UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION audit_row_change()"
        )
    # A version is a record of what a commune read and decided: never changed, never deleted.
    op.execute(REFUSE_FUNCTION)
    op.execute(
        "CREATE TRIGGER permit_request_versions_append_only BEFORE UPDATE OR DELETE "
        "ON permit_request_versions FOR EACH ROW EXECUTE FUNCTION refuse_row_change()"
    )
    op.execute("REVOKE UPDATE, DELETE, TRUNCATE ON permit_request_versions FROM PUBLIC")


def downgrade() -> None:
    for table in AUDITED_TABLES:
        op.execute(f"DROP TRIGGER IF EXISTS audit_{table} ON {table}")
    op.execute(
        "DROP TRIGGER IF EXISTS permit_request_versions_append_only ON permit_request_versions"
    )
    op.execute("DROP FUNCTION IF EXISTS refuse_row_change()")
    op.execute(
        AUDIT_FUNCTION.replace(
            "            WHEN 'permit_amendment_reviews' THEN (changed ->> 'request_id')::int\n", ""
        )
    )
    # Amendment events have no request: they go with the amendments.
    op.execute("DELETE FROM permit_events WHERE review_id IS NOT NULL")
    op.drop_constraint(
        op.f("fk_permit_events_review_id_permit_amendment_reviews"),
        "permit_events",
        type_="foreignkey",
    )
    op.drop_index(op.f("ix_permit_events_review_id"), table_name="permit_events")
    op.alter_column("permit_events", "request_id", existing_type=sa.INTEGER(), nullable=False)
    op.drop_column("permit_events", "review_id")
    op.drop_index(
        op.f("ix_permit_amendment_reviews_request_id"), table_name="permit_amendment_reviews"
    )
    op.drop_index(
        op.f("ix_permit_amendment_reviews_production_id"), table_name="permit_amendment_reviews"
    )
    op.drop_index(
        op.f("ix_permit_amendment_reviews_commune_nis"), table_name="permit_amendment_reviews"
    )
    op.drop_index(
        op.f("ix_permit_amendment_reviews_amendment_id"), table_name="permit_amendment_reviews"
    )
    op.drop_geospatial_table("permit_amendment_reviews")
    op.drop_index(op.f("ix_permit_amendments_shoot_id"), table_name="permit_amendments")
    op.drop_index(op.f("ix_permit_amendments_production_id"), table_name="permit_amendments")
    op.drop_index(
        "ix_permit_amendments_one_pending",
        table_name="permit_amendments",
        postgresql_where=sa.text("status = 'pending'"),
    )
    op.drop_geospatial_table("permit_amendments")
    op.drop_index(
        op.f("ix_permit_request_versions_request_id"), table_name="permit_request_versions"
    )
    op.drop_table("permit_request_versions")
    sa.Enum(name="amendment_status").drop(op.get_bind(), checkfirst=True)
