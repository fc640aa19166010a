"""Geometry helpers shared by every package: parsing input, EPSG:3812 storage, GeoJSON output."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import shapely
from flask_babel import lazy_gettext as _l
from shapely.geometry.base import BaseGeometry
from sqlalchemy import ColumnElement, func, literal

from core.db import SRID, WGS84
from core.errors import InvalidInput

GEOJSON_DECIMALS = 6  # about 0.1 m: RFC 7946 advises against more
# Where EPSG:3812 projects reliably (Belgium with a wide margin), as WGS84 west, south, east,
# north. PROJ fails on points far away ("Point outside of projection domain"): test first.
LAMBERT_2008_BOUNDS = (1.5, 49.0, 7.0, 52.0)
MAX_VERTICES = 10_000  # per footprint, parking zone, area or outline (closing points count)
MAX_OUTLINE_SIZE_M = 5_000  # a location's outline fits in a 5 km square (a castle park, a quarry)


def check_coordinates(field: str, geometry: BaseGeometry) -> None:
    """A WGS84 GEOMETRY people sent: at most MAX_VERTICES vertices, finite coordinates inside
    LAMBERT_2008_BOUNDS (Belgium with a margin); else a 400 naming FIELD. Run before anything
    whose cost grows with the vertices (validity, reprojection, the database)."""
    count = shapely.get_num_coordinates(geometry)
    if count > MAX_VERTICES:
        raise InvalidInput(
            field,
            _l(
                "has %(count)s vertices; at most %(limit)s are accepted",
                count=count,
                limit=MAX_VERTICES,
            ),
        )
    coordinates = shapely.get_coordinates(geometry)
    if not np.isfinite(coordinates).all():
        raise InvalidInput(field, _l("coordinates must be finite numbers"))
    west, south, east, north = LAMBERT_2008_BOUNDS
    inside = (
        (coordinates[:, 0] >= west)
        & (coordinates[:, 0] <= east)
        & (coordinates[:, 1] >= south)
        & (coordinates[:, 1] <= north)
    )
    if not inside.all():
        raise InvalidInput(field, _l("lies outside Belgium: give [longitude, latitude] in degrees"))


def check_outline_size(field: str, lambert: BaseGeometry) -> None:
    """A location's outline (EPSG:3812) no wider or taller than MAX_OUTLINE_SIZE_M."""
    west, south, east, north = lambert.bounds
    if max(east - west, north - south) > MAX_OUTLINE_SIZE_M:
        raise InvalidInput(
            field,
            _l(
                "is larger than %(km)g km across: outline the site only",
                km=MAX_OUTLINE_SIZE_M / 1000,
            ),
        )


def parse_float(field: str, raw: Any, *, low: float, high: float) -> float:
    """A finite number within [LOW, HIGH], or a 400 naming FIELD."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        raise InvalidInput(field, _l("is required"))
    try:
        value = float(raw)
    except (TypeError, ValueError):
        raise InvalidInput(field, _l("must be a number, got %(raw)r", raw=raw)) from None
    if not math.isfinite(value):
        raise InvalidInput(field, _l("must be a finite number"))
    if not low <= value <= high:
        raise InvalidInput(field, _l("must be between %(low)g and %(high)g", low=low, high=high))
    return value


def parse_lon_lat(lon: Any, lat: Any) -> tuple[float, float]:
    return (
        parse_float("lon", lon, low=-180, high=180),
        parse_float("lat", lat, low=-90, high=90),
    )


def within_lambert_2008(lon: float, lat: float) -> bool:
    west, south, east, north = LAMBERT_2008_BOUNDS
    return west <= lon <= east and south <= lat <= north


BBox = tuple[float, float, float, float]  # min_lon, min_lat, max_lon, max_lat (WGS84)
BBOX_FORMAT = _l("must be four numbers: minLon,minLat,maxLon,maxLat")


def parse_bbox(raw: str) -> BBox:
    """A 'minLon,minLat,maxLon,maxLat' map window in WGS84; ValueError says what is wrong (the
    query schemas turn it into a 400 naming the parameter)."""
    parts = raw.split(",")
    if len(parts) == 6:
        raise ValueError(_l("three-dimensional boxes are not supported: give four numbers"))
    if len(parts) != 4:
        raise ValueError(BBOX_FORMAT)
    try:
        min_lon, min_lat, max_lon, max_lat = (float(part) for part in parts)
    except ValueError:
        raise ValueError(BBOX_FORMAT) from None
    if not all(math.isfinite(number) for number in (min_lon, min_lat, max_lon, max_lat)):
        raise ValueError(_l("must be finite numbers"))
    if not (-180 <= min_lon <= 180 and -180 <= max_lon <= 180):
        raise ValueError(_l("longitudes must be between -180 and 180"))
    if not (-90 <= min_lat <= 90 and -90 <= max_lat <= 90):
        raise ValueError(_l("latitudes must be between -90 and 90"))
    if min_lat > max_lat:
        raise ValueError(_l("the minimum latitude is above the maximum"))
    if min_lon > max_lon:
        raise ValueError(_l("boxes crossing the antimeridian are not supported"))
    return min_lon, min_lat, max_lon, max_lat


def envelope_3812(bbox: BBox) -> ColumnElement[Any]:
    """The map window as an EPSG:3812 polygon, for ST_Intersects against indexed geometry."""
    return func.ST_Transform(func.ST_MakeEnvelope(*bbox, WGS84), SRID)


def point_3812(lon: float, lat: float) -> ColumnElement[Any]:
    """A WGS84 lon/lat point as an EPSG:3812 geometry expression."""
    wgs84 = func.ST_SetSRID(func.ST_MakePoint(literal(lon), literal(lat)), WGS84)
    return func.ST_Transform(wgs84, SRID)


def as_geojson(column: Any) -> ColumnElement[str]:
    """RFC 7946 geometry text: WGS84, counter-clockwise exterior rings, 6 decimals."""
    return func.ST_AsGeoJSON(
        func.ST_ForcePolygonCCW(func.ST_Transform(column, WGS84)), GEOJSON_DECIMALS
    )


def feature(geometry: dict[str, Any] | None, properties: dict[str, Any], fid: Any) -> dict:
    return {"type": "Feature", "id": fid, "geometry": geometry, "properties": properties}
