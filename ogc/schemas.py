"""Query and response schemas of /ogc: they validate requests and make its OpenAPI document."""

from __future__ import annotations

from typing import Any, ClassVar, Literal

from pydantic import BaseModel, Field, field_validator

from ogc.filters import parse_bbox, parse_datetime

MAX_LIMIT = 1000
DEFAULT_LIMIT = 10


class FormatQuery(BaseModel):
    f: Literal["json", "html"] | None = Field(
        None, description="Encoding; without it the Accept header decides (JSON by default)."
    )


class ItemsQuery(FormatQuery):
    bbox: str | None = Field(
        None,
        description="minLon,minLat,maxLon,maxLat in WGS84 (CRS84): features intersecting it.",
        examples=["4.80,50.40,4.95,50.50"],
    )
    interval: str | None = Field(
        None,
        alias="datetime",
        description=(
            "An RFC 3339 instant or date, or an interval start/end ('..' for open): features "
            "whose time range meets it (collections with times only)."
        ),
        examples=["2027-06-01/2027-06-30"],
    )
    limit: int = Field(
        DEFAULT_LIMIT,
        ge=1,
        description=f"Page size; larger values are served as {MAX_LIMIT}.",
        json_schema_extra={"maximum": MAX_LIMIT},
    )
    offset: int = Field(0, ge=0, le=10_000_000, description="Features to skip.")

    @field_validator("bbox")
    @classmethod
    def _check_bbox(cls, value: str | None) -> str | None:
        if value is not None:
            parse_bbox(value)
        return value

    @field_validator("interval")
    @classmethod
    def _check_datetime(cls, value: str | None) -> str | None:
        if value is not None:
            parse_datetime(value)
        return value

    @field_validator("limit")
    @classmethod
    def _clamp_limit(cls, value: int) -> int:
        return min(value, MAX_LIMIT)


class Link(BaseModel):
    href: str
    rel: str
    type: str | None = None
    title: str | None = None


class OgcDocument(BaseModel):
    """A response also available as an HTML page (?f=html, or a browser's Accept header)."""

    alternate_media_types: ClassVar[tuple[str, ...]] = ("text/html",)


class LandingPage(OgcDocument):
    """The entry point: links to the API description, conformance and collections."""

    title: str
    description: str
    links: list[Link]


class Conformance(OgcDocument):
    """The OGC conformance classes this service implements."""

    conformsTo: list[str]


class Extent(BaseModel):
    spatial: dict[str, Any]
    temporal: dict[str, Any] | None = None


class CollectionInfo(OgcDocument):
    """A feature collection: title, extents, links to its items."""

    id: str
    title: str
    description: str
    keywords: list[str]
    itemType: Literal["feature"]
    crs: list[str]
    extent: Extent
    links: list[Link]


class CollectionList(OgcDocument):
    """Every collection served."""

    collections: list[CollectionInfo]
    links: list[Link]


class Feature(OgcDocument):
    """A GeoJSON Feature (RFC 7946, WGS84) with its public properties."""

    media_type: ClassVar[str] = "application/geo+json"

    type: Literal["Feature"]
    id: str | int
    geometry: dict[str, Any] | None
    properties: dict[str, Any]
    links: list[Link] = []


class FeatureCollection(OgcDocument):
    """A page of features (GeoJSON) with paging links and counts."""

    media_type: ClassVar[str] = "application/geo+json"

    type: Literal["FeatureCollection"]
    features: list[Feature]
    numberMatched: int
    numberReturned: int
    timeStamp: str
    links: list[Link]
