"""The app's database role: the DML it needs and nothing more (core.privileges). The whole
suite runs as that role, so it also proves the app works with these rights."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, make_url, text
from sqlalchemy.exc import DBAPIError

from core.db import db
from core.privileges import APP_PRIVILEGES, OWNED_TABLES

INSUFFICIENT_PRIVILEGE = "42501"  # not a syntax error or a missing object: a refusal
REFUSED_TO_THE_APP = [
    "UPDATE audit_log SET actor_id = 0",
    "DELETE FROM audit_log",
    "TRUNCATE audit_log",
    "ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only",
    "ALTER TABLE audit_log DISABLE TRIGGER ALL",
    "ALTER TABLE shoots DISABLE TRIGGER audit_shoots",
    "SET session_replication_role = replica",
    "CREATE TABLE intruder (id int)",
    "DROP TABLE audit_log",
    "TRUNCATE shoots",
    "DROP FUNCTION audit_log_is_append_only()",
    "CREATE OR REPLACE FUNCTION audit_log_is_append_only() RETURNS trigger "
    "LANGUAGE plpgsql AS $$ BEGIN RETURN OLD; END $$",
    "ALTER TABLE audit_log OWNER TO CURRENT_USER",
    "SELECT setval('audit_log_id_seq', 1)",
    "UPDATE permit_request_versions SET status = 'approved'",
    "DELETE FROM permit_request_versions",
    "TRUNCATE permit_request_versions",
    "ALTER TABLE permit_request_versions DISABLE TRIGGER permit_request_versions_append_only",
    "DROP FUNCTION refuse_row_change()",
    "CREATE ROLE intruder",
]


@pytest.fixture
def audited(app, create_shoot):
    """A shoot, hence an audit row, for UPDATE and DELETE to have something to refuse."""
    create_shoot()
    assert db.session.scalar(text("SELECT count(*) FROM audit_log")) > 0


@pytest.mark.parametrize("statement", REFUSED_TO_THE_APP)
def test_the_app_role_is_refused(audited, statement):
    savepoint = db.session.begin_nested()
    with pytest.raises(DBAPIError) as refused:
        db.session.execute(text(statement))
    savepoint.rollback()
    assert refused.value.orig.sqlstate == INSUFFICIENT_PRIVILEGE, refused.value


def test_the_app_role_owns_nothing_and_is_no_superuser(app):
    role = db.session.execute(
        text(
            "SELECT rolname, rolsuper, rolcreaterole, rolcreatedb, rolbypassrls FROM pg_roles "
            "WHERE rolname = current_user"
        )
    ).one()
    assert role.rolname == make_url(app.config["DATABASE_URL"]).username
    assert not (role.rolsuper or role.rolcreaterole or role.rolcreatedb or role.rolbypassrls)
    assert db.session.scalars(OWNED_TABLES).all() == []
    assert db.session.scalar(text("SHOW session_replication_role")) == "origin"


def test_the_app_role_may_insert_and_read_audit_rows_only(app):
    granted = dict(
        db.session.execute(
            text(
                "SELECT table_name, string_agg(privilege_type, ', ' ORDER BY privilege_type) "
                "FROM information_schema.role_table_grants "
                "WHERE grantee = current_user AND table_schema = 'public' GROUP BY table_name"
            )
        ).all()
    )
    assert granted["audit_log"] == "INSERT, SELECT"
    assert granted["permit_request_versions"] == "INSERT, SELECT"
    assert granted["shoots"] == "DELETE, INSERT, SELECT, UPDATE"
    assert granted["alembic_version"] == "SELECT"


def test_every_table_has_its_app_privileges_decided(owner_engine: Engine):
    with owner_engine.connect() as owner:
        tables = set(owner.scalars(OWNED_TABLES))
    assert tables == APP_PRIVILEGES.keys()


def test_the_owner_still_can_what_the_app_cannot(owner_engine: Engine, app):
    """The refusals above come from the role, not from a broken statement."""
    with owner_engine.connect() as owner, owner.begin() as transaction:
        owner.execute(text("ALTER TABLE shoots DISABLE TRIGGER audit_shoots"))
        owner.execute(text("TRUNCATE shoots CASCADE"))
        transaction.rollback()
