"""Geometry helpers shared by every package: parsing input, EPSG:3812 storage, GeoJSON output."""

from __future__ import annotations

import math
import re
import warnings
from typing import Any

import numpy as np
import shapely
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from pyproj import Transformer
from shapely.geometry import MultiPolygon, Polygon, shape
from shapely.geometry.base import BaseGeometry
from shapely.validation import explain_validity
from sqlalchemy import ColumnElement, func, literal

from core.db import SRID, WGS84
from core.errors import InvalidInput

GEOJSON_DECIMALS = 6  # about 0.1 m: RFC 7946 advises against more
# Where EPSG:3812 projects reliably (Belgium with a wide margin), as WGS84 west, south, east,
# north. PROJ fails on points far away ("Point outside of projection domain"): test first.
LAMBERT_2008_BOUNDS = (1.5, 49.0, 7.0, 52.0)
MAX_VERTICES = 10_000  # per footprint, parking zone, area or outline (closing points count)
MAX_OUTLINE_SIZE_M = 5_000  # a location's outline fits in a 5 km square (a castle park, a quarry)


def check_vertices(field: str, geometry: BaseGeometry) -> None:
    """At most MAX_VERTICES vertices, all finite; else a 400 naming FIELD. Run before anything
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
    if not np.isfinite(shapely.get_coordinates(geometry)).all():
        raise InvalidInput(field, _l("coordinates must be finite numbers"))


def check_coordinates(field: str, geometry: BaseGeometry) -> None:
    """A WGS84 GEOMETRY people sent: check_vertices, and every coordinate inside
    LAMBERT_2008_BOUNDS (Belgium with a margin); else a 400 naming FIELD."""
    check_vertices(field, geometry)
    coordinates = shapely.get_coordinates(geometry)
    west, south, east, north = LAMBERT_2008_BOUNDS
    inside = (
        (coordinates[:, 0] >= west)
        & (coordinates[:, 0] <= east)
        & (coordinates[:, 1] >= south)
        & (coordinates[:, 1] <= north)
    )
    if not inside.all():
        raise InvalidInput(field, _l("lies outside Belgium: give [longitude, latitude] in degrees"))


# ---- reprojection and polygons people send ---------------------------------------------------

_transformers: dict[tuple[int, int], Transformer] = {}


def reproject(geometry: Any, source: int, target: int) -> Any:
    """GEOMETRY (or an array of them) from EPSG:SOURCE to EPSG:TARGET, x = longitude or
    easting. The one reprojection in Python; one transformer per pair, made on first use."""
    if (source, target) not in _transformers:
        _transformers[source, target] = Transformer.from_crs(source, target, always_xy=True)
    return shapely.transform(geometry, _transformers[source, target].transform, interleaved=False)


def to_lambert(geometry: Any) -> Any:
    return reproject(geometry, WGS84, SRID)


def to_wgs84(geometry: Any) -> Any:
    return reproject(geometry, SRID, WGS84)


def geojson_shape(field: str, raw: Any) -> BaseGeometry:
    """A GeoJSON geometry object as a shapely geometry, or a 400 naming FIELD."""
    if not isinstance(raw, dict) or "type" not in raw:
        raise InvalidInput(field, _l("is missing, or is not a GeoJSON geometry"))
    try:
        with warnings.catch_warnings():  # NaN coordinates: check_vertices refuses them by name
            warnings.simplefilter("ignore", RuntimeWarning)
            return shape(raw)
    except (
        ValueError,
        TypeError,
        AttributeError,
        IndexError,
        KeyError,  # no "coordinates" member
        RecursionError,
        shapely.errors.GEOSException,
    ):
        raise InvalidInput(field, _l("has malformed coordinates")) from None


def as_multipolygon(geometry: BaseGeometry) -> MultiPolygon:
    """GEOMETRY's polygons as one MultiPolygon (lines and points of a collection left out)."""
    if isinstance(geometry, Polygon):
        return MultiPolygon([geometry])
    if isinstance(geometry, MultiPolygon):
        return geometry
    return MultiPolygon([g for g in getattr(geometry, "geoms", []) if isinstance(g, Polygon)])


