from __future__ import annotations

from datetime import datetime

from geoalchemy2 import Geometry, WKBElement
from sqlalchemy import DateTime, Integer, String, func
from sqlalchemy.orm import Mapped, mapped_column

from core.db import SRID, Base


class Commune(Base):
    """A Walloon commune, keyed by its NIS/INS code. Retired communes stay for references."""

    __tablename__ = "communes"

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

    def name(self, locale: str = "fr") -> str:
        """The commune's name in LOCALE where it has one (German for the East Cantons)."""
        if locale == "de" and self.name_de:
            return self.name_de
        return self.name_fr
