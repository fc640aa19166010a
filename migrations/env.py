"""Alembic environment: the app's database, GeoAlchemy2's helpers, one migrator at a time."""

from __future__ import annotations

from alembic import context
from geoalchemy2 import alembic_helpers
from sqlalchemy import Connection, make_url, text

from core.db import Base, engine_for
from core.privileges import grant_app_privileges

MIGRATION_LOCK = 3812_0001  # advisory lock key: concurrent `db upgrade` runs wait their turn


def _database_urls() -> tuple[str, str]:
    """The schema owner's URL, which migrates, and the app's, which gets its grants."""
    from flask import current_app, has_app_context

    from core.db import database_url, migration_database_url

    if has_app_context():
        app = current_app
    else:
        from core import create_app

        app = create_app()
    return migration_database_url(app), database_url(app)


def _grant_app_privileges(connection: Connection, app_url: str) -> None:
    app_role = make_url(app_url).username
    owner = connection.scalar(text("SELECT current_user"))
    if app_role and app_role != owner:  # else a single-role install: nothing to grant
        grant_app_privileges(connection, app_role)


def run_migrations_online() -> None:
    import core.models  # noqa: F401  (every table on the metadata, for autogenerate)

    owner_url, app_url = _database_urls()
    with engine_for(owner_url).connect() as connection:
        connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": MIGRATION_LOCK})
        try:
            context.configure(
                connection=connection,
                target_metadata=Base.metadata,
                include_object=alembic_helpers.include_object,
                process_revision_directives=alembic_helpers.writer,
                render_item=alembic_helpers.render_item,
                compare_type=True,
            )
            with context.begin_transaction():
                context.run_migrations()
                _grant_app_privileges(connection, app_url)
        finally:
            connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": MIGRATION_LOCK})
            connection.commit()


if context.is_offline_mode():
    raise SystemExit("Offline (SQL script) migrations are not supported.")
run_migrations_online()
