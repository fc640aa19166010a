"""locations, productions and shoots

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27 05:42:06.736716
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from geoalchemy2 import Geometry
from sqlalchemy.dialects import postgresql

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "location_categories",
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("label_fr", sa.String(length=120), nullable=False),
        sa.Column("label_en", sa.String(length=120), nullable=False),
        sa.Column("label_de", sa.String(length=120), nullable=False),
        sa.Column("position", sa.Integer(), server_default="0", nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_location_categories")),
    )
    op.create_table(
        "productions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column(
            "type",
            sa.Enum(
                "feature",
                "series",
                "documentary",
                "animation",
                "commercial",
                "music_video",
                "tv",
                name="production_type",
            ),
            nullable=False,
        ),
        sa.Column("company", sa.String(length=200), nullable=False),
        sa.Column("contact_name", sa.String(length=200), nullable=True),
        sa.Column("contact_email", sa.String(length=254), nullable=True),
        sa.Column("contact_phone", sa.String(length=50), nullable=True),
        sa.Column("file_reference", sa.String(length=60), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "development",
                "preparation",
                "shooting",
                "wrapped",
                "cancelled",
                name="production_status",
            ),
            server_default="preparation",
            nullable=False,
        ),
        sa.Column("is_demo", sa.Boolean(), server_default="false", nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_productions")),
        sa.UniqueConstraint("file_reference", name=op.f("uq_productions_file_reference")),
    )
    op.create_geospatial_table(
        "locations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), server_default="", nullable=False),
        sa.Column(
            "tags", postgresql.ARRAY(sa.String(length=60)), server_default="{}", nullable=False
        ),
        sa.Column(
            "point",
            Geometry(
                geometry_type="POINT",
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
            "outline",
            Geometry(
                geometry_type="POLYGON",
                srid=3812,
                dimension=2,
                spatial_index=False,
                from_text="ST_GeomFromEWKT",
                name="geometry",
            ),
            nullable=True,
        ),
        sa.Column("address", sa.String(length=300), nullable=True),
        sa.Column("commune_nis", sa.String(length=5), nullable=False),
        sa.Column("truck_parking_capacity", sa.Integer(), server_default="0", nullable=False),
        sa.Column("has_power", sa.Boolean(), server_default="false", nullable=False),
        sa.Column("has_water", sa.Boolean(), server_default="false", nullable=False),
        sa.Column("has_toilets", sa.Boolean(), server_default="false", nullable=False),
        sa.Column("step_free_access", sa.Boolean(), server_default="false", nullable=False),
        sa.Column("access_notes", sa.Text(), server_default="", nullable=False),
        sa.Column("contact_name", sa.String(length=200), nullable=True),
        sa.Column("contact_phone", sa.String(length=50), nullable=True),
        sa.Column("contact_email", sa.String(length=254), nullable=True),
        sa.Column("owner_notes", sa.Text(), server_default="", nullable=False),
        sa.Column(
            "status",
            sa.Enum("draft", "published", "archived", name="location_status"),
            server_default="draft",
            nullable=False,
        ),
        sa.Column("is_demo", sa.Boolean(), server_default="false", nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.CheckConstraint(
            "truck_parking_capacity >= 0", name=op.f("ck_locations_truck_parking_not_negative")
        ),
        sa.ForeignKeyConstraint(
            ["commune_nis"], ["communes.nis"], name=op.f("fk_locations_commune_nis_communes")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_locations_created_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"], ["users.id"], name=op.f("fk_locations_updated_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_locations")),
    )
    op.create_geospatial_index(
        "idx_locations_outline",
        "locations",
        ["outline"],
        unique=False,
        postgresql_using="gist",
        postgresql_ops={},
    )
    op.create_geospatial_index(
        "idx_locations_point",
        "locations",
        ["point"],
        unique=False,
        postgresql_using="gist",
        postgresql_ops={},
    )
    op.create_index(op.f("ix_locations_commune_nis"), "locations", ["commune_nis"], unique=False)
    op.create_index(op.f("ix_locations_status"), "locations", ["status"], unique=False)
    op.create_table(
        "production_coordinators",
        sa.Column("production_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["production_id"],
            ["productions.id"],
            name=op.f("fk_production_coordinators_production_id_productions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_production_coordinators_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "production_id", "user_id", name=op.f("pk_production_coordinators")
        ),
    )
    op.create_index(
        op.f("ix_production_coordinators_user_id"),
        "production_coordinators",
        ["user_id"],
        unique=False,
    )
    op.create_table(
        "location_category_links",
        sa.Column("location_id", sa.Integer(), nullable=False),
        sa.Column("category_code", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(
            ["category_code"],
            ["location_categories.code"],
            name=op.f("fk_location_category_links_category_code_location_categories"),
        ),
        sa.ForeignKeyConstraint(
            ["location_id"],
            ["locations.id"],
            name=op.f("fk_location_category_links_location_id_locations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "location_id", "category_code", name=op.f("pk_location_category_links")
        ),
    )
    op.create_index(
        op.f("ix_location_category_links_category_code"),
        "location_category_links",
        ["category_code"],
        unique=False,
    )
    op.create_geospatial_table(
        "shoots",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("production_id", sa.Integer(), nullable=False),
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
        sa.Column("crew_size", sa.Integer(), server_default="0", nullable=False),
        sa.Column("vehicle_count", sa.Integer(), server_default="0", nullable=False),
        sa.Column("night_shoot", sa.Boolean(), server_default="false", nullable=False),
        sa.Column("parking_suspension", sa.Boolean(), server_default="false", nullable=False),
        sa.Column("road_closure", sa.Boolean(), server_default="false", nullable=False),
        sa.Column("special_effects", sa.Boolean(), server_default="false", nullable=False),
        sa.Column("drones", sa.Boolean(), server_default="false", nullable=False),
        sa.Column("notes", sa.Text(), server_default="", nullable=False),
        sa.Column(
            "status",
            sa.Enum("planned", "cancelled", name="shoot_status"),
            server_default="planned",
            nullable=False,
        ),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.CheckConstraint(
            "NOT isempty(period) AND lower_inc(period) AND NOT upper_inc(period)",
            name=op.f("ck_shoots_period_half_open"),
        ),
        sa.CheckConstraint(
            "crew_size >= 0 AND vehicle_count >= 0", name=op.f("ck_shoots_counts_not_negative")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_shoots_created_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["location_id"], ["locations.id"], name=op.f("fk_shoots_location_id_locations")
        ),
        sa.ForeignKeyConstraint(
            ["production_id"],
            ["productions.id"],
            name=op.f("fk_shoots_production_id_productions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shoots")),
    )
    op.create_geospatial_index(
        "idx_shoots_footprint",
        "shoots",
        ["footprint"],
        unique=False,
        postgresql_using="gist",
        postgresql_ops={},
    )
    op.create_geospatial_index(
        "idx_shoots_parking",
        "shoots",
        ["parking"],
        unique=False,
        postgresql_using="gist",
        postgresql_ops={},
    )
    op.create_index(op.f("ix_shoots_location_id"), "shoots", ["location_id"], unique=False)
    op.create_index(op.f("ix_shoots_production_id"), "shoots", ["production_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_shoots_production_id"), table_name="shoots")
    op.drop_index(op.f("ix_shoots_location_id"), table_name="shoots")
    op.drop_geospatial_index(
        "idx_shoots_parking", table_name="shoots", postgresql_using="gist", column_name="parking"
    )
    op.drop_geospatial_index(
        "idx_shoots_footprint",
        table_name="shoots",
        postgresql_using="gist",
        column_name="footprint",
    )
    op.drop_geospatial_table("shoots")
    op.drop_index(
        op.f("ix_location_category_links_category_code"), table_name="location_category_links"
    )
    op.drop_table("location_category_links")
    op.drop_index(op.f("ix_production_coordinators_user_id"), table_name="production_coordinators")
    op.drop_table("production_coordinators")
    op.drop_index(op.f("ix_locations_status"), table_name="locations")
    op.drop_index(op.f("ix_locations_commune_nis"), table_name="locations")
    op.drop_geospatial_index(
        "idx_locations_point", table_name="locations", postgresql_using="gist", column_name="point"
    )
    op.drop_geospatial_index(
        "idx_locations_outline",
        table_name="locations",
        postgresql_using="gist",
        column_name="outline",
    )
    op.drop_geospatial_table("locations")
    op.drop_table("productions")
    op.drop_table("location_categories")
    for enum_name in ("shoot_status", "location_status", "production_status", "production_type"):
        sa.Enum(name=enum_name).drop(op.get_bind(), checkfirst=True)
