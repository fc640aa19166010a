"""The `bbox` and `datetime` parameters of OGC API – Features, parsed into plain values.

Each parser raises ValueError with a reason; the query schema turns it into a 400 that names
the parameter.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from core import geo
from core.config import BRUSSELS
from core.crs import Box, Crs
from core.validation import EARLIEST_DATE, LATEST_DATE

OPEN_END = ("", "..")
# An RFC 3339 date or date-time (offset optional: Brussels time), as `datetime` takes it; with
# DATETIME_PATTERN, the OpenAPI pattern, it is the one definition the parser and the
# description share, so that what the description refuses the server refuses too.
_YEAR = r"(?:[1-9][0-9]{3}|0(?:[1-9][0-9]{2}|0[1-9][0-9]|00[1-9]))"  # no year 0
_DATE = rf"{_YEAR}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12][0-9]|3[01])"
_TIME = r"(?:[01][0-9]|2[0-3]):[0-5][0-9](?::[0-5][0-9](?:\.[0-9]{1,6})?)?"
_OFFSET = r"(?:Z|[+-](?:[01][0-9]|2[0-3]):[0-5][0-9])"
_MOMENT = rf"{_DATE}(?:[Tt]{_TIME}{_OFFSET}?)?"
MOMENT = re.compile(_MOMENT)
DATETIME_PATTERN = rf"^(?:{_MOMENT}|{_MOMENT}/(?:{_MOMENT}|\.\.)?|(?:\.\.)?/{_MOMENT})$"
METRIC_BBOX_FORMAT = "must be four numbers: minEasting,minNorthing,maxEasting,maxNorthing"


@dataclass(frozen=True)
class Interval:
    """A time interval; None is unbounded. BOUNDS as in PostgreSQL ranges, e.g. '[]'.
    EMPTY when it lies wholly outside the dates we hold: nothing can match."""

    start: datetime | None
    end: datetime | None
    bounds: str
    empty: bool = False


NOTHING = Interval(None, None, "[]", empty=True)


def _metric_box(raw: str) -> Box:
    parts = raw.split(",")
    if len(parts) == 6:
        raise ValueError("three-dimensional boxes are not supported: give four numbers")
    try:
        min_x, min_y, max_x, max_y = (float(part) for part in parts)
    except ValueError:
        raise ValueError(METRIC_BBOX_FORMAT) from None
    if not all(math.isfinite(number) for number in (min_x, min_y, max_x, max_y)):
        raise ValueError("must be finite numbers")
    if min_x > max_x or min_y > max_y:
        raise ValueError("the minimum is above the maximum")
    return min_x, min_y, max_x, max_y


def parse_bbox(raw: str, crs: Crs) -> Box:
    """Four numbers in CRS's axis order (lat/lon for EPSG:4326, lon/lat for CRS84, metres
    for the Lambert projections) as a box in PostGIS order (x = longitude or easting)."""
    if not crs.geographic:
        return _metric_box(raw)
    parts = raw.split(",")
    if crs.latitude_first and len(parts) == 4:
        min_lat, min_lon, max_lat, max_lon = parts
        parts = [min_lon, min_lat, max_lon, max_lat]
    return geo.parse_bbox(",".join(parts))


def _utc_key(moment: datetime) -> datetime:
    """A naive UTC time to order MOMENT by. Year 1 or 9999 may overflow when shifted by the
    offset: then the wall-clock time orders it (a day either way matters nothing there)."""
    naive = moment.replace(tzinfo=None)
    try:
        return naive - (moment.utcoffset() or timedelta())
    except OverflowError:
        return naive


WINDOW = (_utc_key(EARLIEST_DATE), _utc_key(LATEST_DATE))


def _moment(raw: str) -> tuple[datetime, bool]:
    """An RFC 3339 time (no offset: Brussels time), or a date; True if it was a date."""
    if not MOMENT.fullmatch(raw):
        raise ValueError(f"{raw!r} is not an RFC 3339 date or date-time")
    try:
        if "T" not in raw.upper():
            return datetime.combine(date.fromisoformat(raw), time(), BRUSSELS), True
        moment = datetime.fromisoformat(raw)
    except ValueError:
        raise ValueError(f"{raw!r} is not an RFC 3339 date or date-time") from None
    return (moment if moment.tzinfo else moment.replace(tzinfo=BRUSSELS)), False


def _day_after(day_start: datetime) -> datetime:
    return datetime.combine(day_start.date() + timedelta(days=1), time(), BRUSSELS)


def _before_window(moment: datetime) -> bool:
    return _utc_key(moment) < WINDOW[0]


def _after_window(moment: datetime) -> bool:
    return _utc_key(moment) > WINDOW[1]


def _instant(raw: str) -> Interval:
    moment, is_date = _moment(raw)
    if _before_window(moment) or _after_window(moment):
        return NOTHING
    if is_date:
        return Interval(moment, _day_after(moment), "[)")
    return Interval(moment, moment, "[]")


def parse_datetime(raw: str) -> Interval:
    """An instant, a date (the whole Brussels day) or an interval 'start/end' ('..' open).

    Moments outside the dates we hold (EARLIEST_DATE to LATEST_DATE, core.validation) are
    clamped rather than refused: '../9999-12-31' is open-ended, '0001-01-01/..' too, and an
    instant in year 1 or 9999 matches nothing.
    """
    if "/" not in raw:
        return _instant(raw)
    start_raw, _, end_raw = raw.partition("/")
    if start_raw in OPEN_END and end_raw in OPEN_END:
        raise ValueError("an interval needs at least one end")
    start = None if start_raw in OPEN_END else _moment(start_raw)[0]
    end, end_is_date = (None, False) if end_raw in OPEN_END else _moment(end_raw)
    if start and end and _utc_key(start) > _utc_key(end):
        raise ValueError("the interval ends before it starts")
    if (start and _after_window(start)) or (end and _before_window(end)):
        return NOTHING
    start = None if start and _before_window(start) else start
    end = None if end and _after_window(end) else end
    if end is None:
        return Interval(start, None, "[)")
    return Interval(start, _day_after(end), "[)") if end_is_date else Interval(start, end, "[]")
