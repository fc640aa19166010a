"""permit requests, workflow timeline, outbox and the append-only audit log

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-27 05:47:38.484047
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from geoalchemy2 import Geometry
from sqlalchemy.dialects import postgresql

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "audit_log",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column(
            "at",
            sa.DateTime(timezone=True),
            server_default=sa.text("clock_timestamp()"),
            nullable=False,
        ),
        sa.Column("table_name", sa.String(length=63), nullable=False),
        sa.Column("row_id", sa.String(length=40), nullable=True),
        sa.Column("request_id", sa.Integer(), nullable=True),
        sa.Column("operation", sa.String(length=6), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("before", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("after", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    op.create_index(op.f("ix_audit_log_request_id"), "audit_log", ["request_id"], unique=False)
    op.create_index("ix_audit_log_table_row", "audit_log", ["table_name", "row_id"], unique=False)
    op.create_table(
        "permit_commune_settings",
        sa.Column("commune_nis", sa.String(length=5), nullable=False),
        sa.Column("notice_working_days", sa.Integer(), server_default="15", nullable=False),
        sa.Column("notification_email", sa.String(length=254), nullable=True),
        sa.CheckConstraint(
            "notice_working_days BETWEEN 0 AND 120",
            name=op.f("ck_permit_commune_settings_notice_range"),
        ),
        sa.ForeignKeyConstraint(
            ["commune_nis"],
            ["communes.nis"],
            name=op.f("fk_permit_commune_settings_commune_nis_communes"),
        ),
        sa.PrimaryKeyConstraint("commune_nis", name=op.f("pk_permit_commune_settings")),
    )
    op.create_table(
        "permit_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Uuid(), nullable=False),
        sa.Column("production_id", sa.Integer(), nullable=False),
        sa.Column("commune_nis", sa.String(length=5), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "draft",
                "submitted",
                "in_review",
                "changes_requested",
                "approved",
                "approved_with_conditions",
                "rejected",
                "withdrawn",
                name="permit_status",
            ),
            server_default="draft",
            nullable=False,
        ),
        sa.Column("public_domain_use", sa.Text(), server_default="", nullable=False),
        sa.Column("notes", sa.Text(), server_default="", nullable=False),
        sa.Column("decision_comment", sa.Text(), nullable=True),
        sa.Column("is_late", sa.Boolean(), server_default="false", nullable=False),
        sa.Column("notice_working_days", sa.Integer(), nullable=True),
        sa.Column("insurance_filename", sa.String(length=200), nullable=True),
        sa.Column("insurance_pdf", sa.LargeBinary(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.ForeignKeyConstraint(
            ["commune_nis"], ["communes.nis"], name=op.f("fk_permit_requests_commune_nis_communes")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_permit_requests_created_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["production_id"],
            ["productions.id"],
            name=op.f("fk_permit_requests_production_id_productions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_permit_requests")),
    )
    op.create_index(
        op.f("ix_permit_requests_commune_nis"), "permit_requests", ["commune_nis"], unique=False
    )
    op.create_index(
        op.f("ix_permit_requests_group_id"), "permit_requests", ["group_id"], unique=False
    )
    op.create_index(
        op.f("ix_permit_requests_production_id"), "permit_requests", ["production_id"], unique=False
    )
    op.create_index(op.f("ix_permit_requests_status"), "permit_requests", ["status"], unique=False)
    op.create_table(
        "permit_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("from_status", sa.String(length=40), nullable=True),
        sa.Column("to_status", sa.String(length=40), nullable=False),
        sa.Column("comment", sa.Text(), server_default="", nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column(
            "at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["users.id"], name=op.f("fk_permit_events_actor_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["permit_requests.id"],
            name=op.f("fk_permit_events_request_id_permit_requests"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_permit_events")),
    )
    op.create_index(
        op.f("ix_permit_events_request_id"), "permit_events", ["request_id"], unique=False
    )
    op.create_table(
        "permit_outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=True),
        sa.Column("recipient", sa.String(length=254), nullable=False),
        sa.Column("recipient_user_id", sa.Integer(), nullable=True),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "next_attempt_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["recipient_user_id"],
            ["users.id"],
            name=op.f("fk_permit_outbox_recipient_user_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["permit_requests.id"],
            name=op.f("fk_permit_outbox_request_id_permit_requests"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_permit_outbox")),
    )
    op.create_index(
        op.f("ix_permit_outbox_next_attempt_at"), "permit_outbox", ["next_attempt_at"], unique=False
    )
    op.create_index(
        op.f("ix_permit_outbox_recipient_user_id"),
        "permit_outbox",
        ["recipient_user_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_permit_outbox_request_id"), "permit_outbox", ["request_id"], unique=False
    )
    op.create_geospatial_table(
        "permit_request_shoots",
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("shoot_id", sa.Integer(), nullable=False),
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
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["permit_requests.id"],
            name=op.f("fk_permit_request_shoots_request_id_permit_requests"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["shoot_id"],
            ["shoots.id"],
            name=op.f("fk_permit_request_shoots_shoot_id_shoots"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("request_id", "shoot_id", name=op.f("pk_permit_request_shoots")),
    )
    op.create_index(
        op.f("ix_permit_request_shoots_shoot_id"),
        "permit_request_shoots",
        ["shoot_id"],
        unique=False,
    )
    _create_audit_triggers()


# Who did it comes from the transaction-local setting the app sets (core.db, after_begin).
AUDIT_FUNCTION = """
CREATE FUNCTION audit_row_change() RETURNS trigger LANGUAGE plpgsql AS $$
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
CREATE FUNCTION audit_log_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END $$
"""

AUDITED_TABLES = {  # table: columns left out of the copies
    "productions": "",
    "shoots": "",
    "permit_requests": "'insurance_pdf'",
    "permit_request_shoots": "",
    "permit_commune_settings": "",
}


def _create_audit_triggers() -> None:
    op.execute(AUDIT_FUNCTION)
    op.execute(REFUSE_FUNCTION)
    for table, left_out in AUDITED_TABLES.items():
        op.execute(
            f"CREATE TRIGGER audit_{table} AFTER INSERT OR UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION audit_row_change({left_out})"
        )
    op.execute(
        "CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log "
        "FOR EACH ROW EXECUTE FUNCTION audit_log_is_append_only()"
    )
    # Also refuse through privileges, for deployments where the app is not the table's owner.
    op.execute("REVOKE UPDATE, DELETE, TRUNCATE ON audit_log FROM PUBLIC")


def downgrade() -> None:
    for table in AUDITED_TABLES:
        op.execute(f"DROP TRIGGER IF EXISTS audit_{table} ON {table}")
    op.execute("DROP TRIGGER IF EXISTS audit_log_append_only ON audit_log")
    op.execute("DROP FUNCTION IF EXISTS audit_row_change()")
    op.execute("DROP FUNCTION IF EXISTS audit_log_is_append_only()")
    op.drop_index(op.f("ix_permit_request_shoots_shoot_id"), table_name="permit_request_shoots")
    op.drop_geospatial_table("permit_request_shoots")
    op.drop_index(op.f("ix_permit_outbox_request_id"), table_name="permit_outbox")
    op.drop_index(op.f("ix_permit_outbox_recipient_user_id"), table_name="permit_outbox")
    op.drop_index(op.f("ix_permit_outbox_next_attempt_at"), table_name="permit_outbox")
    op.drop_table("permit_outbox")
    op.drop_index(op.f("ix_permit_events_request_id"), table_name="permit_events")
    op.drop_table("permit_events")
    op.drop_index(op.f("ix_permit_requests_status"), table_name="permit_requests")
    op.drop_index(op.f("ix_permit_requests_production_id"), table_name="permit_requests")
    op.drop_index(op.f("ix_permit_requests_group_id"), table_name="permit_requests")
    op.drop_index(op.f("ix_permit_requests_commune_nis"), table_name="permit_requests")
    op.drop_table("permit_requests")
    op.drop_table("permit_commune_settings")
    op.drop_index("ix_audit_log_table_row", table_name="audit_log")
    op.drop_index(op.f("ix_audit_log_request_id"), table_name="audit_log")
    op.drop_table("audit_log")
    sa.Enum(name="permit_status").drop(op.get_bind(), checkfirst=True)
