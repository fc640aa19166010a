"""Municipal blackouts: periods (or weekly hours) when a commune does not want filming."""

from __future__ import annotations

from datetime import time

from flask_babel import lazy_gettext as _l
from geoalchemy2.shape import from_shape
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import Range
from sqlalchemy.orm import Session

from core.auth.models import User
from core.communes.models import Commune
from core.communes.operations import lies_in_commune
from core.db import SRID
from core.errors import InvalidInput, NotFound
from core.geo import as_geojson
from shoots.models import Blackout
from shoots.operations.inputs import check_in_wallonia, parse_area, parse_period
from shoots.schemas import BlackoutIn


def get_blackout(session: Session, blackout_id: int) -> Blackout:
    blackout = session.get(Blackout, blackout_id)
    if blackout is None:
        raise NotFound(f"No blackout {blackout_id}.")
    return blackout


def _clock(field: str, raw: str | None) -> time | None:
    if raw is None:
        return None
    try:
        return time.fromisoformat(raw)
    except ValueError:
        raise InvalidInput(field, _l("is not a time of day: %(raw)r", raw=raw)) from None


def save_blackout(
    session: Session, user: User | None, data: BlackoutIn, blackout: Blackout | None = None
) -> Blackout:
    """Create (or replace the values of) a blackout; checks the input first."""
    if session.get(Commune, data.commune) is None:
        raise InvalidInput("commune", _l("no commune %(nis)s", nis=data.commune))
    starts_at, ends_at = parse_period(data.starts_at, data.ends_at, longest=None)
    daily_start, daily_end = (
        _clock("daily_start", data.daily_start),
        _clock("daily_end", data.daily_end),
    )
    weekly = (data.weekday, daily_start, daily_end)
    if any(v is not None for v in weekly) and not all(v is not None for v in weekly):
        raise InvalidInput(
            "weekday", _l("a weekly blackout needs weekday, daily_start and daily_end")
        )
    if daily_start and daily_end and daily_end <= daily_start:
        raise InvalidInput("daily_end", _l("must be after daily_start"))
    area = parse_area("area", data.area) if data.area is not None else None
    if area is not None:
        check_in_wallonia(session, "area", area)
        if not lies_in_commune(session, data.commune, area.wkb_hex):
            # An officer declares blackouts for their commune only (policy: blackouts.manage).
            raise InvalidInput(
                "area", _l("must lie in the blackout's commune (within 200 m of its boundary)")
            )
    blackout = blackout or Blackout(created_by_id=user.id if user else None)
    blackout.commune_nis = data.commune
    blackout.kind = data.kind
    blackout.title = data.title
    blackout.area = from_shape(area, srid=SRID) if area is not None else None
    blackout.period = Range(starts_at, ends_at, bounds="[)")
    blackout.weekday, blackout.daily_start, blackout.daily_end = weekly[0], daily_start, daily_end
    session.add(blackout)
    session.flush()
    return blackout


def blackouts_with_areas(
    session: Session, blackout_id: int | None = None
) -> list[tuple[Blackout, str | None]]:
    """Every blackout (or the one BLACKOUT_ID) with its area as RFC 7946 GeoJSON text, written
    by core.geo.as_geojson like every geometry the API sends; None when commune-wide."""
    query = select(Blackout, as_geojson(Blackout.area)).order_by(
        Blackout.commune_nis, Blackout.period, Blackout.id
    )
    if blackout_id is not None:
        query = query.where(Blackout.id == blackout_id)
    return [(blackout, area) for blackout, area in session.execute(query)]
