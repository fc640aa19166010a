"""The location library: places in Wallonia where one can film."""

from __future__ import annotations

import enum
from datetime import datetime

from flask_babel import lazy_gettext as _l
from geoalchemy2 import Geometry, WKBElement
from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    ColumnElement,
    Computed,
    DateTime,
    Enum,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    func,
    text,
    true,
)
from sqlalchemy.dialects.postgresql import ARRAY, TSVECTOR
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.auth.models import User
from core.auth.policy import allowed
from core.communes.models import PLACE_KEY_SQL, Commune
from core.db import SRID, Base
from core.versioning import Versioned

SEARCH_DOCUMENT_SQL = "tournages_location_document(name, tags, description)"


class LocationStatus(enum.StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    ARCHIVED = "archived"


class Category(Base):
    """A managed category (château, abbey, quarry…), editable by admins."""

    __tablename__ = "location_categories"

    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    label_fr: Mapped[str] = mapped_column(String(120))
    label_en: Mapped[str] = mapped_column(String(120))
    label_de: Mapped[str] = mapped_column(String(120))
    position: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    def label(self, locale: str = "fr") -> str:
        return {"en": self.label_en, "de": self.label_de}.get(locale, self.label_fr)


location_category_links = Table(
    "location_category_links",
    Base.metadata,
    Column("location_id", ForeignKey("locations.id", ondelete="CASCADE"), primary_key=True),
    Column("category_code", ForeignKey("location_categories.code"), primary_key=True, index=True),
)


class Location(Versioned, Base):
    __tablename__ = "locations"
    record_label = _l("location %(id)s")
    __table_args__ = (
        CheckConstraint("truck_parking_capacity >= 0", name="truck_parking_not_negative"),
        Index("ix_locations_search_document", "search_document", postgresql_using="gin"),
        Index("ix_locations_tags", "tags", postgresql_using="gin"),
        # The place search (locations.places): names by prefix and by trigram similarity.
        Index(
            "ix_locations_name_key",
            "name_key",
            postgresql_using="gin",
            postgresql_ops={"name_key": "gin_trgm_ops"},
        ),
    )

    @classmethod
    def visible_to(cls, user: User | None) -> ColumnElement[bool]:
        """The filter of the locations USER may see, for every query that lists them (the
        policy's locations.view_unpublished: drafts and archived ones for the library's
        editors only)."""
        if allowed(user, "locations.view_unpublished"):
            return true()
        return cls.status == LocationStatus.PUBLISHED

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="", server_default="")
    tags: Mapped[list[str]] = mapped_column(ARRAY(String(60)), default=list, server_default="{}")
    point: Mapped[WKBElement] = mapped_column(Geometry("POINT", srid=SRID, spatial_index=True))
    outline: Mapped[WKBElement | None] = mapped_column(
        Geometry("POLYGON", srid=SRID, spatial_index=True)
    )
    address: Mapped[str | None] = mapped_column(String(300))
    # Derived from the geometry by the domain operations, never typed by hand.
    commune_nis: Mapped[str] = mapped_column(ForeignKey("communes.nis"), index=True)

    truck_parking_capacity: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    has_power: Mapped[bool] = mapped_column(Boolean, default=False, server_default="false")
    has_water: Mapped[bool] = mapped_column(Boolean, default=False, server_default="false")
    has_toilets: Mapped[bool] = mapped_column(Boolean, default=False, server_default="false")
    step_free_access: Mapped[bool] = mapped_column(Boolean, default=False, server_default="false")
    access_notes: Mapped[str] = mapped_column(Text, default="", server_default="")

    # Private: coordinators and admins only, never in public or scout-facing output.
    contact_name: Mapped[str | None] = mapped_column(String(200))
    contact_phone: Mapped[str | None] = mapped_column(String(50))
    contact_email: Mapped[str | None] = mapped_column(String(254))
    owner_notes: Mapped[str] = mapped_column(Text, default="", server_default="")

    status: Mapped[LocationStatus] = mapped_column(
        Enum(
            LocationStatus,
            name="location_status",
            values_callable=lambda values: [v.value for v in values],
        ),
        default=LocationStatus.DRAFT,
        server_default=LocationStatus.DRAFT.value,
        index=True,
    )
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False, server_default="false")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )
    # Where an imported or demo row came from (e.g. "irail:008892007"): re-loading updates it.
    external_ref: Mapped[str | None] = mapped_column(String(120), unique=True)
    # French full-text document, accent-free; the IMMUTABLE SQL function is defined in
    # migration 0003 (unaccent itself is only STABLE, so it cannot feed a generated column).
    search_document: Mapped[str] = mapped_column(
        TSVECTOR,
        Computed(SEARCH_DOCUMENT_SQL, persisted=True),
        deferred=True,
    )
    # The name as the place search compares it (lower case, unaccented): stored, because
    # computing it for each of thousands of rows matching "cha" costs more than the search.
    name_key: Mapped[str] = mapped_column(
        Text, Computed(PLACE_KEY_SQL.format("name"), persisted=True), deferred=True
    )

    categories: Mapped[list[Category]] = relationship(
        secondary=location_category_links, order_by=Category.position
    )
    photos: Mapped[list[LocationPhoto]] = relationship(
        order_by=lambda: (LocationPhoto.position, LocationPhoto.id),
        cascade="all, delete-orphan",
        passive_deletes=True,
    )
    commune: Mapped[Commune] = relationship()
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    updated_by: Mapped[User | None] = relationship(foreign_keys=[updated_by_id])


class LocationPhoto(Base):
    """A photo of a location; files live under UPLOAD_FOLDER/locations/<location id>/."""

    __tablename__ = "location_photos"
    __table_args__ = (
        # At most one cover per location.
        Index(
            "uq_location_photos_cover",
            "location_id",
            unique=True,
            postgresql_where=text("is_cover"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    location_id: Mapped[int] = mapped_column(
        ForeignKey("locations.id", ondelete="CASCADE"), index=True
    )
    stored_name: Mapped[str] = mapped_column(String(80), unique=True)
    media_type: Mapped[str] = mapped_column(String(20))
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    byte_size: Mapped[int] = mapped_column(Integer)
    caption: Mapped[str] = mapped_column(String(300), default="", server_default="")
    position: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    is_cover: Mapped[bool] = mapped_column(Boolean, default=False, server_default="false")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    @property
    def thumbnail_name(self) -> str:
        return f"{self.stored_name.rsplit('.', 1)[0]}-thumb.jpg"
