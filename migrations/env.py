"""Alembic environment: the app's database, GeoAlchemy2's helpers, one migrator at a time."""

from __future__ import annotations

from alembic import context
from geoalchemy2 import alembic_helpers
from sqlalchemy import text

from core.db import Base, engine_for

MIGRATION_LOCK = 3812_0001  # advisory lock key: concurrent `db upgrade` runs wait their turn


def _database_url() -> str:
    from flask import current_app, has_app_context

    from core.db import database_url

    if has_app_context():
        return database_url(current_app)
    from core import create_app

    return database_url(create_app())


def run_migrations_online() -> None:
    import core.models  # noqa: F401  (every table on the metadata, for autogenerate)

    with engine_for(_database_url()).connect() as connection:
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
        finally:
            connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": MIGRATION_LOCK})
            connection.commit()


if context.is_offline_mode():
    raise SystemExit("Offline (SQL script) migrations are not supported.")
run_migrations_online()
