"""Imports every model so the metadata knows all tables (Alembic autogenerate, tests)."""

from core.auth.models import ApiToken, User
from core.communes.models import Commune
from locations.models import Category, Location, LocationPhoto
from shoots.models import Production, Shoot

__all__ = [
    "ApiToken",
    "Category",
    "Commune",
    "Location",
    "LocationPhoto",
    "Production",
    "Shoot",
    "User",
]
