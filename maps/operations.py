"""What the map pages show: queries returning GeoJSON features (WGS84), no HTTP.

Every function takes the caller's session and only reads.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Numeric, Select, Text, func, literal_column, select
from sqlalchemy.dialects.postgresql import Range, aggregate_order_by
from sqlalchemy.orm import Session

from core.auth.models import User
from core.communes.models import Commune
from core.db import WGS84
from core.geo import as_geojson, feature
from core.mapping.builder import COORDINATE_DECIMALS
from locations.models import Location, LocationStatus
from shoots.models import Production, Shoot

# ---- locations -------------------------------------------------------------------------------


def published_location_points_json(session: Session, locale: str = "fr") -> str:
    """Every published location as the JSON list of compact points ``[lat, lon, name, commune]``
    (core.mapping.builder.compact_points' format, without spaces), built by PostgreSQL in one
    pass: for 50,000 locations a fraction of the time Python objects would take."""
    wgs84 = func.ST_Transform(Location.point, WGS84)
    point = func.concat(
        "[",
        func.round(func.ST_Y(wgs84).cast(Numeric), COORDINATE_DECIMALS),
        ",",
        func.round(func.ST_X(wgs84).cast(Numeric), COORDINATE_DECIMALS),
        ",",
        func.to_json(Location.name).cast(Text),
        ",",
        func.to_json(Commune.name_in(locale)).cast(Text),
        "]",
    )
    points = func.string_agg(point, aggregate_order_by(literal_column("','"), Location.id))
    query = (
        select(func.concat("[", points, "]"))
        .select_from(Location)
        .join(Commune, Commune.nis == Location.commune_nis)
        .where(Location.status == LocationStatus.PUBLISHED)
    )
    return session.scalar(query)


def commune_location_points(
    session: Session, nis: str, viewer: User | None
) -> list[dict[str, Any]]:
    """The commune's locations that are not archived and VIEWER may see, with their status."""
    rows = session.execute(
        select(
            Location.id,
            Location.name,
            Location.status,
            as_geojson(Location.point).label("geometry"),
        )
        .where(
            Location.commune_nis == nis,
            Location.status != LocationStatus.ARCHIVED,
            Location.visible_to(viewer),
        )
        .order_by(Location.id)
    )
    return [
        feature(json.loads(geometry), {"name": name, "status": status.value}, i)
        for i, name, status, geometry in rows
    ]


# ---- shoots ----------------------------------------------------------------------------------


def _shoot_query(*conditions: ColumnElement[bool]) -> Select:
    return (
        select(
            Shoot,
            Production,
            as_geojson(Shoot.footprint).label("footprint"),
            as_geojson(Shoot.parking).label("parking"),
            as_geojson(func.ST_PointOnSurface(Shoot.footprint)).label("spot"),
        )
        .join(Production, Production.id == Shoot.production_id)
        .where(Shoot.is_live, *conditions)
        .order_by(func.lower(Shoot.period), Shoot.id)
    )


@dataclass
class ShootShapes:
    """A shoot's map geometries (GeoJSON dicts) with the rows they came from."""

    shoot: Shoot
    production: Production
    footprint: dict[str, Any]
    parking: dict[str, Any] | None
    spot: dict[str, Any]


def _shapes(session: Session, query: Select) -> list[ShootShapes]:
    return [
        ShootShapes(
            shoot,
            production,
            json.loads(footprint),
            json.loads(parking) if parking else None,
            json.loads(spot),
        )
        for shoot, production, footprint, parking, spot in session.execute(query)
    ]


def upcoming(now: datetime | None = None) -> ColumnElement[bool]:
    """Shoots not over yet (their half-open period ends after NOW)."""
    return func.upper(Shoot.period) > (now or func.now())


def commune_shoots(session: Session, boundary_nis: str) -> list[ShootShapes]:
    """Live, upcoming shoots whose footprint touches the commune (PostGIS, indexed)."""
    boundary = select(Commune.boundary).where(Commune.nis == boundary_nis).scalar_subquery()
    return _shapes(session, _shoot_query(upcoming(), func.ST_Intersects(Shoot.footprint, boundary)))


def production_shoots(
    session: Session, production_id: int, start: date | None, end: date | None, tz: Any
) -> list[ShootShapes]:
    """A production's live shoots overlapping the days START..END (inclusive, in TZ)."""
    conditions = [Shoot.production_id == production_id]
    if start or end:
        lower = datetime.combine(start, time(), tz) if start else None
        upper = datetime.combine(end + timedelta(days=1), time(), tz) if end else None
        conditions.append(Shoot.period.overlaps(Range(lower, upper, bounds="[)")))
    return _shapes(session, _shoot_query(*conditions))
