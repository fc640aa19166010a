"""Imports every model so the metadata knows all tables (Alembic autogenerate, tests)."""

from core.auth.models import ApiToken, User
from core.communes.models import Commune
from locations.models import Category, Location
from shoots.models import (
    Blackout,
    CalendarFeed,
    CommuneSettings,
    Production,
    Shoot,
    WarningOverride,
)

__all__ = [
    "ApiToken",
    "Blackout",
    "CalendarFeed",
    "Category",
    "Commune",
    "CommuneSettings",
    "Location",
    "Production",
    "Shoot",
    "User",
    "WarningOverride",
]
