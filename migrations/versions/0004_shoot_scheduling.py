"""shoot scheduling: no double booking, blackouts, commune settings, overrides, calendar feeds

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27 06:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from geoalchemy2 import Geometry
from sqlalchemy.dialects import postgresql

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LIVE = sa.text("status <> 'cancelled'")


def _multipolygon(nullable: bool) -> Geometry:
    return Geometry(
        geometry_type="MULTIPOLYGON",
        srid=3812,
        spatial_index=False,
        from_text="ST_GeomFromEWKT",
        name="geometry",
        nullable=nullable,
    )


def upgrade() -> None:
    op.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
    op.create_exclude_constraint(
        "no_double_booking",
        "shoots",
        ("location_id", "="),
        ("period", "&&"),
        using="gist",
        where=LIVE,
    )
    op.create_index(
        "ix_shoots_live_footprint_period",
        "shoots",
        ["footprint", "period"],
        postgresql_using="gist",
        postgresql_where=LIVE,
    )
    op.create_index(
        "ix_shoots_live_parking_period",
        "shoots",
        ["parking", "period"],
        postgresql_using="gist",
        postgresql_where=LIVE,
    )

    op.create_geospatial_table(
        "shoot_blackouts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("commune_nis", sa.String(length=5), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("market", "festival", "roadworks", "holiday_moratorium", name="blackout_kind"),
            nullable=False,
        ),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("area", _multipolygon(nullable=True), nullable=True),
        sa.Column("period", postgresql.TSTZRANGE(), nullable=False),
        sa.Column("weekday", sa.Integer(), nullable=True),
        sa.Column("daily_start", sa.Time(), nullable=True),
        sa.Column("daily_end", sa.Time(), nullable=True),
        sa.Column("is_demo", sa.Boolean(), server_default="false", nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "(weekday IS NULL AND daily_start IS NULL AND daily_end IS NULL)"
            " OR (weekday BETWEEN 1 AND 7 AND daily_start < daily_end)",
            name=op.f("ck_shoot_blackouts_weekly_rule_complete"),
        ),
        sa.CheckConstraint("NOT isempty(period)", name=op.f("ck_shoot_blackouts_period_not_empty")),
        sa.ForeignKeyConstraint(
            ["commune_nis"], ["communes.nis"], name=op.f("fk_shoot_blackouts_commune_nis_communes")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_shoot_blackouts_created_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shoot_blackouts")),
    )
    op.create_geospatial_index(
        "idx_shoot_blackouts_area",
        "shoot_blackouts",
        ["area"],
        postgresql_using="gist",
        postgresql_ops={},
    )
    op.create_index(
        op.f("ix_shoot_blackouts_commune_nis"), "shoot_blackouts", ["commune_nis"], unique=False
    )

    op.create_table(
        "shoot_commune_settings",
        sa.Column("commune_nis", sa.String(length=5), nullable=False),
        sa.Column("nearby_distance_m", sa.Integer(), server_default="250", nullable=False),
        sa.Column("saturation_days", sa.Integer(), server_default="10", nullable=False),
        sa.Column("saturation_radius_m", sa.Integer(), server_default="200", nullable=False),
        sa.Column("saturation_window_days", sa.Integer(), server_default="365", nullable=False),
        sa.CheckConstraint(
            "nearby_distance_m > 0 AND saturation_days > 0 AND saturation_radius_m > 0"
            " AND saturation_window_days > 0",
            name=op.f("ck_shoot_commune_settings_positive"),
        ),
        sa.ForeignKeyConstraint(
            ["commune_nis"],
            ["communes.nis"],
            name=op.f("fk_shoot_commune_settings_commune_nis_communes"),
        ),
        sa.PrimaryKeyConstraint("commune_nis", name=op.f("pk_shoot_commune_settings")),
    )

    op.create_table(
        "shoot_warning_overrides",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("shoot_id", sa.Integer(), nullable=False),
        sa.Column("rule", sa.String(length=40), nullable=False),
        sa.Column("other_ref", sa.String(length=60), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["shoot_id"],
            ["shoots.id"],
            name=op.f("fk_shoot_warning_overrides_shoot_id_shoots"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_shoot_warning_overrides_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shoot_warning_overrides")),
        sa.UniqueConstraint(
            "shoot_id", "rule", "other_ref", name=op.f("uq_shoot_warning_overrides_shoot_id")
        ),
    )
    op.create_index(
        op.f("ix_shoot_warning_overrides_shoot_id"),
        "shoot_warning_overrides",
        ["shoot_id"],
        unique=False,
    )

    op.create_table(
        "shoot_calendar_feeds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column(
            "scope",
            sa.Enum("production", "location", "commune", name="feed_scope"),
            nullable=False,
        ),
        sa.Column("target", sa.String(length=20), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_shoot_calendar_feeds_created_by_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shoot_calendar_feeds")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_shoot_calendar_feeds_token_hash")),
    )


def downgrade() -> None:
    op.drop_table("shoot_calendar_feeds")
    op.drop_index(op.f("ix_shoot_warning_overrides_shoot_id"), table_name="shoot_warning_overrides")
    op.drop_table("shoot_warning_overrides")
    op.drop_table("shoot_commune_settings")
    op.drop_index(op.f("ix_shoot_blackouts_commune_nis"), table_name="shoot_blackouts")
    op.drop_geospatial_index(
        "idx_shoot_blackouts_area",
        table_name="shoot_blackouts",
        postgresql_using="gist",
        column_name="area",
    )
    op.drop_geospatial_table("shoot_blackouts")
    op.drop_index("ix_shoots_live_parking_period", table_name="shoots")
    op.drop_index("ix_shoots_live_footprint_period", table_name="shoots")
    # Alembic has no exclusion-constraint type to drop by: plain SQL.
    op.execute("ALTER TABLE shoots DROP CONSTRAINT no_double_booking")
    for enum_name in ("feed_scope", "blackout_kind"):
        sa.Enum(name=enum_name).drop(op.get_bind(), checkfirst=True)
