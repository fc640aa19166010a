"""Concurrent saves on committed data: of N coordinators booking the same place and time at the
same instant, exactly one wins, whether the clash is a library location (exclusion constraint)
or intersecting footprints (advisory locks)."""

from __future__ import annotations

import threading

import pytest
from geoalchemy2.shape import from_shape
from shapely.geometry import Point
from sqlalchemy import func, select

from core.auth.operations import create_user
from core.db import SRID, db
from core.errors import Conflict
from locations.models import Location
from shoots.models import Production, ProductionType, Shoot
from shoots.operations.shoots import create_shoot
from shoots.schemas import ShootIn
from tests.shoots.conftest import NAMUR, circle, offset, to_lambert

THREADS = 8


def _committed_production_and_location(app) -> tuple[int, int]:
    user = create_user(db.session, "racer@example.be", "coordinator", password=None)
    production = Production(
        title="Race", type=ProductionType.FEATURE, company="X", coordinators=[user]
    )
    location = Location(
        name="Gare de Namur",
        point=from_shape(Point(*to_lambert(*NAMUR)), srid=SRID),
        commune_nis="92094",
    )
    db.session.add_all([production, location])
    db.session.commit()
    return production.id, location.id


def _race(app, bodies: list[dict]) -> list[str]:
    barrier = threading.Barrier(len(bodies), timeout=30)  # never hang the suite
    outcomes: list[str] = []

    def book(body: dict) -> None:
        with app.app_context():  # its own session, hence its own connection
            barrier.wait()
            try:
                create_shoot(db.session, None, ShootIn.model_validate(body))
                db.session.commit()
                outcomes.append("booked")
            except Conflict:
                db.session.rollback()
                outcomes.append("refused")

    threads = [threading.Thread(target=book, args=(body,)) for body in bodies]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


def _live_shoots(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Shoot))


@pytest.mark.parametrize("by", ["location", "footprint"])
def test_exactly_one_of_many_concurrent_bookings_wins(committed_app, by):
    with committed_app.app_context():
        production_id, location_id = _committed_production_and_location(committed_app)
    bodies = []
    for number in range(THREADS):
        body = {
            "production_id": production_id,
            "starts_at": "2027-06-14T07:00",
            "ends_at": "2027-06-14T17:00",
            # all different footprints, each intersecting all the others
            "footprint": circle(*offset(*NAMUR, number * 3), 30),
        }
        if by == "location":
            body["location_id"] = location_id
            body["footprint"] = circle(*offset(*NAMUR, number * 500), 10)  # disjoint
        bodies.append(body)
    outcomes = _race(committed_app, bodies)
    assert sorted(outcomes) == ["booked"] + ["refused"] * (THREADS - 1)
    assert _live_shoots(committed_app) == 1
