"""Turning what people type into safe values: Brussels wall-clock times and footprints."""

from __future__ import annotations

import json
import warnings
from datetime import UTC, datetime, timedelta
from typing import Any

import shapely
from pyproj import Transformer
from shapely import make_valid
from shapely.geometry import MultiPolygon, Polygon, shape
from shapely.geometry.base import BaseGeometry
from shapely.validation import explain_validity
from sqlalchemy import text
from sqlalchemy.orm import Session

from core.config import BRUSSELS, in_brussels
from core.db import SRID, WGS84
from core.errors import InvalidInput
from core.geo import check_coordinates
from core.validation import check_date_window

MAX_PERIOD = timedelta(days=90)
WALLONIA_TOLERANCE_M = 200  # commune polygons are simplified: slivers at the borders
_to_lambert = Transformer.from_crs(WGS84, SRID, always_xy=True).transform
_to_wgs84 = Transformer.from_crs(SRID, WGS84, always_xy=True).transform


def parse_time(field: str, raw: Any) -> datetime:
    """An aware UTC datetime from ISO 8601 with an offset, or a Brussels wall-clock time.

    Wall-clock times that do not exist (clocks jump forward) or happen twice (clocks go back)
    are refused: the user must say which instant they mean, with an offset.
    """
    if isinstance(raw, datetime):
        parsed = raw
    elif isinstance(raw, str) and raw.strip():
        try:
            parsed = datetime.fromisoformat(raw.strip())
        except ValueError:
            raise InvalidInput(field, f"is not a date and time: {raw!r}") from None
    else:
        raise InvalidInput(field, "is required (e.g. 2027-06-14T07:00)")
    check_date_window(field, parsed)  # before converting: year 1 or 9999 would overflow
    if parsed.tzinfo is not None:
        return parsed.astimezone(UTC)
    earlier = parsed.replace(tzinfo=BRUSSELS, fold=0)
    later = parsed.replace(tzinfo=BRUSSELS, fold=1)
    if earlier.utcoffset() != later.utcoffset():
        round_trip = earlier.astimezone(UTC).astimezone(BRUSSELS).replace(tzinfo=None)
        if round_trip != parsed:
            raise InvalidInput(field, f"{raw} does not exist in Brussels (clocks go forward)")
        raise InvalidInput(
            field, f"{raw} happens twice in Brussels (clocks go back): give the UTC offset"
        )
    return earlier.astimezone(UTC)


def parse_period(
    starts_raw: Any, ends_raw: Any, longest: timedelta | None = MAX_PERIOD
) -> tuple[datetime, datetime]:
    starts_at = parse_time("starts_at", starts_raw)
    ends_at = parse_time("ends_at", ends_raw)
    if ends_at <= starts_at:
        raise InvalidInput("ends_at", "must be after starts_at")
    if longest is not None and ends_at - starts_at > longest:
        raise InvalidInput("ends_at", f"the period may last at most {longest.days} days")
    return starts_at, ends_at


def local_iso(moment: datetime) -> str:
    return in_brussels(moment).isoformat()


def parse_area(field: str, raw: Any) -> MultiPolygon:
    """A GeoJSON Polygon or MultiPolygon (EPSG:4326) as a valid EPSG:3812 MultiPolygon."""
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except (json.JSONDecodeError, RecursionError):  # typed in a form: no body depth check
            raise InvalidInput(field, "is not GeoJSON") from None
    if not isinstance(raw, dict) or raw.get("type") not in ("Polygon", "MultiPolygon"):
        raise InvalidInput(field, "must be a GeoJSON Polygon or MultiPolygon")
    try:
        with warnings.catch_warnings():  # NaN coordinates: refused just below, by name
            warnings.simplefilter("ignore", RuntimeWarning)
            geometry = shape(raw)
    except (
        ValueError,
        TypeError,
        AttributeError,
        IndexError,
        KeyError,  # no "coordinates" member
        RecursionError,
        shapely.errors.GEOSException,
    ):
        raise InvalidInput(field, "has malformed coordinates") from None
    check_coordinates(field, geometry)  # before any work proportional to the vertices
    if geometry.is_empty:
        raise InvalidInput(field, "is empty")
    if not geometry.is_valid:  # before the area: a symmetric bow-tie has a signed area of 0
        raise InvalidInput(field, f"is not a valid polygon ({explain_validity(geometry)})")
    if geometry.area == 0:
        raise InvalidInput(field, "has no area")
    lambert = to_lambert(geometry)
    if not lambert.is_valid:  # a sliver made invalid by reprojection: repair, keep polygons
        lambert = make_valid(lambert)
    return as_multipolygon(lambert)


def as_multipolygon(geometry: BaseGeometry) -> MultiPolygon:
    if isinstance(geometry, Polygon):
        return MultiPolygon([geometry])
    if isinstance(geometry, MultiPolygon):
        return geometry
    polygons = [g for g in getattr(geometry, "geoms", []) if isinstance(g, Polygon)]
    return MultiPolygon(polygons)


def to_wgs84(geometry: BaseGeometry) -> BaseGeometry:
    return shapely.transform(geometry, _to_wgs84, interleaved=False)


def to_lambert(geometry: BaseGeometry) -> BaseGeometry:
    return shapely.transform(geometry, _to_lambert, interleaved=False)


OUTSIDE_WALLONIA = "lies (partly) outside Wallonia"


def outside_wallonia_sql(area: str) -> str:
    """SQL: how many vertices of AREA (an EPSG:3812 geometry expression) lie neither in a
    Walloon commune nor within the sliver tolerance of one (0 for NULL)."""
    return f"""
        SELECT count(*) FROM ST_DumpPoints({area}) AS vertex
        WHERE NOT EXISTS (
            SELECT 1 FROM communes c
            WHERE c.retired_at IS NULL
              AND ST_DWithin(c.boundary, vertex.geom, {WALLONIA_TOLERANCE_M}))"""


OUTSIDE_WALLONIA_SQL = text(outside_wallonia_sql(f"ST_SetSRID(CAST(:area AS geometry), {SRID})"))


def check_in_wallonia(session: Session, field: str, area: MultiPolygon) -> None:
    """Every vertex must lie in (or within the sliver tolerance of) a Walloon commune."""
    if session.scalar(OUTSIDE_WALLONIA_SQL, {"area": area.wkb_hex}):
        raise InvalidInput(field, OUTSIDE_WALLONIA)
