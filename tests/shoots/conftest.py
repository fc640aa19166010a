"""Fixtures of the shoots tests: GeoJSON helpers and a coordinator with a production."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from geoalchemy2.shape import from_shape
from pyproj import Transformer
from shapely.geometry import Point, mapping
from sqlalchemy.dialects.postgresql import Range

from core.db import SRID, db
from core.geo import to_wgs84 as geometry_to_wgs84
from shoots.models import Shoot

to_lambert = Transformer.from_crs(4326, SRID, always_xy=True).transform
to_wgs84 = Transformer.from_crs(SRID, 4326, always_xy=True).transform
NAMUR = (4.8617, 50.4596)


def circle(lon: float, lat: float, radius_m: float) -> dict[str, Any]:
    """A GeoJSON polygon (EPSG:4326): a RADIUS_M circle around (lon, lat)."""
    lambert = Point(*to_lambert(lon, lat)).buffer(radius_m)
    return dict(mapping(geometry_to_wgs84(lambert)))


def offset(lon: float, lat: float, east_m: float, north_m: float = 0) -> tuple[float, float]:
    x, y = to_lambert(lon, lat)
    return to_wgs84(x + east_m, y + north_m)


def overlap(a: dict[str, Any], b: dict[str, Any]) -> bool:
    return a["starts_at"] < b["ends_at"] and b["starts_at"] < a["ends_at"]


def store_shoots(shoots: list[dict[str, Any]], productions: list, locations: list) -> None:
    """Store scenario SHOOTS (dicts: footprint, optional parking, starts_at, ends_at, production
    and location as indexes into PRODUCTIONS and LOCATIONS, cancelled) as rows, as they are;
    each dict gets its "id". The exclusion constraint forbids double bookings among live
    shoots: such a shoot loses its location (set to None in its dict too)."""
    held: list[dict[str, Any]] = []
    for shoot in shoots:
        if (
            shoot["location"] is not None
            and not shoot["cancelled"]
            and any(h["location"] == shoot["location"] and overlap(h, shoot) for h in held)
        ):
            shoot["location"] = None
        parking = shoot.get("parking")
        row = Shoot(
            production_id=productions[shoot["production"]].id,
            location_id=None if shoot["location"] is None else locations[shoot["location"]].id,
            footprint=from_shape(shoot["footprint"], srid=SRID),
            parking=None if parking is None else from_shape(parking, srid=SRID),
            period=Range(shoot["starts_at"], shoot["ends_at"], bounds="[)"),
            status="cancelled" if shoot["cancelled"] else "planned",
        )
        db.session.add(row)
        db.session.flush()
        shoot["id"] = row.id
        if not shoot["cancelled"]:
            held.append(shoot)


@pytest.fixture
def coordinator(make_user):
    return make_user("coordinator")


@pytest.fixture
def production(create_production, coordinator):
    return create_production(coordinators=[coordinator])


@pytest.fixture
def other_production(create_production, coordinator):
    """A second production of the same coordinator: its sets near the first one's warn."""
    return create_production(coordinators=[coordinator])


@pytest.fixture
def headers(token_for, coordinator) -> dict[str, str]:
    return token_for(coordinator)


@pytest.fixture
def post_shoot(client, headers, production) -> Callable[..., Any]:
    """Factory: post_shoot(**fields) -> response; defaults to a 30 m circle in Namur on
    14 June 2027 from 07:00 to 17:00 (Brussels)."""

    def post(headers: dict[str, str] = headers, **fields):
        body = {
            "production_id": production.id,
            "footprint": circle(*NAMUR, 30),
            "starts_at": "2027-06-14T07:00",
            "ends_at": "2027-06-14T17:00",
            **fields,
        }
        return client.post("/api/v1/shoots", json=body, headers=headers)

    return post
