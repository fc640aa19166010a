"""Request schemas of the shoots API (pydantic): they validate input and document the API."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator
from pydantic.json_schema import SkipJsonSchema

from core.geo import BBOX_PATTERN, parse_bbox
from core.schemas import FeaturePage, GeoJSONMultiPolygon, Json
from core.validation import DatabaseId, Flag, WholeNumber
from shoots.activities import Activities
from shoots.models import BlackoutKind, FeedScope, ProductionStatus, ProductionType, ShootStatus

DEFAULT_PAGE = 100
MAX_PAGE = 1000  # shoots per page of GET /api/v1/shoots
MAX_OFFSET = 10_000_000


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


# A time: ISO 8601 with an offset (RFC 3339, as the description says), or a Brussels
# wall-clock time without one ("2027-06-14T07:00"), which the server also accepts.
TIME_FORMAT = {"format": "date-time"}
TIME_DESCRIPTION = "ISO 8601 with an offset, or Brussels wall-clock time (2027-06-14T07:00)"


def _time(default: Any = ..., **options: Any) -> Any:
    return Field(default, description=TIME_DESCRIPTION, json_schema_extra=TIME_FORMAT, **options)


class ProductionPatch(Strict):
    """What changes; a field left out stays as it is. Title, type, company, status and
    listed may be left out but not null."""

    title: str = Field(None, min_length=1, max_length=200)  # type: ignore[assignment]
    type: ProductionType = None  # type: ignore[assignment]
    company: str = Field(None, min_length=1, max_length=200)  # type: ignore[assignment]
    contact_name: str | None = Field(None, max_length=200)
    contact_email: str | None = Field(None, max_length=254)
    contact_phone: str | None = Field(None, max_length=50)
    file_reference: str | None = Field(None, max_length=60)
    status: ProductionStatus = None  # type: ignore[assignment]
    listed: Flag = Field(  # type: ignore[assignment]
        None,
        description="show the title to other coordinators and, once approved, to the public "
        "(default: confidential)",
    )
    coordinators: list[str] | None = Field(None, description="e-mail addresses")
    version: WholeNumber | None = Field(
        None, description="the version you edited (optimistic lock)"
    )


class ProductionIn(ProductionPatch):
    title: str = Field(min_length=1, max_length=200)
    type: ProductionType
    company: str = Field(min_length=1, max_length=200)


class ShootFields(Strict):
    """Times: ISO 8601 with an offset, or Brussels wall-clock ("2027-06-14T07:00").
    Geometries: GeoJSON Polygon or MultiPolygon in EPSG:4326. Null: no location, no parking
    zone, the location's default footprint; for the other fields, unchanged."""

    location_id: DatabaseId | None = None
    footprint: dict[str, Any] | None = None
    parking: dict[str, Any] | None = None
    starts_at: str = _time(None, max_length=40)
    ends_at: str = _time(None, max_length=40)
    crew_size: WholeNumber | None = Field(None, ge=0, le=10_000)
    vehicle_count: WholeNumber | None = Field(None, ge=0, le=1_000)
    night_shoot: Flag | None = None
    parking_suspension: Flag | None = None
    road_closure: Flag | None = None
    special_effects: Flag | None = None
    drones: Flag | None = None
    activities: Activities | None = Field(
        None, description="the rest of the special-activity questionnaire, answered as a whole"
    )
    notes: str | None = Field(None, max_length=5_000)


class ShootIn(ShootFields):
    production_id: DatabaseId
    starts_at: str = _time(max_length=40)
    ends_at: str = _time(max_length=40)


class ShootPatch(ShootFields):
    status: str | None = Field(None, pattern="^(planned|cancelled)$")
    version: WholeNumber | None = Field(
        None, description="the version you edited (optimistic lock)"
    )
    reason: str | None = Field(
        None,
        max_length=2_000,
        description="why the shoot changes: required when a commune has the shoot before it "
        "(a submitted or decided permit request), where the edit becomes an amendment",
    )


class CheckIn(ShootFields):
    """A shoot to check; with `shoot_id`, the changes to that stored shoot (times, place)."""

    production_id: DatabaseId
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

    # Not a field of a series change (its days stay; hours move them): hidden from the
    # description, refused when sent.
    starts_at: SkipJsonSchema[None] = Field(None, exclude=True)
    ends_at: SkipJsonSchema[None] = Field(None, exclude=True)
    start_time: str | None = Field(None, pattern=r"^\d{2}:\d{2}$")
    end_time: str | None = Field(None, pattern=r"^\d{2}:\d{2}$")
    status: str | None = Field(None, pattern="^(planned|cancelled)$")
    version: WholeNumber | None = Field(None, description="the series' version you edited")
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

    from_: str | None = _time(None, alias="from", min_length=1, max_length=40)
    to: str | None = _time(None, min_length=1, max_length=40)
    bbox: str | None = Field(
        None,
        description="min_lon,min_lat,max_lon,max_lat",
        json_schema_extra={"pattern": BBOX_PATTERN},  # parse_bbox checks it, saying why
    )
    production: DatabaseId | None = None
    commune: str | None = Field(None, pattern=r"^\d{5}$")
    limit: int = Field(DEFAULT_PAGE, ge=1, le=MAX_PAGE, description="shoots per page")
    offset: int = Field(0, ge=0, le=MAX_OFFSET, description="shoots to skip")

    @field_validator("bbox")
    @classmethod
    def _bbox(cls, value: str | None) -> str | None:
        if value is not None:
            parse_bbox(value)
        return value


