"""Shoot.is_live: the one definition of a live shoot (not cancelled, nor its production), the
same in Python, in SQLAlchemy queries and in the raw statements of the engine and the report."""

from __future__ import annotations

from datetime import datetime

import pytest
from icalendar import Calendar
from sqlalchemy import select, text

from core.db import db
from shoots.models import ProductionStatus, Shoot, ShootStatus, live_shoot_sql
from shoots.operations.report import conflict_report
from shoots.operations.shoots import findings_for
from tests.conftest import BRUSSELS
from tests.shoots.conftest import NAMUR, circle, offset

JUNE = datetime(2027, 6, 14, 7, 0, tzinfo=BRUSSELS)
COMBINATIONS = [
    (ShootStatus.PLANNED, ProductionStatus.PREPARATION, True),
    (ShootStatus.PLANNED, ProductionStatus.WRAPPED, True),  # wrapped: its shoots still happened
    (ShootStatus.PLANNED, ProductionStatus.CANCELLED, False),
    (ShootStatus.CANCELLED, ProductionStatus.PREPARATION, False),
    (ShootStatus.CANCELLED, ProductionStatus.CANCELLED, False),
]


@pytest.fixture
def shoots_of_every_kind(create_production, create_shoot) -> dict[int, bool]:
    """Shoot id -> whether it is live, one shoot per combination, a kilometre apart."""
    expected = {}
    for number, (shoot_status, production_status, live) in enumerate(COMBINATIONS):
        production = create_production(status=production_status)
        shoot = create_shoot(*offset(*NAMUR, 1000 * number), production=production,
                             status=shoot_status)  # fmt: skip
        expected[shoot.id] = live
    return expected


def test_python_sql_and_raw_sql_agree(app, shoots_of_every_kind):
    expected = shoots_of_every_kind
    ids = list(expected)
    in_python = {
        s.id: s.is_live for s in db.session.scalars(select(Shoot).where(Shoot.id.in_(ids)))
    }
    in_sql = set(db.session.scalars(select(Shoot.id).where(Shoot.id.in_(ids), Shoot.is_live)))
    raw = text(f"SELECT s.id FROM shoots s WHERE s.id = ANY(:ids) AND {live_shoot_sql('s')}")
    in_raw_sql = set(db.session.scalars(raw, {"ids": ids}))
    assert in_python == expected
    assert in_sql == in_raw_sql == {shoot_id for shoot_id, live in expected.items() if live}


def test_shoots_of_a_cancelled_production_neither_warn_nor_pair(
    app, create_production, create_shoot
):
    ours = create_shoot(*NAMUR, start=JUNE)
    theirs = create_shoot(*offset(*NAMUR, 100), start=JUNE, production=create_production())
    warned = {f.other.get("id") for f in findings_for(db.session, ours).warnings}
    pairs = conflict_report(db.session, JUNE.replace(hour=0), JUNE.replace(hour=23))
    assert theirs.id in warned and len(pairs) == 1
    theirs.production.status = ProductionStatus.CANCELLED  # the shoot's own status untouched
    db.session.flush()
    assert theirs.id not in {f.other.get("id") for f in findings_for(db.session, ours).warnings}
    assert conflict_report(db.session, JUNE.replace(hour=0), JUNE.replace(hour=23)) == []


def test_cancelling_a_production_cancels_its_shoots_and_frees_their_place(
    client, headers, post_shoot, production, create_location, make_user, token_for,
    create_production,
):  # fmt: skip
    station = create_location(*NAMUR, name="Gare de Namur")
    booked = post_shoot(location_id=station.id).json
    feed = f"/api/v1/calendars/production/{production.id}.ics"
    before = Calendar.from_ical(client.get(feed, headers=headers).data).walk("VEVENT")[0]
    assert str(before["STATUS"]) == "CONFIRMED"

    current = client.get(f"/api/v1/productions/{production.id}", headers=headers).json
    response = client.patch(
        f"/api/v1/productions/{production.id}",
        json={"status": "cancelled", "version": current["version"]},
        headers=headers,
    )
    assert response.status_code == 200, response.json
    shoot = db.session.get(Shoot, booked["id"])
    assert shoot.status is ShootStatus.CANCELLED and not shoot.is_live
    after = Calendar.from_ical(client.get(feed, headers=headers).data).walk("VEVENT")[0]
    assert str(after["STATUS"]) == "CANCELLED" and after["SEQUENCE"] > before["SEQUENCE"]

    # Another production takes the station at the same time: the database's no-double-booking
    # constraint lets it, as the conflict engine does.
    other = make_user("coordinator")
    rival = create_production(coordinators=[other])
    taken = client.post(
        "/api/v1/shoots",
        json={
            "production_id": rival.id,
            "location_id": station.id,
            "footprint": circle(*NAMUR, 30),
            "starts_at": "2027-06-14T07:00",
            "ends_at": "2027-06-14T17:00",
        },
        headers=token_for(other),
    )
    assert taken.status_code == 201, taken.json


def test_location_search_counts_live_shoots_only(client, create_location, create_production,
                                                 create_shoot):  # fmt: skip
    station = create_location(*NAMUR, name="Gare de Namur")
    production = create_production()
    create_shoot(*NAMUR, start=JUNE, location=station, production=production)
    week = "available_from=2027-06-14&available_to=2027-06-15"

    def available() -> bool:
        found = client.get(f"/api/v1/locations?{week}").json
        return station.id in {f["id"] for f in found["features"]}

    assert not available()
    production.status = ProductionStatus.CANCELLED
    assert available()
