"""Response schemas every package's API shares: RFC 7946 geometries, links, pages of features.

They document the answers (core.openapi) and the tests validate real answers against them, so
a client generated from the description reads what the server sends.
"""

from __future__ import annotations

from typing import Annotated, Any, ClassVar, Literal

from pydantic import BaseModel, Field

from core.validation import GEOJSON

# [longitude, latitude] in WGS84 degrees, at most 6 decimals (core.geo.GEOJSON_DECIMALS).
Position = Annotated[list[float], Field(min_length=2, max_length=2)]
Ring = Annotated[list[Position], Field(min_length=4)]


class GeoJSONPoint(BaseModel):
    type: Literal["Point"]
    coordinates: Position


class GeoJSONPolygon(BaseModel):
    """Exterior ring counter-clockwise, holes clockwise (RFC 7946, the right-hand rule)."""

    type: Literal["Polygon"]
    coordinates: list[Ring]


class GeoJSONMultiPolygon(BaseModel):
    """Each polygon's exterior ring counter-clockwise, holes clockwise (RFC 7946)."""

    type: Literal["MultiPolygon"]
    coordinates: list[list[Ring]]


class Link(BaseModel):
    href: str
    rel: str
    type: str | None = None
    title: str | None = None


class FeaturePage(BaseModel):
    """A page of an RFC 7946 FeatureCollection: `numberMatched` features match, `links` lead
    to the `next` and `prev` pages (`limit` and `offset`)."""

    media_type: ClassVar[str] = GEOJSON

    type: Literal["FeatureCollection"]
    numberMatched: int = Field(ge=0)
    numberReturned: int = Field(ge=0)
    features: list[Any]
    links: list[Link]


class Deleted(BaseModel):
    """What became of a deleted record."""

    id: int
    result: str


Json = dict[str, Any]  # a nested part whose keys vary (a frozen document, a finding's other side)
