"""Permit requests: one per (production, commune), the shoots' parts on that commune's ground,
the workflow's timeline, per-commune lead times, the notification outbox and the audit log."""

from __future__ import annotations

import enum
import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from flask_babel import lazy_gettext as _l
from geoalchemy2 import Geometry, WKBElement
from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Enum,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    Uuid,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, TSTZRANGE, Range
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.auth.models import User
from core.communes.models import Commune
from core.db import SRID, Base
from locations.models import Location
from shoots.models import Production, Shoot, ShootStatus

DEFAULT_NOTICE_WORKING_DAYS = 15
MAX_NOTICE_WORKING_DAYS = 120
# A low-impact request's notice (the fast track) and who may take it, when a commune set none.
DEFAULT_FAST_TRACK_WORKING_DAYS = 5
DEFAULT_FAST_TRACK_MAX_CREW = 10


class PermitStatus(enum.StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    IN_REVIEW = "in_review"
    CHANGES_REQUESTED = "changes_requested"
    APPROVED = "approved"
    APPROVED_WITH_CONDITIONS = "approved_with_conditions"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


# What a status is called on pages, documents and messages.
STATUS_LABELS = {
    PermitStatus.DRAFT: _l("draft"),
    PermitStatus.SUBMITTED: _l("submitted"),
    PermitStatus.IN_REVIEW: _l("in review"),
    PermitStatus.CHANGES_REQUESTED: _l("changes requested"),
    PermitStatus.APPROVED: _l("approved"),
    PermitStatus.APPROVED_WITH_CONDITIONS: _l("approved with conditions"),
    PermitStatus.REJECTED: _l("rejected"),
    PermitStatus.WITHDRAWN: _l("withdrawn"),
}

APPROVED_STATUSES = (PermitStatus.APPROVED, PermitStatus.APPROVED_WITH_CONDITIONS)
# A shoot may be in at most one request per commune that is still alive.
CLOSED_STATUSES = (PermitStatus.REJECTED, PermitStatus.WITHDRAWN)
LIVE_STATUSES = tuple(s for s in PermitStatus if s not in CLOSED_STATUSES)
# The applicant may still change what the commune will read (e.g. the insurance certificate).
EDITABLE_STATUSES = (PermitStatus.DRAFT, PermitStatus.CHANGES_REQUESTED)
# The commune has the request before it or decided it: its shoots no longer change in place,
# an edit becomes an amendment (permits.amendments).
BINDING_STATUSES = (PermitStatus.SUBMITTED, PermitStatus.IN_REVIEW, *APPROVED_STATUSES)


class Audience(enum.StrEnum):
    """Who hears of a workflow move."""

    NOBODY = "nobody"
    OFFICERS = "officers"  # the commune's officers and its notification address
    APPLICANTS = "applicants"  # the production's coordinators and its contact address


class FeeStatus(enum.StrEnum):
    UNPAID = "unpaid"
    PAID = "paid"
    WAIVED = "waived"


FEE_STATUS_LABELS = {
    FeeStatus.UNPAID: _l("unpaid"),
    FeeStatus.PAID: _l("paid"),
    FeeStatus.WAIVED: _l("waived"),
}
# A parking space along the kerb, as Belgian communes count them, unless the commune says.
DEFAULT_PARKING_SPACE_M = 5.5
# Days before the first shoot the residents must have the notice, unless the commune says.
DEFAULT_RESIDENT_NOTICE_DAYS = 7
MAX_AMOUNT_EUR = 100_000


class PermitRequest(Base):
    """What one commune is asked to allow: the production's shoots (or parts) on its ground."""

    __tablename__ = "permit_requests"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # Requests split from one submission share a group: each points to its siblings.
    group_id: Mapped[uuid.UUID] = mapped_column(Uuid, index=True, default=uuid.uuid4)
    production_id: Mapped[int] = mapped_column(
        ForeignKey("productions.id", ondelete="CASCADE"), index=True
    )
    commune_nis: Mapped[str] = mapped_column(ForeignKey("communes.nis"), index=True)
    status: Mapped[PermitStatus] = mapped_column(
        Enum(PermitStatus, name="permit_status", values_callable=lambda s: [v.value for v in s]),
        default=PermitStatus.DRAFT,
        server_default=PermitStatus.DRAFT.value,
        index=True,
    )
    public_domain_use: Mapped[str] = mapped_column(Text, default="", server_default="")
    notes: Mapped[str] = mapped_column(Text, default="", server_default="")
    decision_comment: Mapped[str | None] = mapped_column(Text)
    # The standard conditions the decision imposed, as they read when decided: [{code, text}].
    decision_conditions: Mapped[list[dict[str, str]]] = mapped_column(
        JSONB, default=list, server_default="[]"
    )
    fee_status: Mapped[str] = mapped_column(
        String(10), default=FeeStatus.UNPAID.value, server_default=FeeStatus.UNPAID.value
    )
    fee_status_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # When and how the production delivered the notice to the residents.
    resident_notice_delivered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    resident_notice_method: Mapped[str | None] = mapped_column(String(200))
    is_late: Mapped[bool] = mapped_column(Boolean, default=False, server_default="false")
    notice_working_days: Mapped[int | None] = mapped_column(Integer)
    insurance_filename: Mapped[str | None] = mapped_column(String(200))
    insurance_pdf: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    # The cover the certificate states, when the production gave it (checked on submission).
    insurance_valid_from: Mapped[date | None] = mapped_column(Date)
    insurance_valid_until: Mapped[date | None] = mapped_column(Date)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    # Production.permit_requests: what core.auth.policy.production_view asks for officers.
    production: Mapped[Production] = relationship(backref="permit_requests")
    commune: Mapped[Commune] = relationship()
    created_by: Mapped[User | None] = relationship()
    parts: Mapped[list[PermitShoot]] = relationship(
        back_populates="request", cascade="all, delete-orphan", order_by="PermitShoot.shoot_id"
    )
    events: Mapped[list[PermitEvent]] = relationship(
        back_populates="request", order_by="PermitEvent.id"
    )

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012

    @property
    def language(self) -> str:
        """The document's language: German for the German-speaking communes."""
        return "de" if self.commune.name_de else "fr"


class PermitShoot(Base):
    """A shoot's footprint and parking clipped to the request's commune, areas in m²."""

    __tablename__ = "permit_request_shoots"

    request_id: Mapped[int] = mapped_column(
        ForeignKey("permit_requests.id", ondelete="CASCADE"), primary_key=True
    )
    shoot_id: Mapped[int] = mapped_column(
        ForeignKey("shoots.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    footprint_part: Mapped[WKBElement | None] = mapped_column(
        Geometry("MULTIPOLYGON", srid=SRID, spatial_index=False)
    )
    parking_part: Mapped[WKBElement | None] = mapped_column(
        Geometry("MULTIPOLYGON", srid=SRID, spatial_index=False)
    )
    footprint_area_m2: Mapped[float] = mapped_column(Float, default=0, server_default="0")
    parking_area_m2: Mapped[float] = mapped_column(Float, default=0, server_default="0")

    request: Mapped[PermitRequest] = relationship(back_populates="parts")
    shoot: Mapped[Shoot] = relationship()


class PermitEvent(Base):
    """One step of a request's timeline, or of an amendment's review by one commune (the
    workflow's own record, next to the audit log)."""

    __tablename__ = "permit_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # An amendment's review in a commune without a request yet has no request.
    request_id: Mapped[int | None] = mapped_column(
        ForeignKey("permit_requests.id", ondelete="CASCADE"), index=True
    )
    review_id: Mapped[int | None] = mapped_column(
        ForeignKey("permit_amendment_reviews.id", ondelete="CASCADE"), index=True
    )
    action: Mapped[str] = mapped_column(String(40))
    from_status: Mapped[str | None] = mapped_column(String(40))
    to_status: Mapped[str] = mapped_column(String(40))
    comment: Mapped[str] = mapped_column(Text, default="", server_default="")
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    request: Mapped[PermitRequest | None] = relationship(back_populates="events")
    review: Mapped[AmendmentReview | None] = relationship(back_populates="events")
    actor: Mapped[User | None] = relationship()


class PermitCommuneSettings(Base):
    """A commune's minimum notice and the address its notifications go to."""

    __tablename__ = "permit_commune_settings"
    __table_args__ = (
        CheckConstraint(
            f"notice_working_days BETWEEN 0 AND {MAX_NOTICE_WORKING_DAYS}", name="notice_range"
        ),
    )

    commune_nis: Mapped[str] = mapped_column(ForeignKey("communes.nis"), primary_key=True)
    notice_working_days: Mapped[int] = mapped_column(
        Integer,
        default=DEFAULT_NOTICE_WORKING_DAYS,
        server_default=str(DEFAULT_NOTICE_WORKING_DAYS),
    )
    notification_email: Mapped[str | None] = mapped_column(String(254))
    fast_track_working_days: Mapped[int] = mapped_column(
        Integer,
        default=DEFAULT_FAST_TRACK_WORKING_DAYS,
        server_default=str(DEFAULT_FAST_TRACK_WORKING_DAYS),
    )
    # The commune's own Word document (letterhead, styles) the ordinance draft is written on.
    ordinance_template: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    parking_space_m: Mapped[float] = mapped_column(
        Float, default=DEFAULT_PARKING_SPACE_M, server_default=str(DEFAULT_PARKING_SPACE_M)
    )
    resident_notice_days: Mapped[int] = mapped_column(
        Integer,
        default=DEFAULT_RESIDENT_NOTICE_DAYS,
        server_default=str(DEFAULT_RESIDENT_NOTICE_DAYS),
    )
    fast_track_max_crew: Mapped[int] = mapped_column(
        Integer,
        default=DEFAULT_FAST_TRACK_MAX_CREW,
        server_default=str(DEFAULT_FAST_TRACK_MAX_CREW),
    )


class ServiceKind(enum.StrEnum):
    """The services a commune's directory lists, and a rule may copy."""

    COMMUNE_OFFICE = "commune_office"
    POLICE_ZONE = "police_zone"
    FIRE_ZONE = "fire_zone"
    ROAD_MANAGER = "road_manager"


SERVICE_LABELS = {
    ServiceKind.COMMUNE_OFFICE: _l("commune office"),
    ServiceKind.POLICE_ZONE: _l("police zone"),
    ServiceKind.FIRE_ZONE: _l("fire service"),
    ServiceKind.ROAD_MANAGER: _l("regional road manager"),
}


class DocumentKind(enum.StrEnum):
    """The compliance documents a rule may require (the insurance certificate stays the
    request's own, permits.operations.attach_insurance)."""

    OWNER_CONSENT = "owner_consent"
    SAFETY_PLAN = "safety_plan"
    FIRE_SERVICE_REPORT = "fire_service_report"
    DRONE_AUTHORISATION = "drone_authorisation"
    FLIGHT_PLAN = "flight_plan"


DOCUMENT_LABELS = {
    DocumentKind.OWNER_CONSENT: _l("owner's consent"),
    DocumentKind.SAFETY_PLAN: _l("safety plan"),
    DocumentKind.FIRE_SERVICE_REPORT: _l("fire-service report"),
    DocumentKind.DRONE_AUTHORISATION: _l("drone authorisation"),
    DocumentKind.FLIGHT_PLAN: _l("flight plan"),
}


def _one_of(column: str, kinds: type[enum.StrEnum]) -> str:
    return f"{column} IN ({', '.join(repr(kind.value) for kind in kinds)})"


class ActivityRule(Base):
    """What a declared activity asks of a request in a commune: more notice, documents,
    services to copy, and whether the request may still take the fast track. A row without a
    commune is the default of every commune that has no row of its own for the activity
    (permits.requirements.rules_for)."""

    __tablename__ = "permit_activity_rules"
    __table_args__ = (
        UniqueConstraint("commune_nis", "activity", postgresql_nulls_not_distinct=True),
        CheckConstraint(
            f"extra_working_days BETWEEN 0 AND {MAX_NOTICE_WORKING_DAYS}", name="extra_days_range"
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    commune_nis: Mapped[str | None] = mapped_column(ForeignKey("communes.nis"), index=True)
    activity: Mapped[str] = mapped_column(String(40))
    extra_working_days: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    documents: Mapped[list[str]] = mapped_column(
        ARRAY(String(40)), default=list, server_default="{}"
    )
    services: Mapped[list[str]] = mapped_column(
        ARRAY(String(40)), default=list, server_default="{}"
    )
    allows_fast_track: Mapped[bool] = mapped_column(Boolean, default=False, server_default="false")


class StandardCondition(Base):
    """A condition a commune's decisions often impose, in French and German, for the officer
    to tick. A row without a commune is offered to every commune that has no row of that code
    (permits.conditions)."""

    __tablename__ = "permit_standard_conditions"
    __table_args__ = (UniqueConstraint("commune_nis", "code", postgresql_nulls_not_distinct=True),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    commune_nis: Mapped[str | None] = mapped_column(ForeignKey("communes.nis"), index=True)
    code: Mapped[str] = mapped_column(String(40))
    text_fr: Mapped[str] = mapped_column(Text)
    text_de: Mapped[str] = mapped_column(Text)
    position: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # A commune's row that only hides a default it does not want.
    withdrawn: Mapped[bool] = mapped_column(Boolean, default=False, server_default="false")


class Tariff(Base):
    """A commune's fees for filming on its public domain, in euros. A commune without a row
    charges nothing (permits.fees)."""

    __tablename__ = "permit_tariffs"
    __table_args__ = (
        CheckConstraint(
            "per_day >= 0 AND per_m2_day >= 0 AND per_sign >= 0 AND per_parking_space_day >= 0",
            name="amounts_not_negative",
        ),
        CheckConstraint("urgency_surcharge_percent BETWEEN 0 AND 200", name="surcharge_range"),
    )

    commune_nis: Mapped[str] = mapped_column(ForeignKey("communes.nis"), primary_key=True)
    per_day: Mapped[Decimal] = mapped_column(Numeric(10, 2), default=0, server_default="0")
    per_m2_day: Mapped[Decimal] = mapped_column(Numeric(10, 2), default=0, server_default="0")
    per_sign: Mapped[Decimal] = mapped_column(Numeric(10, 2), default=0, server_default="0")
    per_parking_space_day: Mapped[Decimal] = mapped_column(
        Numeric(10, 2), default=0, server_default="0"
    )
    urgency_surcharge_percent: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # Production types the commune lets film for free (student films by default).
    exempt_types: Mapped[list[str]] = mapped_column(
        ARRAY(String(40)), default=lambda: ["student"], server_default="{student}"
    )


class CommuneService(Base):
    """A service in a commune's directory: its office, police zone, fire zone, road manager."""

    __tablename__ = "permit_commune_services"
    __table_args__ = (
        UniqueConstraint("commune_nis", "kind"),
        CheckConstraint(_one_of("kind", ServiceKind), name="known_kind"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    commune_nis: Mapped[str] = mapped_column(ForeignKey("communes.nis"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(200))
    address: Mapped[str] = mapped_column(Text, default="", server_default="")
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(50))


class ComplianceDocument(Base):
    """A document a rule may require: the production's, for all its requests, or one
    request's. Never changed once uploaded: a newer one replaces it (the newest covering
    one counts, permits.documents)."""

    __tablename__ = "permit_documents"
    __table_args__ = (
        CheckConstraint(_one_of("kind", DocumentKind), name="known_kind"),
        CheckConstraint("valid_from <= valid_until", name="validity_in_order"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    production_id: Mapped[int] = mapped_column(
        ForeignKey("productions.id", ondelete="CASCADE"), index=True
    )
    request_id: Mapped[int | None] = mapped_column(
        ForeignKey("permit_requests.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(40))
    filename: Mapped[str] = mapped_column(String(200))
    media_type: Mapped[str] = mapped_column(String(40))
    content: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    sha256: Mapped[str] = mapped_column(String(64))
    valid_from: Mapped[date | None] = mapped_column(Date)
    valid_until: Mapped[date | None] = mapped_column(Date)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )

    uploaded_by: Mapped[User | None] = relationship()


class OutboxMessage(Base):
    """A notification: kept until sent, retried with backoff, never deleted."""

    __tablename__ = "permit_outbox"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[int | None] = mapped_column(
        ForeignKey("permit_requests.id", ondelete="SET NULL"), index=True
    )
    recipient: Mapped[str] = mapped_column(String(254))
    recipient_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    next_attempt_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), index=True
    )
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    last_error: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class AuditEntry(Base):
    """A row change written by database triggers; the table refuses UPDATE and DELETE."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.clock_timestamp()
    )
    table_name: Mapped[str] = mapped_column(String(63))
    row_id: Mapped[str | None] = mapped_column(String(40))
    request_id: Mapped[int | None] = mapped_column(Integer, index=True)
    operation: Mapped[str] = mapped_column(String(6))
    actor_id: Mapped[int | None] = mapped_column(Integer)
    before: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSONB)


Index("ix_audit_log_table_row", AuditEntry.table_name, AuditEntry.row_id)


def _status_enum(python_enum: type[enum.Enum], name: str) -> Enum:
    return Enum(python_enum, name=name, values_callable=lambda s: [v.value for v in s])


class AmendmentStatus(enum.StrEnum):
    PENDING = "pending"  # some concerned commune has not decided yet
    APPROVED = "approved"  # every concerned commune approved: applied to the shoot
    REJECTED = "rejected"  # one commune refused: the approved version stays
    WITHDRAWN = "withdrawn"  # the production took it back


AMENDMENT_STATUS_LABELS = {
    AmendmentStatus.PENDING: _l("pending"),
    AmendmentStatus.APPROVED: _l("approved"),
    AmendmentStatus.REJECTED: _l("rejected"),
    AmendmentStatus.WITHDRAWN: _l("withdrawn"),
}


class Amendment(Base):
    """A proposed revision of a shoot that communes have before them or decided: the shoot as
    it would be. The shoot keeps its values (the official ones) until every concerned commune
    approves; then these are applied (permits.amendments)."""

    __tablename__ = "permit_amendments"
    __table_args__ = (
        # One proposal at a time per shoot, even when two coordinators save at once.
        Index(
            "ix_permit_amendments_one_pending",
            "shoot_id",
            unique=True,
            postgresql_where=text("status = 'pending'"),
        ),
        CheckConstraint("crew_size >= 0 AND vehicle_count >= 0", name="counts_not_negative"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    shoot_id: Mapped[int] = mapped_column(ForeignKey("shoots.id", ondelete="CASCADE"), index=True)
    production_id: Mapped[int] = mapped_column(
        ForeignKey("productions.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[AmendmentStatus] = mapped_column(
        _status_enum(AmendmentStatus, "amendment_status"),
        default=AmendmentStatus.PENDING,
        server_default=AmendmentStatus.PENDING.value,
    )
    reason: Mapped[str] = mapped_column(Text)
    base_version: Mapped[int] = mapped_column(Integer)  # the shoot's version it was made on
    # The shoot as it was when the amendment was proposed (what the page compares with).
    previous: Mapped[dict[str, Any]] = mapped_column(JSONB)
    # The shoot as it would be.
    location_id: Mapped[int | None] = mapped_column(ForeignKey("locations.id"))
    footprint: Mapped[WKBElement] = mapped_column(
        Geometry("MULTIPOLYGON", srid=SRID, spatial_index=False)
    )
    parking: Mapped[WKBElement | None] = mapped_column(
        Geometry("MULTIPOLYGON", srid=SRID, spatial_index=False)
    )
    period: Mapped[Range[datetime]] = mapped_column(TSTZRANGE)
    crew_size: Mapped[int] = mapped_column(Integer)
    vehicle_count: Mapped[int] = mapped_column(Integer)
    night_shoot: Mapped[bool] = mapped_column(Boolean)
    parking_suspension: Mapped[bool] = mapped_column(Boolean)
    road_closure: Mapped[bool] = mapped_column(Boolean)
    special_effects: Mapped[bool] = mapped_column(Boolean)
    drones: Mapped[bool] = mapped_column(Boolean)
    activities: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict, server_default="{}")
    notes: Mapped[str] = mapped_column(Text)
    shoot_status: Mapped[ShootStatus] = mapped_column(_status_enum(ShootStatus, "shoot_status"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    shoot: Mapped[Shoot] = relationship()
    production: Mapped[Production] = relationship()
    location: Mapped[Location | None] = relationship()
    created_by: Mapped[User | None] = relationship()
    reviews: Mapped[list[AmendmentReview]] = relationship(
        back_populates="amendment", order_by="AmendmentReview.commune_nis"
    )

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class AmendmentReview(Base):
    """One concerned commune's decision on an amendment, moved by the same workflow as a
    request (permits.workflow). The commune's part of the proposed shoot is kept here, not in
    the request, so that the approved version stays the official one until the amendment is
    approved. REQUEST is the commune's request holding the shoot; none when the change brings
    the shoot onto a new commune's ground (approving creates that request)."""

    __tablename__ = "permit_amendment_reviews"
    __table_args__ = (UniqueConstraint("amendment_id", "commune_nis"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    amendment_id: Mapped[int] = mapped_column(
        ForeignKey("permit_amendments.id", ondelete="CASCADE"), index=True
    )
    commune_nis: Mapped[str] = mapped_column(ForeignKey("communes.nis"), index=True)
    # The amendment's production, for the officers' view of it (core.auth.policy).
    production_id: Mapped[int] = mapped_column(
        ForeignKey("productions.id", ondelete="CASCADE"), index=True
    )
    request_id: Mapped[int | None] = mapped_column(
        ForeignKey("permit_requests.id", ondelete="SET NULL"), index=True
    )
    status: Mapped[PermitStatus] = mapped_column(
        _status_enum(PermitStatus, "permit_status"),
        default=PermitStatus.SUBMITTED,
        server_default=PermitStatus.SUBMITTED.value,
    )
    decision_comment: Mapped[str | None] = mapped_column(Text)
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # The proposed shoot on this commune's ground; none when the shoot leaves it.
    footprint_part: Mapped[WKBElement | None] = mapped_column(
        Geometry("MULTIPOLYGON", srid=SRID, spatial_index=False)
    )
    parking_part: Mapped[WKBElement | None] = mapped_column(
        Geometry("MULTIPOLYGON", srid=SRID, spatial_index=False)
    )
    footprint_area_m2: Mapped[float] = mapped_column(Float, default=0, server_default="0")
    parking_area_m2: Mapped[float] = mapped_column(Float, default=0, server_default="0")
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    amendment: Mapped[Amendment] = relationship(back_populates="reviews")
    commune: Mapped[Commune] = relationship()
    # Production.amendment_reviews: what core.auth.policy.production_view asks for officers.
    production: Mapped[Production] = relationship(backref="amendment_reviews")
    request: Mapped[PermitRequest | None] = relationship()
    events: Mapped[list[PermitEvent]] = relationship(
        back_populates="review", order_by="PermitEvent.id"
    )

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012

    @property
    def language(self) -> str:
        return "de" if self.commune.name_de else "fr"

    @property
    def leaves(self) -> bool:
        """The amendment takes the shoot off this commune's ground."""
        return self.footprint_part is None and self.parking_part is None


class RequestVersion(Base):
    """A request as it stood when it was submitted, decided or amended: what the commune read
    and decided, frozen. Rows are never changed or deleted (the app's role may only insert and
    read them, core.privileges) and outlive the request, like the audit log; `content_hash` is
    the SHA-256 of the canonical JSON of `data` (permits.versions)."""

    __tablename__ = "permit_request_versions"
    __table_args__ = (UniqueConstraint("request_id", "number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[int] = mapped_column(Integer, index=True)
    number: Mapped[int] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(40))  # what froze it: submit, approve, amend…
    status: Mapped[str] = mapped_column(String(40))
    amendment_id: Mapped[int | None] = mapped_column(Integer)
    actor_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.clock_timestamp()
    )
    data: Mapped[dict[str, Any]] = mapped_column(JSONB)
    content_hash: Mapped[str] = mapped_column(String(64))
