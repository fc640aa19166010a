"""Request schemas of the location API (pydantic): they validate input and document the API."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Annotated, Any, ClassVar, Literal

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictInt,
    StringConstraints,
    field_validator,
    model_validator,
)

from core.config import BRUSSELS
from core.errors import InvalidInput
from core.geo import BBOX_PATTERN, parse_bbox, parse_point_text
from core.schemas import FeaturePage
from core.schemas import GeoJSONPoint as PointOut
from core.schemas import GeoJSONPolygon as PolygonOut
from core.validation import GEOJSON, Flag, FormFile, WholeNumber, WindowedDatetime
from locations.models import LocationStatus

MAX_LIMIT = 500
MAX_TAGS = 50
MAX_OFFSET = 100_000
MAX_RADIUS_M = 200_000
DEFAULT_RADIUS_M = 10_000

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


def _lon_lat(position: list[float]) -> list[float]:
    if not (-180 <= position[0] <= 180 and -90 <= position[1] <= 90):
        raise ValueError(_l("must be [longitude, latitude] in degrees (±180, ±90)"))
    return position[:2]  # an altitude, if any, is dropped


# A list, not a tuple: OpenAPI 3.0 (generated from these schemas) has no prefixItems.
Position = Annotated[
    list[Annotated[float, Field(allow_inf_nan=False)]],
    Field(min_length=2, max_length=3),
    AfterValidator(_lon_lat),
]


def _brussels_datetime(value: Any) -> Any:
    """A date means midnight in Brussels; a time without offset is Brussels time."""

    if isinstance(value, str) and value.strip():
        text = value.strip()
        try:
            parsed: datetime = (
                datetime.combine(date.fromisoformat(text), time())
                if len(text) == 10
                else datetime.fromisoformat(text)
            )
        except ValueError:
            raise ValueError(
                _l("must be an ISO 8601 date or date-time, e.g. 2027-06-07 or 2027-06-07T08:00")
            ) from None
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=BRUSSELS)
    return value


BrusselsDatetime = Annotated[WindowedDatetime, BeforeValidator(_brussels_datetime)]


class LocationSearch(BaseModel):
    """Query parameters of GET /api/v1/locations, the search page and the export."""

    model_config = ConfigDict(extra="forbid")

    q: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)] | None = None
    category: list[Annotated[str, StringConstraints(max_length=40)]] = []
    tag: Annotated[str, StringConstraints(strip_whitespace=True, to_lower=True, max_length=60)] | (
        None
    ) = None
    commune: (
        Annotated[
            str,
            StringConstraints(strip_whitespace=True, min_length=1, max_length=120),
            Field(description="NIS code (92094) or name (Namur, Sankt Vith)"),
        ]
        | None
    ) = None
    province: Annotated[str, StringConstraints(strip_whitespace=True, max_length=60)] | None = None
    near: (
        Annotated[
            str,
            StringConstraints(strip_whitespace=True, min_length=1, max_length=200),
            Field(description="lon,lat (EPSG:4326) or a place: Namur, Lüttich, an address"),
        ]
        | None
    ) = None
    radius_m: Annotated[float, Field(gt=0, le=MAX_RADIUS_M)] | None = None
    bbox: str | None = Field(
        None,
        description="minlon,minlat,maxlon,maxlat (EPSG:4326)",
        json_schema_extra={"pattern": BBOX_PATTERN},  # parse_bbox checks it, saying why
    )
    min_truck_parking: Annotated[int, Field(ge=0, le=10_000)] | None = None
    power: bool | None = None
    water: bool | None = None
    toilets: bool | None = None
    step_free: bool | None = None
    available_from: BrusselsDatetime | None = None
    available_to: BrusselsDatetime | None = None
    status: Literal["published", "draft", "archived", "any"] = "published"
    lang: Literal["fr", "en", "de"] | None = Field(None, description="language of the labels")
    limit: Annotated[int, Field(ge=1, le=MAX_LIMIT)] = 20
    offset: Annotated[int, Field(ge=0, le=MAX_OFFSET)] = 0

    @field_validator("near")
    @classmethod
    def _near(cls, value: str | None) -> str | None:
        """Coordinates as lon,lat (however they were typed); a place name as it is."""
        point = parse_point_text(value) if value is not None else None
        return f"{point[0]!r},{point[1]!r}" if point else value

    @field_validator("commune")
    @classmethod
    def _commune(cls, value: str | None) -> str | None:
        if value is not None and value.isdigit() and len(value) != 5:
            raise ValueError(_("must be a NIS code (5 digits, e.g. 92094) or a commune's name"))
        return value

    @field_validator("bbox")
    @classmethod
    def _bbox(cls, value: str | None) -> str | None:
        if value is not None:
            parse_bbox(value)
        return value

    @model_validator(mode="after")
    def _consistent(self) -> LocationSearch:
        # Raised as InvalidInput (not ValueError) so the 400 names the parameter.
        if self.radius_m is not None and self.near is None:
            raise InvalidInput("radius_m", _l("needs near=lon,lat"))
        if (self.available_from is None) != (self.available_to is None):
            missing = "available_to" if self.available_to is None else "available_from"
            raise InvalidInput(missing, _l("available_from and available_to go together"))
        if self.available_from and self.available_to and self.available_from >= self.available_to:
            raise InvalidInput("available_to", _l("must be after available_from"))
        return self

    @property
    def near_point(self) -> tuple[float, float] | None:
        """The point of `near` when it holds coordinates (locations.places.resolve_search puts
        a place's point there)."""
        return parse_point_text(self.near) if self.near is not None else None

    @property
    def near_name(self) -> str | None:
        """`near` when it names a place rather than giving coordinates."""
        return self.near if self.near is not None and self.near_point is None else None

    @property
    def bbox_values(self) -> tuple[float, float, float, float] | None:
        return parse_bbox(self.bbox) if self.bbox is not None else None

    @property
    def radius(self) -> float:
        return self.radius_m or DEFAULT_RADIUS_M


class PointGeometry(BaseModel):
    type: Literal["Point"]
    coordinates: Position


class PolygonGeometry(BaseModel):
    type: Literal["Polygon"]
    coordinates: Annotated[
        list[Annotated[list[Position], Field(min_length=4)]], Field(min_length=1)
    ]


PRIVATE_FIELDS = ("contact_name", "contact_phone", "contact_email", "owner_notes")
FACILITY_FIELDS = (
    "truck_parking_capacity",
    "has_power",
    "has_water",
    "has_toilets",
    "step_free_access",
)


class LocationFields(BaseModel):
    """Editable properties; every one optional so PATCH sends only what changes."""

    model_config = ConfigDict(extra="ignore")  # read-only output properties may come back

    # Left out, a name stays as it is; null is refused: every location has a name.
    name: Name = None  # type: ignore[assignment]
    description: Annotated[str, StringConstraints(max_length=20_000)] | None = None
    categories: list[Annotated[str, StringConstraints(max_length=40)]] | None = None
    tags: (
        Annotated[
            list[Annotated[str, StringConstraints(strip_whitespace=True, max_length=60)]],
            Field(max_length=MAX_TAGS),
        ]
        | None
    ) = None
    outline: PolygonGeometry | None = None
    address: Annotated[str, StringConstraints(strip_whitespace=True, max_length=300)] | None = None
    truck_parking_capacity: Annotated[WholeNumber, Field(ge=0, le=10_000)] | None = None
    has_power: Flag | None = None
    has_water: Flag | None = None
    has_toilets: Flag | None = None
    step_free_access: Flag | None = None
    access_notes: Annotated[str, StringConstraints(max_length=5_000)] | None = None
    contact_name: Annotated[str, StringConstraints(max_length=200)] | None = None
    contact_phone: Annotated[str, StringConstraints(max_length=50)] | None = None
    contact_email: Annotated[str, StringConstraints(max_length=254)] | None = None
    owner_notes: Annotated[str, StringConstraints(max_length=5_000)] | None = None
    status: LocationStatus | None = None
    version: WholeNumber | None = None


class NewLocationFields(LocationFields):
    name: Name


class LocationFeatureIn(BaseModel):
    """POST /api/v1/locations: a GeoJSON Feature with a Point (lon, lat, EPSG:4326)."""

    type: Literal["Feature"]
    geometry: PointGeometry
    properties: NewLocationFields


class LocationPatchFields(LocationFields):
    version: WholeNumber = Field(description="the version you read; a newer one means a 409")


class LocationPatchIn(BaseModel):
    """PATCH /api/v1/locations/<id>: a Feature with the properties that change."""

    type: Literal["Feature"]
    geometry: PointGeometry | None = None
    properties: LocationPatchFields


class ImportQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    dry_run: bool = False
    crs: Annotated[str, StringConstraints(strip_whitespace=True, to_upper=True)] = "EPSG:4326"
    format: Literal["geojson", "csv"] | None = None
    status: Literal["draft", "published"] = "draft"


class ExportQuery(LocationSearch):
    format: Literal["geojson", "csv"] = "geojson"
    limit: Annotated[int, Field(ge=1, le=100_000)] = 100_000


class PhotoPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    position: Annotated[int, Field(ge=0, le=1000)] | None = None
    is_cover: Flag | None = Field(
        None, description="true makes it the cover; false changes nothing"
    )
    caption: Annotated[str, StringConstraints(strip_whitespace=True, max_length=300)] | None = None


Label = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120)]


class CategoryIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{1,39}$")]
    label_fr: Label
    label_en: Label
    label_de: Label
    position: Annotated[StrictInt, Field(ge=0, le=10_000)] = 0  # not `false`, nor "3"


class CategoryPatch(BaseModel):
    """What changes; a field left out stays as it is (none may be null)."""

    model_config = ConfigDict(extra="forbid")

    label_fr: Label = None  # type: ignore[assignment]
    label_en: Label = None  # type: ignore[assignment]
    label_de: Label = None  # type: ignore[assignment]
    position: Annotated[StrictInt, Field(ge=0, le=10_000)] = None  # type: ignore[assignment]


PlaceKind = Literal["commune", "province", "location", "locality", "address"]


class PlaceQuery(BaseModel):
    """Query parameters of GET /api/v1/places."""

    model_config = ConfigDict(extra="forbid")

    q: Annotated[
        str,
        StringConstraints(strip_whitespace=True, min_length=1, max_length=200),
        Field(description="what was typed: Namur, Lüttich, Nam, Citadelle, rue de Fer 25"),
    ]
    kind: list[PlaceKind] = Field([], description="only these kinds (repeat it); all by default")
    limit: Annotated[int, Field(ge=1, le=20)] = 10
    lang: Literal["fr", "en", "de"] | None = Field(None, description="language of the labels")


