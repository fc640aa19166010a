"""The `bbox` and `datetime` parameters of OGC API – Features, parsed into plain values.

Each parser raises ValueError with a reason; the query schema turns it into a 400 that names
the parameter.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from core import geo
from core.config import BRUSSELS

OPEN_END = ("", "..")


@dataclass(frozen=True)
class Envelope:
    min_lon: float
    min_lat: float
    max_lon: float
    max_lat: float


@dataclass(frozen=True)
class Interval:
    """A time interval; None is unbounded. BOUNDS as in PostgreSQL ranges, e.g. '[]'."""

    start: datetime | None
    end: datetime | None
    bounds: str


def parse_bbox(raw: str) -> Envelope:
    """'minLon,minLat,maxLon,maxLat' in WGS84 (CRS84)."""
    return Envelope(*geo.parse_bbox(raw))


def _moment(raw: str) -> tuple[datetime, bool]:
    """An RFC 3339 time (no offset: Brussels time), or a date; True if it was a date."""
    try:
        if "T" not in raw.upper():
            return datetime.combine(date.fromisoformat(raw), time(), BRUSSELS), True
        moment = datetime.fromisoformat(raw)
    except ValueError:
        raise ValueError(f"{raw!r} is not an RFC 3339 date or date-time") from None
    return (moment if moment.tzinfo else moment.replace(tzinfo=BRUSSELS)), False


def _day_after(day_start: datetime) -> datetime:
    return datetime.combine(day_start.date() + timedelta(days=1), time(), BRUSSELS)


def parse_datetime(raw: str) -> Interval:
    """An instant, a date (the whole Brussels day) or an interval 'start/end' ('..' open)."""
    if "/" not in raw:
        moment, is_date = _moment(raw)
        return (
            Interval(moment, _day_after(moment), "[)")
            if is_date
            else Interval(moment, moment, "[]")
        )
    start_raw, _, end_raw = raw.partition("/")
    if start_raw in OPEN_END and end_raw in OPEN_END:
        raise ValueError("an interval needs at least one end")
    start = None if start_raw in OPEN_END else _moment(start_raw)[0]
    end, upper = None, ")"
    if end_raw not in OPEN_END:
        end, is_date = _moment(end_raw)
        if start and start > end:
            raise ValueError("the interval ends before it starts")
        end, upper = (_day_after(end), ")") if is_date else (end, "]")
    return Interval(start, end, "[" + upper)
