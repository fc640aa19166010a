"""The shoots' answers to the location library's questions (locations.bookings.LocationBookings).

A shoot occupies a library location when it is linked to it or when its footprint covers the
location's point; a shoot that is not live (Shoot.is_live) occupies nothing.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, exists, func, or_, select
from sqlalchemy.orm import Session, selectinload

from core.auth.models import User
from core.auth.policy import production_label
from locations.bookings import UpcomingShoot
from locations.models import Location
from shoots.models import Production, Shoot

UPCOMING_LIMIT = 20  # a location page lists the next shoots, not a whole schedule


def _occupies(location_id: ColumnElement[int], point: ColumnElement) -> ColumnElement[bool]:
    return or_(Shoot.location_id == location_id, func.ST_Intersects(Shoot.footprint, point))


class ShootBookings:
    def booked_between(self, start: datetime, end: datetime) -> ColumnElement[bool]:
        return exists().where(
            Shoot.is_live,
            Shoot.period.op("&&")(func.tstzrange(start, end, "[)")),
            _occupies(Location.id, Location.point),
        )

    def has_shoots(self, session: Session, location: Location) -> bool:
        return bool(session.scalar(select(exists().where(Shoot.location_id == location.id))))

    def upcoming(
        self, session: Session, location: Location, viewer: User | None, now: datetime
    ) -> list[UpcomingShoot]:
        query = (
            select(Shoot)
            .where(
                Shoot.is_live,
                func.upper(Shoot.period) > now,
                _occupies(location.id, location.point),
            )
            # What production_label reads (core.auth.policy.production_view), loaded at once;
            # permit_requests is the permits package's relationship, known once it is loaded.
            .options(
                selectinload(Shoot.production).options(
                    selectinload(Production.coordinators),
                    selectinload(Production.permit_requests),  # type: ignore[attr-defined]
                )
            )
            .order_by(func.lower(Shoot.period), Shoot.id)
            .limit(UPCOMING_LIMIT)
        )
        return [
            UpcomingShoot(
                shoot_id=shoot.id,
                production=production_label(viewer, shoot.production),
                starts_at=shoot.period.lower,
                ends_at=shoot.period.upper,
            )
            for shoot in session.scalars(query)
        ]
