"""The migrations and the models agree, and every migration can be undone and redone."""

from __future__ import annotations

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from geoalchemy2 import alembic_helpers
from sqlalchemy import Engine, text

import core.models  # noqa: F401  (every table on the metadata)
from core import create_app, embedded_db
from core.cli import alembic_config, upgrade_database
from core.db import Base, dispose_engines, engine_for

ROUND_TRIP_DATABASE = "tournages_migrations_test"


def schema_differences(engine: Engine) -> list:
    """What autogenerate would put in a new migration: nothing, if the models match."""
    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection,
            opts={"include_object": alembic_helpers.include_object, "compare_type": True},
        )
        return compare_metadata(context, Base.metadata)


def test_the_migrated_schema_matches_the_models(owner_engine):
    assert schema_differences(owner_engine) == []


def test_every_migration_downgrades_and_upgrades_again():
    urls = embedded_db.fresh_database(ROUND_TRIP_DATABASE)
    app = create_app({"DATABASE_URL": urls.app, "MIGRATION_DATABASE_URL": urls.owner})
    revisions = [s.revision for s in ScriptDirectory.from_config(alembic_config()).walk_revisions()]
    owner = engine_for(urls.owner)
    try:
        with app.app_context():
            upgrade_database()
            for revision in revisions:  # newest first, one step at a time
                with owner.connect() as connection:
                    current = connection.scalar(text("SELECT version_num FROM alembic_version"))
                assert current == revision
                command.downgrade(alembic_config(), "-1")
            with owner.connect() as connection:
                left = connection.scalars(
                    text(
                        "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
                        "AND tablename NOT IN ('spatial_ref_sys', 'alembic_version')"
                    )
                ).all()
            assert left == []
            upgrade_database()
        assert schema_differences(owner) == []
    finally:
        dispose_engines(urls.owner)
        dispose_engines(urls.app)
        embedded_db.drop_database(embedded_db.locate_cluster(), ROUND_TRIP_DATABASE)
