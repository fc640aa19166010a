"""The coordinate reference systems our open interfaces speak, and the SQL that converts to them.

Geometry is stored in EPSG:3812 (Lambert 2008). Clients may read it in CRS84 (WGS84
longitude/latitude, the GeoJSON default), EPSG:4326 (WGS84 in its official latitude/longitude
order), EPSG:3812 or EPSG:31370 (Lambert 72, still the CRS of many Walloon GIS layers). One
registry, one conversion: every collection of /ogc (and anything else that offers a choice of
CRS) goes through `geojson_in` and `envelope_from`, so the reprojection always runs in
PostGIS (ST_Transform inside the query), as pygeoapi's providers do.

Axis order follows each CRS's definition: EPSG:4326 is latitude first, CRS84 longitude first,
the Lambert projections easting then northing. PostGIS itself always stores x = longitude, so
coordinates are swapped (ST_FlipCoordinates) on the way out and on the way in for EPSG:4326.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pyproj import Transformer
from sqlalchemy import ColumnElement, func, literal

from core.db import SRID, WGS84
from core.geo import LAMBERT_2008_BOUNDS, as_geojson, envelope_3812

OGC_CRS_URI = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
EPSG_URI = "http://www.opengis.net/def/crs/EPSG/0/{code}"

Box = tuple[float, float, float, float]  # min x, min y, max x, max y in PostGIS axis order


def _projected(box: Box, srid: int) -> Box:
    """The WGS84 BOX as a (slightly larger) box in SRID: where that projection is valid."""
    west, south, east, north = Transformer.from_crs(WGS84, srid, always_xy=True).transform_bounds(
        *box, densify_pts=21
    )
    return west, south, east, north


@dataclass(frozen=True)
class Crs:
    uri: str
    srid: int
    title: str
    latitude_first: bool  # the CRS defines latitude as its first axis (EPSG:4326)
    decimals: int  # output precision: 6 decimal degrees or 3 decimal metres, both ~0.1 m or less
    # Where geometry can be converted reliably (Belgium with a wide margin) in PostGIS order:
    # boxes are clipped to it first, since PROJ cannot project, say, the South Pole to 3812.
    valid_area: Box

    @property
    def geographic(self) -> bool:
        return self.srid == WGS84

    def header(self) -> str:
        """The value of a Content-Crs header (OGC API – Features Part 2): the URI in <>."""
        return f"<{self.uri}>"


CRS84 = Crs(OGC_CRS_URI, WGS84, "WGS 84 (longitude, latitude)", False, 6, LAMBERT_2008_BOUNDS)
WGS84_LATITUDE_FIRST = Crs(
    EPSG_URI.format(code=4326), WGS84, "WGS 84 (latitude, longitude)", True, 6, LAMBERT_2008_BOUNDS
)
LAMBERT_2008 = Crs(
    EPSG_URI.format(code=3812),
    3812,
    "ETRS89 / Belgian Lambert 2008",
    False,
    3,
    _projected(LAMBERT_2008_BOUNDS, 3812),
)
LAMBERT_72 = Crs(
    EPSG_URI.format(code=31370),
    31370,
    "BD72 / Belgian Lambert 72",
    False,
    3,
    _projected(LAMBERT_2008_BOUNDS, 31370),
)
SUPPORTED: tuple[Crs, ...] = (CRS84, WGS84_LATITUDE_FIRST, LAMBERT_2008, LAMBERT_72)
BY_URI = {crs.uri: crs for crs in SUPPORTED}
STORAGE = next(crs for crs in SUPPORTED if crs.srid == SRID)  # what core.db stores


def parse_crs(uri: str) -> Crs:
    """The supported CRS named by URI, or ValueError listing the supported ones."""
    crs = BY_URI.get(uri.strip())
    if crs is None:
        supported = ", ".join(BY_URI)
        raise ValueError(f"{uri!r} is not a supported CRS; use one of {supported}")
    return crs


def geojson_in(geometry: Any, crs: Crs) -> ColumnElement[str]:
    """GEOMETRY (EPSG:3812) as GeoJSON geometry text in CRS, in the CRS's axis order and
    precision, without a `crs` member (the Content-Crs header says it): core.geo.as_geojson,
    the one writer, with the CRS's options."""
    return as_geojson(
        geometry, srid=crs.srid, decimals=crs.decimals, latitude_first=crs.latitude_first
    )


def clip(box: Box, crs: Crs) -> Box | None:
    """BOX (PostGIS order, in CRS) within the CRS's valid area, or None when they miss."""
    west, south, east, north = crs.valid_area
    clipped = (max(box[0], west), max(box[1], south), min(box[2], east), min(box[3], north))
    if clipped[0] > clipped[2] or clipped[1] > clipped[3]:
        return None
    return clipped


def envelope_from(box: Box, crs: Crs) -> ColumnElement[Any] | None:
    """BOX (PostGIS order, in CRS) as an EPSG:3812 polygon for ST_Intersects against indexed
    geometry, or None when it misses the area we can project. Its edges are densified before
    projecting: a parallel, or a Lambert 72 grid line, is a curve in Lambert 2008. A WGS84 box
    is core.geo's map window, the one every other bbox of the application goes through."""
    if crs.geographic:
        return envelope_3812(box)
    clipped = clip(box, crs)
    if clipped is None:
        return None
    polygon = func.ST_MakeEnvelope(*(literal(value) for value in clipped), crs.srid)
    if crs.srid == SRID:
        return polygon
    segment = 100.0  # metres, as core.geo's 0.01 degree
    return func.ST_Transform(func.ST_Segmentize(polygon, segment), SRID)
