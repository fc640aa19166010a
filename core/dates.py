"""How a moment or a date is shown to people: Brussels time, 24 hours, one style per language.

Every page, map popup, document and form label formats its dates here (the template filter
`when`, the function `period` for a span), so that a date reads the same everywhere in a
language: `12/01/2027 07:00` in French and English (day first: never the US order, where
12/01 would be read as the first of December), `12.01.2027 07:00` in German. Machine formats
(the API, feeds, OGC, CSV) keep RFC 3339; this module is for what people read.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from babel.dates import format_date, format_datetime
from flask import has_request_context
from flask_babel import get_locale

from core.config import BRUSSELS

Style = Literal["moment", "seconds", "day", "date", "weekday", "long", "time", "month"]

# The patterns (CLDR syntax, as Babel reads them) of each language, by what is shown:
# moment: a date and a time; seconds: the same to the second (audit trails); day: with the
# weekday (schedules, notices); date: a calendar day; weekday: a day with its weekday; long:
# the day with the month's name (decisions); time: the clock alone; month: a month's heading.
DAY_MONTH_YEAR: dict[Style, str] = {  # French, and English as written in Europe
    "moment": "dd/MM/yyyy HH:mm",
    "seconds": "dd/MM/yyyy HH:mm:ss",
    "day": "EEE dd/MM/yyyy HH:mm",
    "date": "dd/MM/yyyy",
    "weekday": "EEE dd/MM/yyyy",
    "long": "d MMMM yyyy",
    "time": "HH:mm",
    "month": "LLLL yyyy",
}
GERMAN: dict[Style, str] = {
    "moment": "dd.MM.yyyy HH:mm",
    "seconds": "dd.MM.yyyy HH:mm:ss",
    "day": "EEE, dd.MM.yyyy HH:mm",
    "date": "dd.MM.yyyy",
    "weekday": "EEE, dd.MM.yyyy",
    "long": "d. MMMM yyyy",
    "time": "HH:mm",
    "month": "LLLL yyyy",
}
# Babel writes the names of days and months in the language itself ("mar.", "Tue", "Di.").
PATTERNS: dict[str, dict[Style, str]] = {"fr": DAY_MONTH_YEAR, "de": GERMAN, "en": DAY_MONTH_YEAR}
DEFAULT_LANGUAGE = "fr"


def language(locale: str | None = None) -> str:
    """LOCALE's language if given, else the request's (French outside a request)."""
    chosen = locale or (str(get_locale()) if has_request_context() else DEFAULT_LANGUAGE)
    code = chosen.split("_")[0].split("-")[0]
    return code if code in PATTERNS else DEFAULT_LANGUAGE


def when(
    value: datetime | date | str | None, style: Style = "moment", locale: str | None = None
) -> str:
    """VALUE as people read it in LOCALE (the request's language by default): an aware
    datetime in Brussels time, a date as a calendar day, an RFC 3339 text as the moment it
    names; '' for nothing."""
    if value is None or value == "":
        return ""
    code = language(locale)
    if isinstance(value, str):
        value = _parsed(value)
    pattern = PATTERNS[code][style]
    if isinstance(value, datetime):
        return format_datetime(value, pattern, tzinfo=BRUSSELS, locale=code)
    return format_date(value, pattern, locale=code)


def _parsed(text: str) -> datetime | date:
    """An RFC 3339 moment, or a calendar day (`2027-01-12`, no time: no zone to convert)."""
    return date.fromisoformat(text) if len(text) == 10 else datetime.fromisoformat(text)


def period(
    start: datetime | str | None,
    end: datetime | str | None,
    style: Style = "moment",
    locale: str | None = None,
) -> str:
    """A span of time: `12/01/2027 07:00 – 17:00` when it ends on the day it starts (in
    Brussels), else both moments in full."""
    if start is None or end is None:
        return when(start or end, style, locale)
    first, last = (_parsed(v) if isinstance(v, str) else v for v in (start, end))
    same_day = first.astimezone(BRUSSELS).date() == last.astimezone(BRUSSELS).date()
    return f"{when(first, style, locale)} – {when(last, 'time' if same_day else style, locale)}"
