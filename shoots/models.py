"""Productions and their shoots: who occupies which ground, when."""

from __future__ import annotations

import enum
from datetime import datetime, time
from typing import Any

from flask_babel import lazy_gettext as _l
from geoalchemy2 import Geometry, WKBElement
from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    ColumnElement,
    DateTime,
    Enum,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    Time,
    UniqueConstraint,
    and_,
    case,
    exists,
    func,
    null,
    select,
    text,
)
from sqlalchemy.dialects import postgresql
from sqlalchemy.dialects.postgresql import TSTZRANGE, ExcludeConstraint, Range
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, aliased, mapped_column, relationship

from core.auth.models import User
from core.communes.models import Commune
from core.db import SRID, Base
from core.versioning import Versioned
from locations.models import Location


def _enum(python_enum: type[enum.Enum], name: str) -> Enum:
    return Enum(python_enum, name=name, values_callable=lambda values: [v.value for v in values])


class ProductionType(enum.StrEnum):
    FEATURE = "feature"
    SERIES = "series"
    DOCUMENTARY = "documentary"
    ANIMATION = "animation"
    COMMERCIAL = "commercial"
    MUSIC_VIDEO = "music_video"
    TV = "tv"
    STUDENT = "student"  # a school's film: communes often waive their fees (permits.fees)


class ProductionStatus(enum.StrEnum):
    DEVELOPMENT = "development"
    PREPARATION = "preparation"
    SHOOTING = "shooting"
    WRAPPED = "wrapped"
    CANCELLED = "cancelled"


class ShootStatus(enum.StrEnum):
    PLANNED = "planned"
    CANCELLED = "cancelled"


production_coordinators = Table(
    "production_coordinators",
    Base.metadata,
    Column("production_id", ForeignKey("productions.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class Production(Versioned, Base):
    __tablename__ = "productions"
    record_label = _l("production %(id)s")

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    type: Mapped[ProductionType] = mapped_column(_enum(ProductionType, "production_type"))
    company: Mapped[str] = mapped_column(String(200))
    contact_name: Mapped[str | None] = mapped_column(String(200))
    contact_email: Mapped[str | None] = mapped_column(String(254))
    contact_phone: Mapped[str | None] = mapped_column(String(50))
    file_reference: Mapped[str | None] = mapped_column(String(60), unique=True)
    status: Mapped[ProductionStatus] = mapped_column(
        _enum(ProductionStatus, "production_status"),
        default=ProductionStatus.PREPARATION,
        server_default=ProductionStatus.PREPARATION.value,
    )
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False, server_default="false")
    # Productions shoot under working titles and keep their files private until release: the
    # title reaches other coordinators and the public only when the production chooses so.
    listed: Mapped[bool] = mapped_column(Boolean, default=False, server_default="false")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )

    @hybrid_property
    def public_title(self) -> str | None:
        """The title anyone may read (public pages, OGC): a listed production's, else none."""
        return self.title if self.listed else None

    @public_title.inplace.expression
    @classmethod
    def _public_title_expression(cls) -> ColumnElement[str | None]:
        return case((cls.listed, cls.title), else_=null())

    coordinators: Mapped[list[User]] = relationship(secondary=production_coordinators)
    shoots: Mapped[list[Shoot]] = relationship(back_populates="production")


class ShootSeries(Versioned, Base):
    """Shoots of one production copied to several dates (every weekday for three weeks, or a
    list of dates): made together, all or nothing, and edited or cancelled together or one by
    one (shoots.operations.series). RULE keeps what was asked, to show it again."""

    __tablename__ = "shoot_series"
    record_label = _l("series %(id)s")

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    production_id: Mapped[int] = mapped_column(
        ForeignKey("productions.id", ondelete="CASCADE"), index=True
    )
    rule: Mapped[dict] = mapped_column(postgresql.JSONB, default=dict, server_default="{}")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )

    production: Mapped[Production] = relationship()
    shoots: Mapped[list[Shoot]] = relationship(
        back_populates="series", order_by=lambda: (func.lower(Shoot.period), Shoot.id)
    )