class PlaceOut(BaseModel):
    """A place: a commune, a province, a library location, or (from the geocoder) a locality
    or an address in Wallonia."""

    kind: PlaceKind
    id: int | None = Field(description="the library location's id (kind location)")
    label: str = Field(description="the name, in the user's language where it has one")
    context: str | None = Field(description="where it is: a commune's province, else its commune")
    point: Annotated[list[float], Field(min_length=2, max_length=2, description="[lon, lat]")]
    bbox: (
        Annotated[list[float], Field(min_length=4, max_length=4, description="RFC 7946 bbox")]
        | None
    )
    commune_nis: str | None = Field(description="the commune, or the one the place lies in")
    province_nis: str | None


class PlaceList(BaseModel):
    """The places the text may mean, best first."""

    places: list[PlaceOut]


# ---- answers ----------------------------------------------------------------------------------


class CommuneRef(BaseModel):
    nis: str
    name: str


class LocationProperties(BaseModel):
    """A location's properties; the owner's contacts and notes only for coordinators and
    administrators, `distance_m` only in a search `near` a point."""

    name: str
    description: str
    categories: list[str]
    tags: list[str]
    address: str | None
    commune: CommuneRef
    province: str
    outline: PolygonOut | None
    truck_parking_capacity: int
    has_power: bool
    has_water: bool
    has_toilets: bool
    step_free_access: bool
    access_notes: str
    status: LocationStatus
    is_demo: bool
    version: int
    created_at: datetime
    updated_at: datetime
    cover_photo_id: int | None
    distance_m: float | None = None
    contact_name: str | None = None
    contact_phone: str | None = None
    contact_email: str | None = None
    owner_notes: str | None = None
    # For the library's editors (locations.view_unpublished): who made and last changed it.
    created_by: str | None = None
    updated_by: str | None = None


class LocationFeature(BaseModel):
    """A location as an RFC 7946 Feature (a Point in WGS84)."""

    media_type: ClassVar[str] = GEOJSON

    type: Literal["Feature"]
    id: int
    geometry: PointOut
    properties: LocationProperties


class LocationPage(FeaturePage):
    """Matching locations, a page at a time (best match or nearest first)."""

    features: list[LocationFeature]


class LocationExport(BaseModel):
    """Every matching location, as one FeatureCollection (`format=geojson`)."""

    media_type: ClassVar[str] = GEOJSON

    type: Literal["FeatureCollection"]
    features: list[LocationFeature]


class Photo(BaseModel):
    """A photo of a location, with the URLs of the file and its thumbnail."""

    id: int
    media_type: str
    width: int
    height: int
    byte_size: int
    caption: str
    position: int
    is_cover: bool
    full: str
    thumb: str


class PhotoList(BaseModel):
    """A location's photos, the cover first."""

    photos: list[Photo]


class PhotoUpload(BaseModel):
    """A photo: JPEG, PNG or WebP, decoded to check it, stripped of its EXIF data."""

    file: FormFile
    caption: Annotated[str, StringConstraints(strip_whitespace=True, max_length=300)] = ""


class ImportUpload(BaseModel):
    """The file as multipart field `file`, or the request body itself (GeoJSON or CSV)."""

    raw_media_types: ClassVar[tuple[str, ...]] = (GEOJSON, "text/csv")

    file: FormFile = None


class ImportRow(BaseModel):
    row: int
    name: str | None
    result: Literal["created", "would be created", "rejected"]
    reason: str | None = None
    id: int | None = None


class ImportReport(BaseModel):
    """What the import did, or would do (`dry_run`), row by row."""

    dry_run: bool
    crs: str
    rows: int
    created: int
    accepted: int
    rejected: int
    results: list[ImportRow]


class Category(BaseModel):
    code: str
    label_fr: str
    label_en: str
    label_de: str
    position: int


class CategoryList(BaseModel):
    """The managed list of categories, in order."""

    categories: list[Category]
