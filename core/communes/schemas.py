"""Schemas of the communes API: they validate the input and document the API (OpenAPI)."""

from __future__ import annotations

from typing import Annotated, ClassVar, Literal

from pydantic import BaseModel, Field

from core.schemas import GeoJSONMultiPolygon

Longitude = Annotated[
    float, Field(ge=-180, le=180, allow_inf_nan=False, description="WGS84 longitude")
]
Latitude = Annotated[float, Field(ge=-90, le=90, allow_inf_nan=False, description="WGS84 latitude")]


class PointQuery(BaseModel):
    lon: Longitude
    lat: Latitude


class CommuneSummary(BaseModel):
    """A commune, by its NIS code."""

    nis: str = Field(pattern=r"^\d{5}$")
    name_fr: str
    name_de: str | None
    province: str


class CommuneList(BaseModel):
    """The active communes, by French name."""

    communes: list[CommuneSummary]


class CommuneAtPoint(CommuneSummary):
    """The commune containing the point (distance 0), or the nearest within 200 m."""

    distance_m: float = Field(ge=0)


class CommuneProperties(CommuneSummary):
    name_nl: str | None
    arrondissement: str
    province_nis: str
    population: int | None
    retired: bool


class CommuneFeature(BaseModel):
    """The commune as an RFC 7946 GeoJSON Feature (WGS84)."""

    media_type: ClassVar[str] = "application/geo+json"

    type: Literal["Feature"]
    id: str
    geometry: GeoJSONMultiPolygon
    properties: CommuneProperties
