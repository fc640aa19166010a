"""What the location library asks about the shoots booked at its locations.

Shoots sit above locations (docs/architecture.md): the library may not read them. Yet its search
filters by availability, a location that shoots refer to is archived rather than deleted, and a
location's page lists the shoots to come. Those three questions are `LocationBookings`; the
shoots package answers them (`shoots.operations.location_bookings`) and registers its answer
from `shoots.init_app`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from sqlalchemy import ColumnElement
from sqlalchemy.orm import Session

from core.auth.models import User
from locations.models import Location


@dataclass(frozen=True)
class UpcomingShoot:
    """A shoot to come at a location, as the viewer may see it."""

    shoot_id: int
    production: str  # the production's name the viewer may read (core.auth.policy)
    starts_at: datetime
    ends_at: datetime


class LocationBookings(Protocol):
    def booked_between(self, start: datetime, end: datetime) -> ColumnElement[bool]:
        """A condition on `locations.models.Location`, for a query's WHERE (it stays in
        PostGIS): true when a live shoot occupies the location in the half-open [start, end)."""
        ...

    def has_shoots(self, session: Session, location: Location) -> bool:
        """Whether any shoot, past or cancelled included, refers to LOCATION."""
        ...

    def upcoming(
        self, session: Session, location: Location, viewer: User | None, now: datetime
    ) -> list[UpcomingShoot]:
        """The live shoots not over at NOW at LOCATION, soonest first."""
        ...


_registered: list[LocationBookings] = []


def register(provider: LocationBookings) -> None:
    """Called once per app by the package that owns the shoots (a new app replaces it)."""
    _registered[:] = [provider]


def bookings() -> LocationBookings:
    if not _registered:
        raise RuntimeError(
            "No LocationBookings registered: shoots.init_app registers it (core.create_app)."
        )
    return _registered[0]
