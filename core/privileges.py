"""What the app's database role may do: decided here, table by table, for every table.

Migrations and backups run as the schema owner; the app connects as a role that owns nothing
and holds only the rights below. It cannot alter or drop a table, disable a trigger, truncate,
or rewrite the audit log (a decision is a record). After every migration run (migrations/env.py)
and every restore, `grant_app_privileges` makes the grants exactly these. A table missing here
stops the migration: a new table's rights are decided when it is created, not forgotten.
"""

from __future__ import annotations

from sqlalchemy import Connection, text

DML = "SELECT, INSERT, UPDATE, DELETE"
APP_PRIVILEGES: dict[str, str] = {
    "alembic_version": "SELECT",  # the schema revision, for diagnostics
    "api_tokens": DML,
    "audit_log": "SELECT, INSERT",  # append-only: the audit triggers insert as the app
    "communes": DML,  # `tournages communes load` runs as the app
    "location_categories": DML,
    "location_category_links": DML,
    "location_photos": DML,
    "locations": DML,
    "login_throttle": DML,  # failed log-ins per account and address (core.auth.throttle)
    "permit_amendment_reviews": DML,
    "permit_activity_rules": DML,
    "permit_amendments": DML,
    "permit_commune_services": DML,
    "permit_commune_settings": DML,
    "permit_documents": DML,
    "permit_events": DML,
    "permit_outbox": DML,
    "permit_request_shoots": DML,
    "permit_request_versions": "SELECT, INSERT",  # a frozen version is a record, as audit_log
    "permit_requests": DML,
    "permit_standard_conditions": DML,
    "permit_tariffs": DML,
    "production_coordinators": DML,
    "productions": DML,
    "province_names": "SELECT",  # German province names, seeded by migration 0011
    "shoot_blackouts": DML,
    "shoot_calendar_feeds": DML,
    "shoot_commune_settings": DML,
    "shoot_series": DML,
    "shoot_warning_overrides": DML,
    "shoots": DML,
    "users": DML,
}

OWNED_TABLES = text(
    """
    SELECT c.relname FROM pg_class c
    WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p', 'v', 'm')
      AND pg_has_role(c.relowner, 'USAGE')
      AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.classid = 'pg_class'::regclass
                      AND d.objid = c.oid AND d.deptype = 'e')
    ORDER BY c.relname
    """
)


class UndecidedPrivileges(RuntimeError):
    """A table exists whose app privileges APP_PRIVILEGES does not decide."""


def grant_app_privileges(connection: Connection, app_role: str) -> None:
    """Make APP_ROLE's rights on the schema owner's tables and sequences exactly APP_PRIVILEGES
    (run as the owner, inside the migration's transaction)."""
    tables = connection.scalars(OWNED_TABLES).all()
    undecided = sorted(set(tables) - APP_PRIVILEGES.keys())
    if undecided:
        raise UndecidedPrivileges(
            f"no app privileges decided for {', '.join(undecided)}: add them to "
            "core.privileges.APP_PRIVILEGES"
        )
    quote = connection.dialect.identifier_preparer.quote
    role = quote(app_role)
    for table in tables:
        connection.execute(text(f"REVOKE ALL ON TABLE {quote(table)} FROM {role}"))
        connection.execute(text(f"GRANT {APP_PRIVILEGES[table]} ON TABLE {quote(table)} TO {role}"))
    # Identity values for the inserts; not UPDATE (setval could make ids collide).
    sequences = connection.scalars(
        text(
            "SELECT c.relname FROM pg_class c WHERE c.relkind = 'S' "
            "AND c.relnamespace = 'public'::regnamespace AND pg_has_role(c.relowner, 'USAGE')"
        )
    ).all()
    for sequence in sequences:
        connection.execute(text(f"REVOKE ALL ON SEQUENCE {quote(sequence)} FROM {role}"))
        connection.execute(text(f"GRANT USAGE, SELECT ON SEQUENCE {quote(sequence)} TO {role}"))
