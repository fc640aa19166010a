"""Request schemas of the shoots API (pydantic): they validate input and document the API."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from core.geo import parse_bbox
from core.validation import DatabaseId
from shoots.models import BlackoutKind, FeedScope, ProductionStatus, ProductionType


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ProductionPatch(Strict):
    title: str | None = Field(None, min_length=1, max_length=200)
    type: ProductionType | None = None
    company: str | None = Field(None, min_length=1, max_length=200)
    contact_name: str | None = Field(None, max_length=200)
    contact_email: str | None = Field(None, max_length=254)
    contact_phone: str | None = Field(None, max_length=50)
    file_reference: str | None = Field(None, max_length=60)
    status: ProductionStatus | None = None
    listed: bool | None = Field(
        None,
        description="show the title to other coordinators and, once approved, to the public "
        "(default: confidential)",
    )
    coordinators: list[str] | None = Field(None, description="e-mail addresses")
    version: int | None = Field(None, description="the version you edited (optimistic lock)")

    @field_validator("title", "type", "company", "status", "listed", mode="before")
    @classmethod
    def _not_null(cls, value: Any) -> Any:
        if value is None:
            raise ValueError("may be left out but not null")
        return value


class ProductionIn(ProductionPatch):
    title: str = Field(min_length=1, max_length=200)
    type: ProductionType
    company: str = Field(min_length=1, max_length=200)


class ShootFields(Strict):
    """Times: Brussels wall-clock ("2027-06-14T07:00") or ISO 8601 with an offset.
    Geometries: GeoJSON Polygon or MultiPolygon in EPSG:4326."""

    location_id: DatabaseId | None = None
    footprint: dict[str, Any] | None = None
    parking: dict[str, Any] | None = None
    starts_at: str | None = None
    ends_at: str | None = None
    crew_size: int | None = Field(None, ge=0, le=10_000)
    vehicle_count: int | None = Field(None, ge=0, le=1_000)
    night_shoot: bool | None = None
    parking_suspension: bool | None = None
    road_closure: bool | None = None
    special_effects: bool | None = None
    drones: bool | None = None
    notes: str | None = Field(None, max_length=5_000)


class ShootIn(ShootFields):
    production_id: DatabaseId


class ShootPatch(ShootFields):
    status: str | None = Field(None, pattern="^(planned|cancelled)$")
    version: int | None = Field(None, description="the version you edited (optimistic lock)")
    reason: str | None = Field(
        None,
        max_length=2_000,
        description="why the shoot changes: required when a commune has the shoot before it "
        "(a submitted or decided permit request), where the edit becomes an amendment",
    )


class CheckIn(ShootIn):
    shoot_id: DatabaseId | None = Field(
        None, description="the shoot being edited, left out of the check"
    )


# The most shoots one series makes (every weekday for about five months): each is checked by
# the conflict engine in the same transaction, under the area's lock.
MAX_SERIES_OCCURRENCES = 100
Weekday = Annotated[int, Field(ge=1, le=7)]


class RepeatIn(Strict):
    """Which other days a shoot is copied to: WEEKDAYS (ISO, 1 = Monday) up to UNTIL (its date
    included), and DATES given one by one; the shoot keeps its hours on each day."""

    weekdays: list[Weekday] = Field(default_factory=list, max_length=7)
    until: date | None = Field(None, description="the last day of the recurrence (included)")
    dates: list[date] = Field(default_factory=list, max_length=MAX_SERIES_OCCURRENCES)


class SeriesIn(ShootIn):
    """The first shoot of the series (its day and hours), and the other days."""

    repeat: RepeatIn


class CopiesIn(Strict):
    repeat: RepeatIn


class SeriesPatch(ShootFields):
    """A change of every shoot of a series still planned. Hours (Brussels wall-clock, HH:MM)
    move each shoot on its own day; an end before the start ends the next day."""

    starts_at: None = Field(None, exclude=True)
    ends_at: None = Field(None, exclude=True)
    start_time: str | None = Field(None, pattern=r"^\d{2}:\d{2}$")
    end_time: str | None = Field(None, pattern=r"^\d{2}:\d{2}$")
    status: str | None = Field(None, pattern="^(planned|cancelled)$")
    version: int | None = Field(None, description="the series' version you edited")
    reason: str | None = Field(
        None,
        max_length=2_000,
        description="why the shoots change: required for the shoots a commune has before it",
    )


class SurroundingsQuery(Strict):
    """The shoot form's map window and period (its fields as typed: Brussels wall-clock)."""

    starts_at: str = Field(max_length=40)
    ends_at: str = Field(max_length=40)
    bbox: str = Field(description="min_lon,min_lat,max_lon,max_lat")
    zoom: int = Field(ge=0, le=22)
    shoot: DatabaseId | None = Field(None, description="the shoot being edited, left out")

    @field_validator("bbox")
    @classmethod
    def _bbox(cls, value: str) -> str:
        parse_bbox(value)
        return value


class OverrideIn(Strict):
    rule: str = Field(min_length=1, max_length=40)
    other: str = Field(min_length=1, max_length=60, description='e.g. "shoot:12", "blackout:3"')
    reason: str = Field(min_length=3, max_length=2_000)


class ShootQuery(Strict):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    from_: str | None = Field(None, alias="from")
    to: str | None = None
    bbox: str | None = Field(None, description="min_lon,min_lat,max_lon,max_lat")
    production: DatabaseId | None = None
    commune: str | None = Field(None, pattern=r"^\d{5}$")

    @field_validator("bbox")
    @classmethod
    def _bbox(cls, value: str | None) -> str | None:
        if value is not None:
            parse_bbox(value)
        return value


class ReportQuery(Strict):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    from_: str = Field(alias="from")
    to: str
    commune: str | None = Field(None, pattern=r"^\d{5}$")


class BlackoutIn(Strict):
    commune: str = Field(pattern=r"^\d{5}$")
    kind: BlackoutKind
    title: str = Field(min_length=1, max_length=200)
    area: dict[str, Any] | None = Field(None, description="none: the whole commune")
    starts_at: str
    ends_at: str
    weekday: int | None = Field(None, ge=1, le=7, description="ISO weekday: 1 = Monday")
    daily_start: str | None = Field(None, pattern=r"^\d{2}:\d{2}$")
    daily_end: str | None = Field(None, pattern=r"^\d{2}:\d{2}$")


class FeedIn(Strict):
    scope: FeedScope
    target: str = Field(min_length=1, max_length=20)


class CommuneSettingsIn(Strict):
    nearby_distance_m: int = Field(250, gt=0, le=5_000)
    saturation_days: int = Field(10, gt=0, le=366)
    saturation_radius_m: int = Field(200, gt=0, le=5_000)
    saturation_window_days: int = Field(365, gt=0, le=3_660)