class Shoot(Versioned, Base):
    """A production's occupation of a footprint for a half-open period [start, end)."""

    __tablename__ = "shoots"
    record_label = _l("shoot %(id)s")
    __table_args__ = (
        CheckConstraint(
            "NOT isempty(period) AND lower_inc(period) AND NOT upper_inc(period)",
            name="period_half_open",
        ),
        CheckConstraint("crew_size >= 0 AND vehicle_count >= 0", name="counts_not_negative"),
        # Two live shoots can never hold the same library location at overlapping times, even
        # when saved at the same instant (btree_gist makes `=` usable in a GiST index).
        ExcludeConstraint(
            (Column("location_id"), "="),
            (Column("period"), "&&"),
            using="gist",
            where="status <> 'cancelled'",
            name="no_double_booking",
        ),
        # The conflict engine's search: live shoots near a place during a period.
        Index(
            "ix_shoots_live_footprint_period",
            "footprint",
            "period",
            postgresql_using="gist",
            postgresql_where=text("status <> 'cancelled'"),
        ),
        Index(
            "ix_shoots_live_parking_period",
            "parking",
            "period",
            postgresql_using="gist",
            postgresql_where=text("status <> 'cancelled'"),
        ),
        # The conflict report's search: live shoots overlapping a week.
        Index(
            "ix_shoots_live_period",
            "period",
            postgresql_using="gist",
            postgresql_where=text("status <> 'cancelled'"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    production_id: Mapped[int] = mapped_column(
        ForeignKey("productions.id", ondelete="CASCADE"), index=True
    )
    location_id: Mapped[int | None] = mapped_column(ForeignKey("locations.id"), index=True)
    # The series the shoot was made in, if any (a shoot outlives its series' deletion alone).
    series_id: Mapped[int | None] = mapped_column(
        ForeignKey("shoot_series.id", ondelete="SET NULL"), index=True
    )
    footprint: Mapped[WKBElement] = mapped_column(
        Geometry("MULTIPOLYGON", srid=SRID, spatial_index=True)
    )
    parking: Mapped[WKBElement | None] = mapped_column(
        Geometry("MULTIPOLYGON", srid=SRID, spatial_index=True)
    )
    period: Mapped[Range[datetime]] = mapped_column(TSTZRANGE)
    crew_size: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    vehicle_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    night_shoot: Mapped[bool] = mapped_column(Boolean, default=False, server_default="false")
    parking_suspension: Mapped[bool] = mapped_column(Boolean, default=False, server_default="false")
    road_closure: Mapped[bool] = mapped_column(Boolean, default=False, server_default="false")
    special_effects: Mapped[bool] = mapped_column(Boolean, default=False, server_default="false")
    drones: Mapped[bool] = mapped_column(Boolean, default=False, server_default="false")
    # The special-activity questionnaire's other answers (shoots.activities.Activities).
    activities: Mapped[dict[str, Any]] = mapped_column(
        postgresql.JSONB, default=dict, server_default="{}"
    )
    notes: Mapped[str] = mapped_column(Text, default="", server_default="")
    status: Mapped[ShootStatus] = mapped_column(
        _enum(ShootStatus, "shoot_status"),
        default=ShootStatus.PLANNED,
        server_default=ShootStatus.PLANNED.value,
    )
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )

    production: Mapped[Production] = relationship(back_populates="shoots")
    location: Mapped[Location | None] = relationship()
    series: Mapped[ShootSeries | None] = relationship(back_populates="shoots")

    @hybrid_property
    def is_live(self) -> bool:
        """The one definition of a live shoot: it still takes its ground. A shoot is live
        unless it is cancelled or its production is: the conflict engine and report, the
        location availability, calendars, maps, permit requests and every public view ask
        this (in SQL through the same expression; raw SQL through live_shoot_sql).

        The exclusion constraint and the partial indexes below cannot read the production:
        they carry the shoot's half (`status <> 'cancelled'`), which this expression
        implies, so queries filtering on is_live still use them."""
        return (
            self.status is not ShootStatus.CANCELLED
            and self.production.status is not ProductionStatus.CANCELLED
        )

    @is_live.inplace.expression
    @classmethod
    def _is_live_expression(cls) -> ColumnElement[bool]:
        # An alias of its own: the enclosing query may join productions too, and must not
        # have that join correlated away into this subquery.
        production = aliased(Production, name="cancelled_production")
        return and_(
            cls.status != ShootStatus.CANCELLED,
            ~exists()
            .where(
                production.id == cls.production_id,
                production.status == ProductionStatus.CANCELLED,
            )
            .correlate(cls),
        )


def live_shoot_sql(alias: str) -> str:
    """Shoot.is_live as SQL text for the raw statements (the conflict engine, the report),
    about the shoots row called ALIAS there: compiled from the expression, not rewritten."""
    shoot = aliased(Shoot, name=alias)
    statement = select(shoot.id).where(shoot.is_live)  # within a query, the subquery correlates
    compiled = str(
        statement.compile(dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True})
    )
    return "(" + compiled.split("\nWHERE ", 1)[1] + ")"


class BlackoutKind(enum.StrEnum):
    MARKET = "market"
    FESTIVAL = "festival"
    ROADWORKS = "roadworks"
    HOLIDAY_MORATORIUM = "holiday_moratorium"


class Blackout(Base):
    """A commune's period where filming is unwelcome, commune-wide (no area) or in an area.

    With a weekday (ISO 1 = Monday) and daily hours it recurs every week within `period`
    (a weekly market); otherwise it covers the whole period.
    """

    __tablename__ = "shoot_blackouts"
    __table_args__ = (
        CheckConstraint(
            "(weekday IS NULL AND daily_start IS NULL AND daily_end IS NULL)"
            " OR (weekday BETWEEN 1 AND 7 AND daily_start < daily_end)",
            name="weekly_rule_complete",
        ),
        CheckConstraint("NOT isempty(period)", name="period_not_empty"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    commune_nis: Mapped[str] = mapped_column(ForeignKey("communes.nis"), index=True)
    kind: Mapped[BlackoutKind] = mapped_column(_enum(BlackoutKind, "blackout_kind"))
    title: Mapped[str] = mapped_column(String(200))
    area: Mapped[WKBElement | None] = mapped_column(
        Geometry("MULTIPOLYGON", srid=SRID, spatial_index=True)
    )
    period: Mapped[Range[datetime]] = mapped_column(TSTZRANGE)
    weekday: Mapped[int | None] = mapped_column(Integer)
    daily_start: Mapped[time | None] = mapped_column(Time)
    daily_end: Mapped[time | None] = mapped_column(Time)
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False, server_default="false")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    commune: Mapped[Commune] = relationship()


class CommuneSettings(Base):
    """A commune's own thresholds for the warnings; communes without a row use the defaults."""

    __tablename__ = "shoot_commune_settings"
    __table_args__ = (
        CheckConstraint(
            "nearby_distance_m > 0 AND saturation_days > 0 AND saturation_radius_m > 0"
            " AND saturation_window_days > 0",
            name="positive",
        ),
    )

    commune_nis: Mapped[str] = mapped_column(ForeignKey("communes.nis"), primary_key=True)
    nearby_distance_m: Mapped[int] = mapped_column(Integer, server_default="250")
    saturation_days: Mapped[int] = mapped_column(Integer, server_default="10")
    saturation_radius_m: Mapped[int] = mapped_column(Integer, server_default="200")
    saturation_window_days: Mapped[int] = mapped_column(Integer, server_default="365")


class WarningOverride(Base):
    """A coordinator's recorded decision to go ahead despite a warning."""

    __tablename__ = "shoot_warning_overrides"
    __table_args__ = (UniqueConstraint("shoot_id", "rule", "other_ref"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    shoot_id: Mapped[int] = mapped_column(ForeignKey("shoots.id", ondelete="CASCADE"), index=True)
    rule: Mapped[str] = mapped_column(String(40))
    other_ref: Mapped[str] = mapped_column(String(60))  # e.g. "shoot:12", "blackout:3"
    reason: Mapped[str] = mapped_column(Text)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    user: Mapped[User | None] = relationship()


class FeedScope(enum.StrEnum):
    PRODUCTION = "production"
    LOCATION = "location"
    COMMUNE = "commune"


class CalendarFeed(Base):
    """A private iCalendar feed URL; only the token's SHA-256 is stored, revoking ends it."""

    __tablename__ = "shoot_calendar_feeds"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    scope: Mapped[FeedScope] = mapped_column(_enum(FeedScope, "feed_scope"))
    target: Mapped[str] = mapped_column(String(20))  # production id, location id or NIS code
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    created_by: Mapped[User | None] = relationship()
