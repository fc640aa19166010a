"""Productions and their shoots: who occupies which ground, when."""

from __future__ import annotations

import enum
from datetime import datetime

from geoalchemy2 import Geometry, WKBElement
from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    DateTime,
    Enum,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
    func,
)
from sqlalchemy.dialects.postgresql import TSTZRANGE, Range
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.auth.models import User
from core.db import SRID, Base
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


class Production(Base):
    __tablename__ = "productions"

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
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    coordinators: Mapped[list[User]] = relationship(secondary=production_coordinators)
    shoots: Mapped[list[Shoot]] = relationship(back_populates="production")

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class Shoot(Base):
    """A production's occupation of a footprint for a half-open period [start, end)."""

    __tablename__ = "shoots"
    __table_args__ = (
        CheckConstraint(
            "NOT isempty(period) AND lower_inc(period) AND NOT upper_inc(period)",
            name="period_half_open",
        ),
        CheckConstraint("crew_size >= 0 AND vehicle_count >= 0", name="counts_not_negative"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    production_id: Mapped[int] = mapped_column(
        ForeignKey("productions.id", ondelete="CASCADE"), index=True
    )
    location_id: Mapped[int | None] = mapped_column(ForeignKey("locations.id"), index=True)
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
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    production: Mapped[Production] = relationship(back_populates="shoots")
    location: Mapped[Location | None] = relationship()

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012
