"""Optimistic locking (core.versioning): of two saves made from the same version one wins; the
other is a 409 naming the record in the user's language, never a 500 — whether its copy was
already out of date or the other save landed between its version check and its write."""

from __future__ import annotations

from datetime import datetime

import pytest
from flask.testing import FlaskClient
from geoalchemy2.shape import from_shape
from shapely.geometry import MultiPolygon, Point
from sqlalchemy.dialects.postgresql import Range

import core.versioning
import locations.operations
import shoots.operations.productions
import shoots.operations.shoots
from core.auth.operations import create_token, create_user
from core.config import BRUSSELS
from core.db import SRID, db
from core.geo import to_lambert
from locations.models import Location, LocationStatus
from shoots.models import Production, ProductionType, Shoot

NAMUR = (4.8617, 50.4596)
# Where each record's save checks the version its client edited.
CHECKING_MODULES = {
    "location": locations.operations,
    "production": shoots.operations.productions,
    "shoot": shoots.operations.shoots,
}


def _committed_records() -> tuple[dict[str, tuple[str, type]], list[str]]:
    """A location, a production and its shoot, committed, and two coordinators' tokens."""
    session = db.session
    users = [create_user(session, f"saver{n}@example.be", "coordinator") for n in range(2)]
    point = to_lambert(Point(*NAMUR))
    location = Location(
        name="Citadelle",
        status=LocationStatus.PUBLISHED,
        commune_nis="92094",
        point=from_shape(point, srid=SRID),
    )
    production = Production(
        title="Les Disputes", type=ProductionType.FEATURE, company="X", coordinators=users
    )
    start = datetime(2027, 6, 14, 7, tzinfo=BRUSSELS)
    shoot = Shoot(
        production=production,
        footprint=from_shape(MultiPolygon([point.buffer(30)]), srid=SRID),
        period=Range(start, start.replace(hour=17), bounds="[)"),
    )
    session.add_all([location, production, shoot])
    session.flush()
    tokens = [create_token(session, user) for user in users]
    session.commit()
    return {
        "location": (f"/api/v1/locations/{location.id}", Location),
        "production": (f"/api/v1/productions/{production.id}", Production),
        "shoot": (f"/api/v1/shoots/{shoot.id}", Shoot),
    }, tokens


CHANGED = {"location": "name", "production": "title", "shoot": "notes"}


def _change(kind: str, text: str) -> dict:
    """Set the record's CHANGED attribute to TEXT, from version 1."""
    if kind == "location":
        return {"type": "Feature", "properties": {"name": text, "version": 1}}
    return {CHANGED[kind]: text, "version": 1}


def _patch(app, url: str, body: dict, token: str, language: str):
    """A request in an application context of its own: its own session and connection, even
    when made while another request is running (Flask would reuse that one's context)."""
    headers = {"Authorization": f"Bearer {token}", "Accept-Language": language}
    with app.app_context():
        return FlaskClient(app, app.response_class).patch(url, json=body, headers=headers)


@pytest.mark.parametrize("kind", list(CHECKING_MODULES))
def test_a_save_landing_between_the_version_check_and_the_write_is_a_409(
    committed_app, monkeypatch, kind
):
    """B's copy is current when checked; A saves the same record right then, on its own
    connection, and commits; B's write then matches no row: one 200, one 409, no 500."""
    with committed_app.app_context():
        records, (token_a, token_b) = _committed_records()
    url, model = records[kind]
    responses = {}
    check_version = core.versioning.check_version

    def check_then_let_a_save(record, edited):
        check_version(record, edited)
        if "a" not in responses:
            responses["a"] = None  # A's own check passes straight through
            responses["a"] = _patch(committed_app, url, _change(kind, "A"), token_a, "fr")

    monkeypatch.setattr(CHECKING_MODULES[kind], "check_version", check_then_let_a_save)
    responses["b"] = _patch(committed_app, url, _change(kind, "B"), token_b, "de")
    assert (responses["a"].status_code, responses["b"].status_code) == (200, 409)
    record_id = int(url.rsplit("/", 1)[1])
    label = {"location": "den Drehort", "production": "die Produktion", "shoot": "den Dreh"}[kind]
    assert responses["b"].json["detail"] == (
        f"Jemand anderes hat {label} {record_id} im selben Moment gespeichert. "
        "Laden Sie neu und nehmen Sie Ihre Änderungen erneut vor."
    )
    with committed_app.app_context():
        stored = db.session.get(model, record_id)
        assert (stored.version, getattr(stored, CHANGED[kind])) == (2, "A")


@pytest.mark.parametrize("kind", list(CHECKING_MODULES))
def test_a_save_from_an_outdated_copy_is_a_409_before_anything_is_written(committed_app, kind):
    with committed_app.app_context():
        records, (token_a, token_b) = _committed_records()
    url, model = records[kind]
    first = _patch(committed_app, url, _change(kind, "A"), token_a, "fr")
    late = _patch(committed_app, url, _change(kind, "B"), token_b, "fr")
    assert (first.status_code, late.status_code) == (200, 409)
    record_id = int(url.rsplit("/", 1)[1])
    label = {"location": "le lieu", "production": "la production", "shoot": "le tournage"}[kind]
    assert late.json["detail"].startswith(
        f"Quelqu'un d'autre a modifié {label} {record_id} entre-temps (version 2 ; "
        "vous avez modifié la version 1)."
    )
    assert late.json["current_version"] == 2
    with committed_app.app_context():
        assert db.session.get(model, record_id).version == 2
