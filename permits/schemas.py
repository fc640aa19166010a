"""Request and response schemas of the permits API (they also document it)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from flask_babel import lazy_gettext as _l
from pydantic import BaseModel, ConfigDict, Field, StrictInt, model_validator

from core.schemas import GeoJSONMultiPolygon, Json
from core.validation import MAX_DATABASE_ID, DatabaseId, FormFile, SearchDate
from permits.models import (
    MAX_AMOUNT_EUR,
    MAX_NOTICE_WORKING_DAYS,
    AmendmentStatus,
    DocumentKind,
    PermitStatus,
    ServiceKind,
)
from permits.transitions import ACTIONS, AMENDMENT_ACTIONS
from shoots.activities import ACTIVITIES
from shoots.models import ProductionType
from shoots.schemas import Findings

Action = Literal[ACTIONS]  # type: ignore[valid-type]
AmendmentAction = Literal[AMENDMENT_ACTIONS]  # type: ignore[valid-type]


class PermitCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    production_id: DatabaseId
    shoot_ids: list[DatabaseId] = Field(min_length=1, max_length=500)
    public_domain_use: str = Field("", max_length=5000)
    notes: str = Field("", max_length=5000)


class IntroductionBody(BaseModel):
    """The film commission puts two productions in touch; neither learns the other's
    addresses: each production's coordinators get the message on their own."""

    model_config = ConfigDict(extra="forbid")

    productions: list[Annotated[StrictInt, Field(ge=1, le=MAX_DATABASE_ID)]] = Field(
        min_length=2, max_length=2, description="two production ids"
    )
    message: str = Field(min_length=1, max_length=5000)


