"""Imports every model so the metadata knows all tables (Alembic autogenerate, tests)."""

from core.auth.models import ApiToken, User
from core.communes.models import Commune
from locations.models import Category, Location, LocationPhoto
from permits.models import (
    AuditEntry,
    OutboxMessage,
    PermitCommuneSettings,
    PermitEvent,
    PermitRequest,
    PermitShoot,
)
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
    "AuditEntry",
    "Blackout",
    "CalendarFeed",
    "Category",
    "Commune",
    "CommuneSettings",
    "Location",
    "LocationPhoto",
    "OutboxMessage",
    "PermitCommuneSettings",
    "PermitEvent",
    "PermitRequest",
    "PermitShoot",
    "Production",
    "Shoot",
    "User",
    "WarningOverride",
]
