from __future__ import annotations

from datetime import datetime
from typing import Any

from geoalchemy2 import Geometry, WKBElement
from sqlalchemy import ColumnElement, DateTime, Index, Integer, String, func, literal_column, select
from sqlalchemy.orm import Mapped, mapped_column

from core.dates import language
from core.db import SRID, Base

PLACE_KEY_SQL = "tournages_place_key({})"  # of a column, for indexes and generated columns


def place_key(name: Any) -> Any:
    """NAME as the place search compares it: lower case, unaccented, punctuation as spaces (the
    SQL function of migration 0011)."""
    return func.tournages_place_key(name)


def name_index(table: str, column: str) -> Index:
    """A trigram index on COLUMN's place key: prefixes ("Nam") and near misses ("Butgenbak").
    Enough for the few hundred communes; locations store their key (Location.name_key)."""
    key = f"{column}_key"
    return Index(
        f"ix_{table}_{key}",
        literal_column(PLACE_KEY_SQL.format(column)).label(key),
        postgresql_using="gin",
        postgresql_ops={key: "gin_trgm_ops"},
    )


class Commune(Base):
    """A Walloon commune, keyed by its NIS/INS code. Retired communes stay for references."""

    __tablename__ = "communes"
    __table_args__ = tuple(
        # The place search (locations.places) looks names up by prefix and by similarity.
        name_index("communes", column)
        for column in ("name_fr", "name_de", "name_nl")
    )

    nis: Mapped[str] = mapped_column(String(5), primary_key=True)
    name_fr: Mapped[str] = mapped_column(String(120))
    name_de: Mapped[str | None] = mapped_column(String(120))
    name_nl: Mapped[str | None] = mapped_column(String(120))
    arrondissement: Mapped[str] = mapped_column(String(120))
    province_nis: Mapped[str] = mapped_column(String(5), index=True)
    province: Mapped[str] = mapped_column(String(120))
    population: Mapped[int | None] = mapped_column(Integer)
    boundary: Mapped[WKBElement] = mapped_column(
        Geometry("MULTIPOLYGON", srid=SRID, spatial_index=True)
    )
    retired_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )

    # The owner of "a commune's name in a language": the official French name, except in
    # German for the nine communes of the German-speaking Community, whose official names
    # are German. `name` for objects, `name_in` for what SQL lists build.
    def name(self, locale: str | None = None) -> str:
        """The commune's name in LOCALE (the request's language by default)."""
        if language(locale) == "de" and self.name_de:
            return self.name_de
        return self.name_fr

    @classmethod
    def name_in(cls, locale: str | None = None) -> ColumnElement[str]:
        """`name`'s rule as an SQL expression over the communes table."""
        if language(locale) == "de":
            return func.coalesce(cls.name_de, cls.name_fr)
        return cls.name_fr


class ProvinceName(Base):
    """A province's name in a language the boundary file does not carry: the file names
    provinces in French only (`Commune.province`); the German names are seeded by migration
    0011."""

    __tablename__ = "province_names"

    province_nis: Mapped[str] = mapped_column(String(5), primary_key=True)
    language: Mapped[str] = mapped_column(String(2), primary_key=True)
    name: Mapped[str] = mapped_column(String(120))


def province_name_in(locale: str | None = None) -> ColumnElement[str]:
    """The owner of "a commune's province's name in a language", as an SQL expression over
    the communes table: the translated name where `province_names` has one, else French."""
    code = language(locale)
    if code == "fr":
        return Commune.province
    translated = (
        select(ProvinceName.name)
        .where(ProvinceName.province_nis == Commune.province_nis, ProvinceName.language == code)
        .scalar_subquery()
    )
    return func.coalesce(translated, Commune.province)
