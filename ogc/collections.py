"""The registry of feature collections served under /ogc, and the queries that read them.

A collection is declared once (`register(Collection(...))`): a query builder for the rows the
public may see, the geometry (EPSG:3812), the id, the public properties and, optionally, a
time range. Filtering, paging, extents, reprojection (core.crs) and queryables (ogc.queryables)
are generic and run in PostGIS with the indexes: the bbox becomes one constant envelope in
EPSG:3812 tested with ST_Intersects (core.crs.envelope_from, core.geo.envelope_3812 for WGS84).
"""

from __future__ import annotations

import decimal
import enum
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask_babel import LazyString
from geoalchemy2 import Geometry
from sqlalchemy import ColumnElement, Select, func, literal
from sqlalchemy.orm import Session

from core import crs
from core.config import BRUSSELS
from core.db import SRID, WGS84
from ogc.filters import Interval


@dataclass(frozen=True)
class Collection:
    id: str
    title: LazyString | str
    description: LazyString | str
    query: Callable[[], Select]  # FROM / JOIN / WHERE of the public rows, no columns
    id_column: ColumnElement[Any]
    geometry: ColumnElement[Any]  # EPSG:3812
    properties: Mapping[str, ColumnElement[Any]]  # public properties only
    period: ColumnElement[Any] | None = None  # a tstzrange, half-open [start, end)
    keywords: tuple[str, ...] = field(default=())
    # When a feature last changed (its Last-Modified), if the rows record it.
    updated: ColumnElement[Any] | None = None


COLLECTIONS: dict[str, Collection] = {}
UPDATED_LABEL = "feature last updated"  # a label no property can have (no spaces in names)


def register(collection: Collection) -> None:
    COLLECTIONS[collection.id] = collection


@dataclass(frozen=True)
class Page:
    number_matched: int
    features: list[dict[str, Any]]


@dataclass(frozen=True)
class Query:
    """What a request for a page of features asks: its window, filters and CRS."""

    limit: int
    offset: int
    envelope: crs.Box | None = None  # in bbox_crs, PostGIS axis order
    bbox_crs: crs.Crs = crs.CRS84
    interval: Interval | None = None
    conditions: tuple[ColumnElement[bool], ...] = ()  # on properties (ogc.queryables)
    output_crs: crs.Crs = crs.CRS84


def json_value(value: Any) -> Any:
    """Property values as JSON: ISO 8601 times, enum values, plain numbers."""
    if isinstance(value, datetime):
        return value.astimezone(BRUSSELS).isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, decimal.Decimal):
        return float(value)
    return value


def _filters(collection: Collection, query: Query) -> list[ColumnElement[bool]] | None:
    """The WHERE conditions, or None when nothing can match."""
    conditions = list(query.conditions)
    if query.envelope is not None:
        area = crs.envelope_from(query.envelope, query.bbox_crs)
        if area is None:
            return None
        conditions.append(func.ST_Intersects(collection.geometry, area))
    if query.interval is not None and collection.period is not None:
        interval = query.interval
        if interval.empty:
            return None
        wanted = func.tstzrange(literal(interval.start), literal(interval.end), interval.bounds)
        conditions.append(collection.period.op("&&")(wanted))
    return conditions


def _feature(collection: Collection, row: Any) -> dict[str, Any]:
    properties = {name: json_value(getattr(row, name)) for name in collection.properties}
    return {
        "type": "Feature",
        "id": row.fid,
        "geometry": json.loads(row.geometry),
        "properties": properties,
    }


def _feature_query(collection: Collection, output_crs: crs.Crs) -> Select:
    return collection.query().add_columns(
        collection.id_column.label("fid"),
        crs.geojson_in(collection.geometry, output_crs).label("geometry"),
        *(column.label(name) for name, column in collection.properties.items()),
    )


def read_page(session: Session, collection: Collection, query: Query) -> Page:
    conditions = _filters(collection, query)
    if conditions is None:
        return Page(0, [])
    matched = session.scalar(collection.query().add_columns(func.count()).where(*conditions))
    rows = session.execute(
        _feature_query(collection, query.output_crs)
        .where(*conditions)
        .order_by(collection.id_column)
        .limit(query.limit)
        .offset(query.offset)
    )
    return Page(matched or 0, [_feature(collection, row) for row in rows])


def parse_fid(collection: Collection, raw: str) -> Any | None:
    """The feature id in the id column's type, or None if it cannot be one."""
    if collection.id_column.type.python_type is int:
        return int(raw) if raw.isdigit() and len(raw) < 10 else None
    return raw


@dataclass(frozen=True)
class FeatureRead:
    feature: dict[str, Any]
    updated: datetime | None  # when it last changed, for collections that record it


def read_feature(
    session: Session, collection: Collection, raw_fid: str, output_crs: crs.Crs
) -> FeatureRead | None:
    fid = parse_fid(collection, raw_fid)
    if fid is None:
        return None
    query = _feature_query(collection, output_crs).where(collection.id_column == fid)
    if collection.updated is not None:
        query = query.add_columns(collection.updated.label(UPDATED_LABEL))
    row = session.execute(query).first()
    if row is None:
        return None
    updated = row._mapping[UPDATED_LABEL] if collection.updated is not None else None
    return FeatureRead(_feature(collection, row), updated)


def spatial_extent(session: Session, collection: Collection) -> list[float] | None:
    """[min lon, min lat, max lon, max lat] covering the public rows.

    The extent is taken in EPSG:3812 (from each geometry's cached bounding box: cheap), then
    its densified outline is projected. The WGS84 box of a Lambert box is a little wider than
    the data (its edges are not meridians and parallels), never narrower; projecting every
    geometry instead took 0.3 s for a few thousand rows.
    """
    lambert_box = func.ST_SetSRID(func.ST_Extent(collection.geometry).cast(Geometry), SRID)
    box = func.ST_Envelope(func.ST_Transform(func.ST_Segmentize(lambert_box, 100.0), WGS84))
    corners = (func.ST_XMin(box), func.ST_YMin(box), func.ST_XMax(box), func.ST_YMax(box))
    row = session.execute(collection.query().add_columns(*corners)).one()
    return None if row[0] is None else [round(value, 6) for value in row]


def temporal_extent(session: Session, collection: Collection) -> list[str | None] | None:
    if collection.period is None:
        return None
    row = session.execute(
        collection.query().add_columns(
            func.min(func.lower(collection.period)), func.max(func.upper(collection.period))
        )
    ).one()
    return [json_value(value) for value in row]