def polygons_3812(field: str, geometry: BaseGeometry, crs: int = WGS84) -> MultiPolygon:
    """An area people sent (a Polygon or MultiPolygon in EPSG:CRS), checked and in EPSG:3812,
    or a 400 naming FIELD that says what is wrong. The one validation of every area: location
    outlines (typed or imported), shoot footprints and parking, blackout areas."""
    if geometry.geom_type not in ("Polygon", "MultiPolygon"):
        raise InvalidInput(field, _l("must be a Polygon, not a %(kind)s", kind=geometry.geom_type))
    if crs == WGS84:
        check_coordinates(field, geometry)  # before any work proportional to the vertices
    else:
        check_vertices(field, geometry)
    if geometry.is_empty:
        raise InvalidInput(field, _l("is empty"))
    if not geometry.is_valid:  # before the area: a symmetric bow-tie has a signed area of 0
        why = explain_validity(geometry)
        raise InvalidInput(field, _l("is not a valid polygon (%(why)s)", why=why))
    if geometry.area == 0:
        raise InvalidInput(field, _l("has no area"))
    lambert = reproject(geometry, crs, SRID)
    if not np.isfinite(shapely.get_coordinates(lambert)).all():
        raise InvalidInput(field, _l("coordinates are not valid in EPSG:%(crs)s", crs=crs))
    if not lambert.is_valid:  # a sliver made invalid by reprojection: repair, keep polygons
        lambert = shapely.make_valid(lambert)
    return as_multipolygon(lambert)


def polygon_3812(field: str, geometry: BaseGeometry, crs: int = WGS84) -> Polygon:
    """As polygons_3812, for a single Polygon (a location's outline)."""
    polygons = polygons_3812(field, geometry, crs)
    if len(polygons.geoms) != 1:
        raise InvalidInput(
            field, _l("must be one polygon, not %(count)s", count=len(polygons.geoms))
        )
    return polygons.geoms[0]


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


# What people type for a point: two numbers with dot decimals separated by a comma
# ("4.8617,50.4596", "4.8617, 50.4596"), or separated by spaces or a semicolon with dot or comma
# decimals ("4.8617 50.4596", "4,8617 50,4596", "4,8617;50,4596").
_NUMBER = re.compile(r"[+-]?\d+(?:\.\d+)?")
_LOOKS_NUMERIC = re.compile(r"[\d\s.,;+-]+")


def parse_point_text(raw: str) -> tuple[float, float] | None:
    """The lon, lat people typed, or None when RAW is not numbers (a place name). Two numbers
    written ambiguously ("4,8617,50,4596") are a ValueError saying how to write them."""
    text = raw.strip()
    if not _LOOKS_NUMERIC.fullmatch(text) or len(re.findall(r"\d+", text)) < 2:
        return None
    readings = [
        re.split(r"\s*,\s*", text),  # comma between the numbers, dot decimals
        [part.replace(",", ".") for part in re.split(r"\s*;\s*|\s+", text)],  # comma decimals
    ]
    for parts in readings:
        if len(parts) == 2 and all(_NUMBER.fullmatch(part) for part in parts):
            lon, lat = (float(part) for part in parts)
            if not (-180 <= lon <= 180 and -90 <= lat <= 90):
                raise ValueError(_("longitude must be within ±180 and latitude within ±90"))
            return lon, lat
    raise ValueError(
        _(
            "must be longitude,latitude (4.8617,50.4596; with decimal commas: 4,8617 50,4596 "
            "or 4,8617;50,4596) or a place name"
        )
    )


def within_lambert_2008(lon: float, lat: float) -> bool:
    west, south, east, north = LAMBERT_2008_BOUNDS
    return west <= lon <= east and south <= lat <= north