class PermitQuery(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    commune: str | None = Field(None, pattern=r"^\d{5}$", description="NIS code")
    status: list[PermitStatus] = []
    start: SearchDate | None = Field(None, alias="from", description="a shoot on or after this day")
    end: SearchDate | None = Field(None, alias="to", description="a shoot on or before this day")

    @model_validator(mode="after")
    def _ordered(self) -> PermitQuery:
        if self.start and self.end and self.end < self.start:
            raise ValueError(_l("'to' must not be before 'from'"))
        return self


class TransitionBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    action: Action
    comment: str = Field("", max_length=5000)
    with_siblings: bool = Field(
        False,
        description="submit: also the sibling requests of the same selection the production is "
        "preparing, all of them or none; each commune still decides its own",
    )
    conditions: list[Annotated[str, Field(max_length=40)]] = Field(
        default_factory=list,
        max_length=50,
        description="codes of the commune's standard conditions an approval with conditions "
        "imposes (GET /api/v1/permits/communes/{nis}/conditions)",
    )


class AmendmentTransitionBody(BaseModel):
    """An officer moves their commune's review; the production's coordinators withdraw."""

    model_config = ConfigDict(extra="forbid")

    action: AmendmentAction
    comment: str = Field("", max_length=5000)


class AmendmentQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: list[AmendmentStatus] = []


class PermitSummary(BaseModel):
    id: int
    group_id: str
    status: PermitStatus
    commune_nis: str
    commune: str
    production_id: int
    production: str
    is_late: bool
    first_start: str | None
    last_end: str | None
    shoot_count: int


class PermitList(BaseModel):
    permits: list[PermitSummary]


class PermitCreated(BaseModel):
    group_id: str
    permits: list[PermitSummary]


# ---- answers of the other operations -----------------------------------------------------------


class Queued(BaseModel):
    """How many messages went to the outbox."""

    queued: int


class PermitShootOut(BaseModel):
    shoot_id: int
    start: datetime | None
    end: datetime | None
    location: str | None
    address: str | None
    footprint_area_m2: float | None
    parking_area_m2: float | None
    footprint: GeoJSONMultiPolygon | None = Field(description="the part in this commune")
    parking: GeoJSONMultiPolygon | None
    crew_size: int
    vehicle_count: int
    particulars: list[str]
    notes: str
    also_in_requests: list[int]
    live: bool
    findings: Findings | None


class Sibling(BaseModel):
    id: int
    commune_nis: str
    status: PermitStatus


class AmendmentRef(BaseModel):
    id: int
    shoot_id: int
    status: AmendmentStatus


class LeadTime(BaseModel):
    fast_track: bool
    working_days: int
    first_shoot_day: date | None
    earliest_allowed_day: date
    late_if_submitted_now: bool


DocumentKindName = Literal[tuple(kind.value for kind in DocumentKind)]  # type: ignore[valid-type]
ServiceKindName = Literal[tuple(kind.value for kind in ServiceKind)]  # type: ignore[valid-type]
ActivityName = Literal[ACTIVITIES]  # type: ignore[valid-type]


class DocumentOut(BaseModel):
    id: int
    kind: DocumentKindName
    filename: str
    media_type: str
    sha256: str
    valid_from: date | None
    valid_until: date | None
    scope: Literal["production", "request"]
    uploaded_at: datetime
    covers_the_shoot_days: bool
    url: str


class DocumentNeedOut(BaseModel):
    kind: DocumentKindName
    covered: bool


class ServiceNeedOut(BaseModel):
    kind: ServiceKindName
    name: str | None = Field(description="null: the commune's directory has no such service")
    copied_by_email: bool


class ChecklistOut(BaseModel):
    """What the commune's rules ask of the request (permits.requirements)."""

    activities: list[ActivityName]
    extra_working_days: int
    fast_track: bool
    fast_track_blockers: list[str]
    documents: list[DocumentNeedOut]
    services: list[ServiceNeedOut]
    uploaded: list[DocumentOut]
    ready_to_submit: bool = Field(description="every required document covers the shoot days")


class DocumentUpload(BaseModel):
    """A compliance document (multipart): a PDF, JPEG, PNG or WebP of at most 10 MB. Scope
    `production` serves every request of the production; `request`, this one only."""

    file: FormFile
    kind: DocumentKindName
    valid_from: date | None = None
    valid_until: date | None = None
    scope: Literal["production", "request"] = "production"


class RuleIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    extra_working_days: StrictInt = Field(ge=0, le=MAX_NOTICE_WORKING_DAYS)
    documents: list[DocumentKindName] = Field(default_factory=list, max_length=10)
    services: list[ServiceKindName] = Field(default_factory=list, max_length=10)
    allows_fast_track: bool = False


class RuleOut(RuleIn):
    activity: ActivityName
    own: bool = Field(description="the commune's own rule; false: the default of every commune")


class RuleList(BaseModel):
    commune_nis: str
    rules: list[RuleOut]


class IssuedQuery(BaseModel):
    """A download's query: the page's other parameters (its language) are not its business."""

    model_config = ConfigDict(extra="ignore")

    version: DatabaseId | None = Field(
        None, description="an approved version's number (default: the latest approved)"
    )


class DeliveryIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    delivered_at: str = Field(
        max_length=40, description="ISO 8601 with an offset, or Brussels wall-clock time"
    )
    method: str = Field(min_length=1, max_length=200, description="letterboxes, poster, meeting…")


class ResidentNoticeOut(BaseModel):
    deliver_by: date | None = Field(description="the commune's days before the first shoot day")
    delivered_at: datetime | None
    method: str | None
    approved_version: int | None
    links: dict[str, str]


class FeeLineOut(BaseModel):
    code: Literal["days", "public_domain", "signs", "parking_spaces"]
    quantity: str = Field(description="a decimal number, as text")
    unit_price: str
    amount: str


class FeesOut(BaseModel):
    """The quote by the commune's tariff (euros, decimals as text) and whether it is paid."""

    lines: list[FeeLineOut]
    subtotal: str
    surcharge_percent: int
    surcharge: str
    exempt_type: str | None
    total: str
    currency: Literal["EUR"]
    status: Literal["unpaid", "paid", "waived"]


class FeeStatusIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: Literal["unpaid", "paid", "waived"]


# Euros as text, as the API answers them: up to MAX_AMOUNT_EUR, at most two decimals.
Amount = Annotated[
    str,
    Field(
        pattern=r"^(100000(\.0{1,2})?|[0-9]{1,5}(\.[0-9]{1,2})?)$",
        description=f"euros, e.g. 12.50 (0 to {MAX_AMOUNT_EUR})",
    ),
]


class TariffIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    per_day: Amount = "0"
    per_m2_day: Amount = "0"
    per_sign: Amount = "0"
    per_parking_space_day: Amount = "0"
    urgency_surcharge_percent: StrictInt = Field(0, ge=0, le=200)
    exempt_types: list[ProductionType] = Field(default_factory=lambda: [ProductionType.STUDENT])


class TariffOut(TariffIn):
    commune_nis: str


class ConditionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text_fr: str = Field(min_length=1, max_length=2000)
    text_de: str = Field(min_length=1, max_length=2000)
    position: StrictInt | None = Field(
        None, ge=0, le=1000, description="where it stands (null: where it is, or last if new)"
    )


class ConditionOut(ConditionIn):
    code: str
    own: bool = Field(description="the commune's own wording; false: offered to every commune")


class ConditionList(BaseModel):
    commune_nis: str
    conditions: list[ConditionOut]


class ServiceIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    address: str = Field("", max_length=2000)
    email: str | None = Field(None, max_length=254)
    phone: str | None = Field(None, max_length=50)


class ServiceOut(ServiceIn):
    kind: ServiceKindName


class ServiceList(BaseModel):
    commune_nis: str
    services: list[ServiceOut]


class PermitDetail(PermitSummary):
    """A request with its shoots (their parts in this commune), its siblings in other
    communes, what the caller may do next and, while it is prepared, its lead time."""

    production: Json  # type: ignore[assignment]
    public_domain_use: str
    notes: str
    submitted_at: datetime | None
    decided_at: datetime | None
    decision_comment: str | None
    decision_conditions: list[dict[str, str]]
    notice_working_days: int
    insurance_certificate: str | None
    version: int
    shoots: list[PermitShootOut]
    siblings: list[Sibling]
    allowed_actions: list[str]
    links: dict[str, str]
    amendments: list[AmendmentRef]
    lead_time: LeadTime | None = None
    checklist: ChecklistOut
    fees: FeesOut
    resident_notice: ResidentNoticeOut


class InsuranceUpload(BaseModel):
    """The insurance certificate, a PDF (multipart field `file`), and the cover it states
    (checked against the shoot days on submission)."""

    file: FormFile
    valid_from: date | None = None
    valid_until: date | None = None


class Attached(BaseModel):
    """The requests the certificate was attached to (the whole group)."""

    attached_to: list[int]


class TimelineEvent(BaseModel):
    at: datetime
    action: str
    from_status: str | None
    to_status: str | None
    comment: str | None
    actor: str | None


class AuditChange(BaseModel):
    at: datetime
    table: str
    row_id: str | None
    operation: str
    actor: str | None
    changes: dict[str, Json]


class History(BaseModel):
    """The request's moves and every recorded change of its rows."""

    id: int
    timeline: list[TimelineEvent]
    audit: list[AuditChange]


class VersionOut(BaseModel):
    number: int
    action: str
    status: str
    amendment_id: int | None
    created_at: datetime
    content_hash: str
    links: dict[str, str]


class VersionList(BaseModel):
    """The request's frozen versions, oldest first."""

    id: int
    versions: list[VersionOut]


class VersionDetail(VersionOut):
    """A frozen version and the document's data as it was."""

    data: Json


class Review(BaseModel):
    commune_nis: str
    commune: str
    status: str
    request_id: int | None
    leaves_commune: bool
    footprint_area_m2: float | None
    parking_area_m2: float | None
    decision_comment: str | None
    decided_at: datetime | None


class AmendmentOut(BaseModel):
    """An amendment: the shoot before and after, and each concerned commune's review."""

    id: int
    shoot_id: int
    production_id: int
    status: AmendmentStatus
    reason: str
    created_at: datetime
    decided_at: datetime | None
    created_by: str | None
    before: Json
    after: Json
    reviews: list[Review]
    allowed_actions: list[str]
    links: dict[str, str]


class AmendmentList(BaseModel):
    """The amendments the caller may read."""

    amendments: list[AmendmentOut]
