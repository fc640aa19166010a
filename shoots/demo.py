"""Demo data: two productions with June 2027 shoots in Namur and a Saturday market blackout.

Made to show every rule: a set near another production's set (nearby warning), a shoot on
market morning (blackout warning), and a footprint straddling the Namur–Profondeville border
(the permits package splits it into one request per commune).
"""

from __future__ import annotations

from typing import Any

from shapely import wkb
from shapely.geometry import Point, mapping
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from core.auth.operations import find_user
from core.geo import as_multipolygon, to_lambert, to_wgs84
from locations.models import Location
from shoots.models import Production, ProductionType
from shoots.operations.blackouts import save_blackout
from shoots.operations.shoots import create_shoot
from shoots.schemas import BlackoutIn, ShootIn

NAMUR, PROFONDEVILLE = "92094", "92101"
BORDER_RADIUS_M = 40
_BORDER_POINT = text("""
    SELECT ST_AsBinary(ST_ClosestPoint(ST_Boundary(a.boundary), ST_Boundary(b.boundary)))
    FROM communes a, communes b WHERE a.nis = :a AND b.nis = :b
""")


def _circle(lon: float, lat: float, radius_m: float) -> dict[str, Any]:
    return dict(mapping(to_wgs84(to_lambert(Point(lon, lat)).buffer(radius_m))))


def _border_footprint(session: Session) -> dict[str, Any]:
    """A ~40 m circle around a point on the shared Namur–Profondeville border."""
    point = wkb.loads(bytes(session.scalar(_BORDER_POINT, {"a": NAMUR, "b": PROFONDEVILLE})))
    return dict(mapping(to_wgs84(as_multipolygon(point.buffer(BORDER_RADIUS_M)))))


def _production(session: Session, reference: str, owner: str, **values: Any) -> Production | None:
    """The demo production REFERENCE, created with its coordinator; None if already there."""
    if session.scalar(select(Production).where(Production.file_reference == reference)):
        return None
    coordinator = find_user(session, owner)
    production = Production(
        file_reference=reference,
        is_demo=True,
        coordinators=[coordinator] if coordinator else [],
        **values,
    )
    session.add(production)
    session.flush()
    return production


def _shoot(session: Session, production: Production, start: str, end: str, **fields: Any) -> None:
    body = ShootIn(production_id=production.id, starts_at=start, ends_at=end, **fields)
    create_shoot(session, None, body)


def load_demo(session: Session) -> str:
    first = _production(
        session,
        "WFC-DEMO-0001",
        "coordinator@demo.tournages.be",
        title="Le Dernier Train",
        type=ProductionType.FEATURE,
        company="Les Films du Confluent",
        contact_name="Claire Coordinatrice",
        contact_email="coordinator@demo.tournages.be",
    )
    if first is None:
        return "already there"
    station = session.scalar(
        select(Location).where(Location.name == "Gare de Namur", Location.is_demo)
    )
    if station is not None:
        _shoot(
            session,
            first,
            "2027-06-14T07:00",
            "2027-06-14T19:00",
            location_id=station.id,
            crew_size=60,
            vehicle_count=12,
            parking_suspension=True,
            activities={"parking_spaces": 8, "base_camp": True, "streets": ["Place de la Station"]},
            notes="Quai 1, arrivée du train",
        )
    else:
        _shoot(
            session,
            first,
            "2027-06-14T07:00",
            "2027-06-14T19:00",
            footprint=_circle(4.8624, 50.4685, 60),
            crew_size=60,
            vehicle_count=12,
            notes="Gare de Namur, quai 1",
        )
    _shoot(
        session,
        first,
        "2027-06-15T06:00",
        "2027-06-15T20:00",
        footprint=_circle(4.8617, 50.4596, 50),
        crew_size=45,
        notes="Citadelle, esplanade",
    )
    _shoot(
        session,
        first,
        "2027-06-16T07:00",
        "2027-06-16T18:00",
        footprint=_border_footprint(session),
        crew_size=25,
        road_closure=True,
        activities={"streets": ["Chemin de halage"]},
        notes="Chemin de halage à la limite Namur–Profondeville",
    )
    save_blackout(
        session,
        None,
        BlackoutIn(
            commune=NAMUR,
            kind="market",
            title="Marché du samedi matin",
            area=_circle(4.8665, 50.4640, 250),
            starts_at="2027-01-01T00:00",
            ends_at="2028-01-01T00:00",
            weekday=6,
            daily_start="07:00",
            daily_end="13:00",
        ),
    ).is_demo = True
    _shoot(
        session,
        first,
        "2027-06-19T08:00",
        "2027-06-19T16:00",
        footprint=_circle(4.8667, 50.4636, 30),
        crew_size=30,
        parking_suspension=True,
        notes="Rue de Fer, scène du marché",
    )
    second = _production(
        session,
        "WFC-DEMO-0002",
        "coordinator2@demo.tournages.be",
        title="Brume sur la Meuse",
        type=ProductionType.SERIES,
        company="Meuse Productions",
    )
    assert second is not None
    _shoot(
        session,
        second,
        "2027-06-15T10:00",
        "2027-06-15T18:00",
        footprint=_circle(4.8637, 50.4608, 30),
        crew_size=20,
        notes="Épisode 3, extérieur",
    )
    session.flush()
    return "2 productions, 5 shoots, 1 weekly market blackout"