BBox = tuple[float, float, float, float]  # min_lon, min_lat, max_lon, max_lat (WGS84)
BBOX_FORMAT = _l("must be four numbers: minLon,minLat,maxLon,maxLat")
# A decimal number as a bbox holds it (ASCII digits: no "1_0", no "nan", no other scripts'
# digits, all of which float() would take), spaces around it allowed; the OpenAPI pattern.
DECIMAL = r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?"
_BBOX_NUMBER = rf" *{DECIMAL} *"
BBOX_PATTERN = rf"^{_BBOX_NUMBER}(?:,{_BBOX_NUMBER}){{3}}$"
_DECIMAL = re.compile(_BBOX_NUMBER)


def parse_bbox(raw: str) -> BBox:
    """A 'minLon,minLat,maxLon,maxLat' map window in WGS84; ValueError says what is wrong (the
    query schemas turn it into a 400 naming the parameter)."""
    parts = raw.split(",")
    if len(parts) == 6:
        raise ValueError(_l("three-dimensional boxes are not supported: give four numbers"))
    if len(parts) != 4 or not all(_DECIMAL.fullmatch(part) for part in parts):
        raise ValueError(BBOX_FORMAT)
    min_lon, min_lat, max_lon, max_lat = (float(part) for part in parts)
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


ENVELOPE_SEGMENT_DEGREES = 0.01  # parallels are curves in Lambert: densify before projecting


def envelope_3812(bbox: BBox) -> ColumnElement[Any] | None:
    """The WGS84 map window as an EPSG:3812 polygon, for ST_Intersects against indexed
    geometry; None when it misses Belgium (nothing can match). Clipped to LAMBERT_2008_BOUNDS:
    nothing of ours lies outside, and projecting, say, the whole globe would fail."""
    west, south, east, north = LAMBERT_2008_BOUNDS
    min_lon, min_lat = max(bbox[0], west), max(bbox[1], south)
    max_lon, max_lat = min(bbox[2], east), min(bbox[3], north)
    if min_lon > max_lon or min_lat > max_lat:
        return None
    box = func.ST_MakeEnvelope(
        literal(min_lon), literal(min_lat), literal(max_lon), literal(max_lat), WGS84
    )
    return func.ST_Transform(func.ST_Segmentize(box, ENVELOPE_SEGMENT_DEGREES), SRID)


def point_3812(lon: float, lat: float) -> ColumnElement[Any]:
    """A WGS84 lon/lat point as an EPSG:3812 geometry expression."""
    wgs84 = func.ST_SetSRID(func.ST_MakePoint(literal(lon), literal(lat)), WGS84)
    return func.ST_Transform(wgs84, SRID)


def as_geojson(
    column: Any,
    *,
    srid: int = WGS84,
    decimals: int = GEOJSON_DECIMALS,
    latitude_first: bool = False,
) -> ColumnElement[str]:
    """The one GeoJSON writer of every geometry we send (API, OGC, maps, documents): COLUMN
    (EPSG:3812) as GeoJSON geometry text, by default RFC 7946's — WGS84 longitude/latitude,
    6 decimals. Exterior rings run counter-clockwise and holes clockwise (the right-hand
    rule) before any axis swap (LATITUDE_FIRST: EPSG:4326's own order, for OGC's crs), so
    every CRS lists the vertices in the same order; never a `crs` member (option 0)."""
    moved = column if srid == SRID else func.ST_Transform(column, srid)
    oriented = func.ST_ForcePolygonCCW(moved)
    ordered = func.ST_FlipCoordinates(oriented) if latitude_first else oriented
    return func.ST_AsGeoJSON(ordered, decimals, 0)


def feature(geometry: dict[str, Any] | None, properties: dict[str, Any], fid: Any) -> dict:
    return {"type": "Feature", "id": fid, "geometry": geometry, "properties": properties}
