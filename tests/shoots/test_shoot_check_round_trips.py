"""The dry run: its cost in database round trips, its read-only session, its input checks."""

from __future__ import annotations

import psycopg
import pytest
from flask.testing import FlaskClient
from sqlalchemy import event

from core.auth.operations import create_token, create_user
from core.db import ReadOnlyViolation, autocommit_engine_for, db, engine_for
from shoots.models import Production, ProductionType
from tests.shoots.conftest import NAMUR, circle


def test_dry_run_is_two_statements_without_a_transaction(committed_app):
    """The token, then the engine's one query (which also reads the production and the
    Wallonia check): no BEGIN, no ROLLBACK (the token's last use is recorded at most once a
    minute, on a first request not counted)."""
    session = db.session
    user = create_user(session, "dry-run@example.be", "coordinator", password=None)
    production = Production(
        title="Essai", type=ProductionType.FEATURE, company="Essai", coordinators=[user]
    )
    session.add(production)
    session.flush()
    headers = {"Authorization": f"Bearer {create_token(session, user)}"}
    session.commit()
    body = {
        "production_id": production.id,
        "footprint": circle(*NAMUR, 30),
        "starts_at": "2027-06-14T07:00",
        "ends_at": "2027-06-14T17:00",
    }
    autocommit: list[bool] = []
    url = committed_app.config["DATABASE_URL"]
    engines = (engine_for(url), autocommit_engine_for(url))

    class RecordingCursor(psycopg.Cursor):
        """Every statement sent on the driver's cursors, SQLAlchemy's and the app's own
        (core.db.DriverStatement), with the connection's autocommit at that moment."""

        def execute(self, *args, **kwargs):
            autocommit.append(self.connection.autocommit)
            return super().execute(*args, **kwargs)

    def record(dbapi_connection, _record, _proxy) -> None:
        dbapi_connection.cursor_factory = RecordingCursor

    def stop_recording(dbapi_connection, _record) -> None:
        dbapi_connection.cursor_factory = psycopg.Cursor

    client = FlaskClient(committed_app, committed_app.response_class)
    with committed_app.app_context():  # records the token's use (once a minute): not counted
        client.post("/api/v1/conflicts/check", json=body, headers=headers)
    for engine in engines:
        event.listen(engine, "checkout", record)
        event.listen(engine, "checkin", stop_recording)
    try:
        with committed_app.app_context():  # its own `g`, hence its own session, as in production
            response = client.post("/api/v1/conflicts/check", json=body, headers=headers)
    finally:
        for engine in engines:
            event.remove(engine, "checkout", record)
            event.remove(engine, "checkin", stop_recording)
    assert response.status_code == 200, response.json
    assert response.json["ok"] is True
    assert autocommit == [True] * 2


def test_a_read_only_views_session_refuses_to_store(app):
    with app.app_context(), app.test_request_context("/api/v1/conflicts/check", method="POST"):
        db.session.add(Production(title="Fantôme", type=ProductionType.FEATURE, company="X"))
        with pytest.raises(ReadOnlyViolation):
            db.session.flush()
        db.session.rollback()


def test_other_views_keep_their_transaction(app):
    with app.app_context(), app.test_request_context("/api/v1/shoots", method="POST"):
        assert db.session.info["read_only"] is False


def test_dry_run_of_an_unknown_production_is_a_400_naming_the_field(client, headers):
    body = {
        "production_id": 999_999,
        "footprint": circle(*NAMUR, 30),
        "starts_at": "2027-06-14T07:00",
        "ends_at": "2027-06-14T17:00",
    }
    response = client.post("/api/v1/conflicts/check", json=body, headers=headers)
    assert response.status_code == 400
    assert response.json["field"] == "production_id"