class ReportQuery(Strict):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    from_: str = _time(alias="from", max_length=40)
    to: str = _time(max_length=40)
    commune: str | None = Field(None, pattern=r"^\d{5}$")


class BlackoutIn(Strict):
    commune: str = Field(pattern=r"^\d{5}$")
    kind: BlackoutKind
    title: str = Field(min_length=1, max_length=200)
    area: dict[str, Any] | None = Field(None, description="none: the whole commune")
    starts_at: str = _time(max_length=40)
    ends_at: str = _time(max_length=40)
    weekday: WholeNumber | None = Field(None, ge=1, le=7, description="ISO weekday: 1 = Monday")
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


# ---- answers ----------------------------------------------------------------------------------


class ProductionOut(BaseModel):
    """A production's file (its readers only: core.auth.policy.production_view)."""

    id: int
    title: str
    type: ProductionType
    company: str
    contact_name: str | None
    contact_email: str | None
    contact_phone: str | None
    file_reference: str | None
    status: ProductionStatus
    listed: bool
    coordinators: list[str]
    version: int


class ProductionList(BaseModel):
    """The productions the caller reads in full, by title."""

    productions: list[ProductionOut]


class Overlap(BaseModel):
    starts_at: datetime
    ends_at: datetime


class Finding(BaseModel):
    """A conflict (`severity` conflict: refused) or a warning, with what it is about: another
    shoot (under "another production" unless the caller reads it), a blackout..."""

    rule: str
    severity: Literal["conflict", "warning"]
    other: Json
    distance_m: float
    overlap: Overlap
    override: Json | None


class Findings(BaseModel):
    conflicts: list[Finding]
    warnings: list[Finding]


class ShootProperties(BaseModel):
    """A shoot as the caller may see it: its place, period and status, and for its
    production's readers the rest of the file (`production_id` onwards)."""

    production: str = Field(description='the title, or "another production"')
    location_id: int | None
    starts_at: datetime
    ends_at: datetime
    parking: GeoJSONMultiPolygon | None
    status: ShootStatus
    production_id: int | None = None
    version: int | None = None
    crew_size: WholeNumber | None = None
    vehicle_count: WholeNumber | None = None
    night_shoot: bool | None = None
    parking_suspension: bool | None = None
    road_closure: bool | None = None
    special_effects: bool | None = None
    drones: bool | None = None
    activities: Activities | None = None
    notes: str | None = None


class ShootOut(ShootProperties):
    """One shoot with its footprint and what the conflict engine finds now."""

    id: int
    footprint: GeoJSONMultiPolygon
    conflicts: list[Finding]
    warnings: list[Finding]


class AmendedShoot(ShootOut):
    """The shoot unchanged, and the amendment the edit became (the communes decide it)."""

    amendment: Json


class ShootFeature(BaseModel):
    """A shoot as an RFC 7946 Feature: its footprint, the rest in properties."""

    type: Literal["Feature"]
    id: int
    geometry: GeoJSONMultiPolygon
    properties: ShootProperties


class ShootPage(FeaturePage):
    """Shoots in time order, a page at a time."""

    features: list[ShootFeature]


class CheckResult(Findings):
    """What the shoot would clash with (`ok`: no conflict) and what it would be warned of."""

    ok: bool


class SeriesOut(BaseModel):
    id: int
    production_id: int
    rule: Json = Field(description="the recurrence as asked: weekdays, until, dates")
    version: int
    shoots: list[Json] = Field(description="each shoot as the caller may see it")


class SeriesCreated(BaseModel):
    series: SeriesOut
    occurrences: list[Json] = Field(description="each day's findings")


class SeriesCheck(BaseModel):
    ok: bool
    occurrences: list[Json] = Field(description="each day's findings")


class SeriesChanged(BaseModel):
    series: SeriesOut
    shoots: list[Json] = Field(description="each shoot changed, or the amendment it became")


class ReportPair(BaseModel):
    rule: str
    severity: Literal["conflict", "warning"]
    shoots: list[Json]
    distance_m: float
    overlap: Overlap


class ConflictReport(BaseModel):
    """Every pair of shoots that clash or warn in the period."""

    pairs: list[ReportPair]


class BlackoutOut(BaseModel):
    """A blackout: the commune-wide ones have no area."""

    id: int
    commune: str
    kind: BlackoutKind
    title: str
    area: GeoJSONMultiPolygon | None
    starts_at: datetime
    ends_at: datetime
    weekday: WholeNumber | None
    daily_start: str | None
    daily_end: str | None


class BlackoutList(BaseModel):
    """The blackouts, by start."""

    blackouts: list[BlackoutOut]


class CommuneSettingsOut(BaseModel):
    """A commune's thresholds (the defaults where it set none)."""

    commune: str
    nearby_distance_m: int
    saturation_days: int
    saturation_radius_m: int
    saturation_window_days: int


class FeedOut(BaseModel):
    id: int
    scope: FeedScope
    target: str
    revoked: bool


class FeedCreated(FeedOut):
    """The feed; its URL (with the token) is shown this once."""

    url: str


class FeedList(BaseModel):
    """Your private feeds."""

    feeds: list[FeedOut]
