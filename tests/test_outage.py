"""The database goes away and comes back: 503s that say so in the user's language, no internal
detail, and recovery without restarting the app."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask

from core import create_app, embedded_db
from core.auth.operations import create_token, create_user
from core.cli import upgrade_database
from core.db import db, dispose_engines

DATABASE = "tournages_outage_test"


@pytest.fixture
def outage_app() -> Iterator[Flask]:
    urls = embedded_db.fresh_database(DATABASE)
    app = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": urls.app,
            "MIGRATION_DATABASE_URL": urls.owner,
            "SECRET_KEY": "test-secret",
        }
    )
    with app.app_context():
        upgrade_database()
    yield app
    for url in (urls.app, urls.owner):  # their pools hold connections the outage cut
        dispose_engines(url)
    _allow_connections(True)
    embedded_db.drop_database(embedded_db.ensure_running(), DATABASE)


def _allow_connections(allowed: bool) -> None:
    """Close the database to everyone, cutting the app's open connections, or open it again."""
    cluster = embedded_db.ensure_running()
    with embedded_db._admin_connection(cluster) as admin:
        admin.execute(f'ALTER DATABASE "{DATABASE}" ALLOW_CONNECTIONS {str(allowed).lower()}')
        if not allowed:
            admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s",
                (DATABASE,),
            )


def test_a_database_outage_is_a_503_and_the_app_recovers_by_itself(outage_app):
    client = outage_app.test_client()
    assert client.get("/healthz").status_code == 200
    assert client.get("/api/v1/locations").status_code == 200  # a pooled connection now

    _allow_connections(False)
    health = client.get("/healthz")
    assert health.status_code == 503
    assert health.get_json() == {"status": "unavailable", "database": "down"}
    api = client.get("/api/v1/locations")
    assert api.status_code == 503 and api.get_json()["error"] == "database_unavailable"
    for text in (DATABASE, "socket", "psycopg", str(embedded_db.locate_cluster().socket_dir)):
        assert text not in api.get_data(as_text=True) + health.get_data(as_text=True)
    french = client.get("/locations", headers={"Accept-Language": "fr"})
    assert french.status_code == 503 and french.headers["Retry-After"] == "30"
    assert "Momentanément indisponible" in french.get_data(as_text=True)
    german = client.get("/locations", headers={"Accept-Language": "de"})
    assert "Vorübergehend nicht verfügbar" in german.get_data(as_text=True)

    _allow_connections(True)
    assert client.get("/healthz").status_code == 200  # same process, same pool: no restart
    assert client.get("/api/v1/locations").status_code == 200


def test_the_statements_run_on_the_drivers_cursor_fail_as_503_and_recover(outage_app):
    """The bearer token's look-up and the conflict check run on psycopg's cursor, not through
    SQLAlchemy's execution (core.db.DriverStatement): a lost connection is still a 503, and the
    pool replaces it."""
    with outage_app.app_context():
        user = create_user(db.session, "outage@example.be", "admin", password=None)
        headers = {"Authorization": f"Bearer {create_token(db.session, user)}"}
        db.session.commit()
    client = outage_app.test_client()
    body = {"footprint": {"type": "Point", "coordinates": [4.86, 50.46]}}
    assert client.post("/api/v1/conflicts/check", json=body, headers=headers).status_code == 400

    _allow_connections(False)
    refused = client.post("/api/v1/conflicts/check", json=body, headers=headers)
    assert refused.status_code == 503, refused.get_json()
    assert refused.get_json()["error"] == "database_unavailable"
    assert "psycopg" not in refused.get_data(as_text=True)

    _allow_connections(True)
    assert client.post("/api/v1/conflicts/check", json=body, headers=headers).status_code == 400
