"""Query and response schemas of /ogc: they validate requests and make its OpenAPI document."""

from __future__ import annotations

from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from core import crs
from core.errors import InvalidInput
from ogc.filters import DATETIME_PATTERN, parse_bbox, parse_datetime

MAX_LIMIT = 1000
DEFAULT_LIMIT = 10
CRS_URIS = list(crs.BY_URI)


def _check_crs(value: str | None) -> str | None:
    if value is not None:
        crs.parse_crs(value)
    return value


class FormatQuery(BaseModel):
    """The parameters every /ogc operation accepts. Any other is a 400 (ogc.views checks the
    query string against the fields, by alias, before the view runs)."""

    f: Literal["json", "html"] | None = Field(
        None, description="Encoding; without it the Accept header decides (JSON by default)."
    )
    lang: str | None = Field(
        None, max_length=16, description="Language of titles and pages: fr, de or en."
    )
    crs: str | None = Field(
        None,
        description=(
            "CRS of the geometries in the response (items), as a URI; CRS84 by default. "
            "Accepted by every operation, since some clients add it to every request."
        ),
        json_schema_extra={"enum": CRS_URIS},
    )

    @field_validator("crs")
    @classmethod
    def _known_crs(cls, value: str | None) -> str | None:
        return _check_crs(value)

    @property
    def output_crs(self) -> crs.Crs:
        return crs.parse_crs(self.crs) if self.crs else crs.CRS84


class ItemsQuery(FormatQuery):
    # The collection's queryables (ogc.queryables) arrive as extra parameters.
    model_config = ConfigDict(extra="allow")

    bbox: str | None = Field(
        None,
        description=(
            "minX,minY,maxX,maxY in bbox-crs (CRS84 by default: minLon,minLat,maxLon,maxLat): "
            "features intersecting it."
        ),
        examples=["4.80,50.40,4.95,50.50"],
    )
    bbox_crs: str | None = Field(
        None,
        alias="bbox-crs",
        description="CRS of bbox, as a URI; CRS84 by default.",
        json_schema_extra={"enum": CRS_URIS},
    )
    interval: str | None = Field(
        None,
        alias="datetime",
        description=(
            "An RFC 3339 instant or date, or an interval start/end ('..' for open): features "
            "whose time range meets it (collections with times only)."
        ),
        examples=["2027-06-01/2027-06-30"],
        json_schema_extra={"pattern": DATETIME_PATTERN},
    )
    limit: int = Field(
        DEFAULT_LIMIT,
        ge=1,
        description=f"Page size; larger values are served as {MAX_LIMIT}.",
        json_schema_extra={"maximum": MAX_LIMIT},
    )
    offset: int = Field(0, ge=0, le=10_000_000, description="Features to skip.")

    @field_validator("bbox_crs")
    @classmethod
    def _known_bbox_crs(cls, value: str | None) -> str | None:
        return _check_crs(value)

    @field_validator("interval")
    @classmethod
    def _check_datetime(cls, value: str | None) -> str | None:
        if value is not None:
            parse_datetime(value)
        return value

    @field_validator("limit")
    @classmethod
    def _clamp_limit(cls, value: int) -> int:
        return min(value, MAX_LIMIT)  # Part 1: a larger limit is no error, it is the maximum

    def envelope(self) -> crs.Box | None:
        """The bbox in PostGIS axis order and bbox-crs, or None; a 400 naming bbox if bad.
        Checked here rather than by a field validator: its meaning depends on bbox-crs."""
        if self.bbox is None:
            return None
        try:
            return parse_bbox(self.bbox, self.bbox_reference)
        except ValueError as exc:
            raise InvalidInput("bbox", exc.args[0]) from None  # a lazy text: English here

    @property
    def bbox_reference(self) -> crs.Crs:
        return crs.parse_crs(self.bbox_crs) if self.bbox_crs else crs.CRS84


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
    storageCrs: str
    extent: Extent
    links: list[Link]


class CollectionList(OgcDocument):
    """Every collection served."""

    collections: list[CollectionInfo]
    links: list[Link]


class Queryables(OgcDocument):
    """The properties features can be filtered by, as a JSON Schema (OGC API – Features
    Part 3); each is also a query parameter of the collection's items."""

    media_type: ClassVar[str] = "application/schema+json"
    model_config = ConfigDict(populate_by_name=True)

    schema_uri: str = Field(alias="$schema")
    id: str = Field(alias="$id")
    type: Literal["object"]
    title: str
    properties: dict[str, dict[str, Any]]
    additionalProperties: bool


class Feature(OgcDocument):
    """A GeoJSON Feature (CRS84 by default; see crs) with its public properties."""

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
