"""Turning what people type into safe values: Brussels wall-clock times and footprints."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from shapely.geometry import MultiPolygon
from sqlalchemy import text
from sqlalchemy.orm import Session

from core.config import BRUSSELS, in_brussels
from core.db import SRID
from core.errors import InvalidInput
from core.geo import geojson_shape, polygons_3812
from core.validation import check_date_window, clamped_to_window

MAX_PERIOD = timedelta(days=90)


def parse_time(field: str, raw: Any, *, clamp: bool = False) -> datetime:
    """An aware UTC datetime from ISO 8601 with an offset, or a Brussels wall-clock time.

    Wall-clock times that do not exist (clocks jump forward) or happen twice (clocks go back)
    are refused: the user must say which instant they mean, with an offset. A moment outside
    the dates we hold is refused, or with CLAMP (a search's bound) the nearest of them.
    """
    if isinstance(raw, datetime):
        parsed = raw
    elif isinstance(raw, str) and raw.strip():
        try:
            parsed = datetime.fromisoformat(raw.strip())
        except ValueError:
            raise InvalidInput(field, _l("is not a date and time: %(raw)r", raw=raw)) from None
    else:
        raise InvalidInput(field, _l("is required (e.g. 2027-06-14T07:00)"))
    # Before converting: year 1 or 9999 would overflow.
    parsed = clamped_to_window(parsed) if clamp else check_date_window(field, parsed)
    if parsed.tzinfo is not None:
        return parsed.astimezone(UTC)
    earlier = parsed.replace(tzinfo=BRUSSELS, fold=0)
    later = parsed.replace(tzinfo=BRUSSELS, fold=1)
    if earlier.utcoffset() != later.utcoffset():
        round_trip = earlier.astimezone(UTC).astimezone(BRUSSELS).replace(tzinfo=None)
        if round_trip != parsed:
            raise InvalidInput(
                field, _l("%(time)s does not exist in Brussels (clocks go forward)", time=raw)
            )
        raise InvalidInput(
            field,
            _l(
                "%(time)s happens twice in Brussels (clocks go back): give the UTC offset",
                time=raw,
            ),
        )
    return earlier.astimezone(UTC)


def parse_period(
    starts_raw: Any, ends_raw: Any, longest: timedelta | None = MAX_PERIOD
) -> tuple[datetime, datetime]:
    starts_at = parse_time("starts_at", starts_raw)
    ends_at = parse_time("ends_at", ends_raw)
    if ends_at <= starts_at:
        raise InvalidInput("ends_at", _l("must be after starts_at"))
    if longest is not None and ends_at - starts_at > longest:
        raise InvalidInput(
            "ends_at", _l("the period may last at most %(days)s days", days=longest.days)
        )
    return starts_at, ends_at


def local_iso(moment: datetime) -> str:
    return in_brussels(moment).isoformat()


def parse_area(field: str, raw: Any) -> MultiPolygon:
    """A GeoJSON Polygon or MultiPolygon (EPSG:4326) as a valid EPSG:3812 MultiPolygon."""
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except (json.JSONDecodeError, RecursionError):  # typed in a form: no body depth check
            raise InvalidInput(field, _l("is not GeoJSON")) from None
    if not isinstance(raw, dict) or raw.get("type") not in ("Polygon", "MultiPolygon"):
        raise InvalidInput(field, _l("must be a GeoJSON Polygon or MultiPolygon"))
    return polygons_3812(field, geojson_shape(field, raw))


OUTSIDE_WALLONIA = _l("lies (partly) outside Wallonia")


def outside_wallonia_sql(area: str) -> str:
    """SQL: how many vertices of AREA (an EPSG:3812 geometry expression) no commune holds
    (core.communes: commune_at in SQL, with its border fallback); 0 for NULL."""
    return f"""
        SELECT count(*) FROM ST_DumpPoints({area}) AS vertex
        WHERE commune_at(vertex.geom) IS NULL"""


OUTSIDE_WALLONIA_SQL = text(outside_wallonia_sql(f"ST_SetSRID(CAST(:area AS geometry), {SRID})"))


def check_in_wallonia(session: Session, field: str, area: MultiPolygon) -> None:
    """Every vertex must lie in a Walloon commune (or in a border sliver next to one)."""
    if session.scalar(OUTSIDE_WALLONIA_SQL, {"area": area.wkb_hex}):
        raise InvalidInput(field, OUTSIDE_WALLONIA)
