"""Dates as people read them (core.dates): Brussels time, 24 h, day first, one style a language.

The pages themselves are checked by the crawl in tests/interfaces/live/test_accessibility.py:
no page a role reaches shows a date in another style than its language's.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from core.dates import PATTERNS, period, when
from core.numbers import number

WINTER = datetime(2027, 1, 12, 6, 0, tzinfo=UTC)  # 07:00 in Brussels (CET, UTC+1)
SUMMER = datetime(2027, 7, 12, 5, 0, tzinfo=UTC)  # 07:00 in Brussels (CEST, UTC+2)


@pytest.mark.parametrize(
    ("locale", "moment", "day", "weekday", "long"),
    [
        ("fr", "12/01/2027 07:00", "12/01/2027", "mar. 12/01/2027 07:00", "12 janvier 2027"),
        ("de", "12.01.2027 07:00", "12.01.2027", "Di., 12.01.2027 07:00", "12. Januar 2027"),
        ("en", "12/01/2027 07:00", "12/01/2027", "Tue 12/01/2027 07:00", "12 January 2027"),
    ],
)
def test_each_language_has_one_style_day_first_and_24_hours(locale, moment, day, weekday, long):
    assert when(WINTER, locale=locale) == moment
    assert when(WINTER, "date", locale) == day
    assert when(WINTER, "day", locale) == weekday
    assert when(WINTER, "long", locale) == long
    assert when(WINTER.replace(hour=18), "time", locale) == "19:00"  # never 7:00 PM


def test_moments_are_shown_in_brussels_time_across_daylight_saving():
    assert when(SUMMER, locale="fr") == "12/07/2027 07:00"
    new_year = datetime(2026, 12, 31, 23, 30, tzinfo=UTC)
    assert when(new_year, locale="de") == "01.01.2027 00:30"  # already next year in Brussels
    # the night the clocks go back: 02:30 happens twice, an hour apart
    assert when(datetime(2027, 10, 31, 0, 30, tzinfo=UTC), "time", "fr") == "02:30"
    assert when(datetime(2027, 10, 31, 1, 30, tzinfo=UTC), "time", "fr") == "02:30"


def test_texts_of_the_api_read_as_the_moment_or_the_day_they_name():
    assert when("2027-01-12T07:00:00+01:00", locale="de") == "12.01.2027 07:00"
    assert when("2027-01-12T06:00:00+00:00", locale="fr") == "12/01/2027 07:00"
    # a calendar day has no zone: midnight is not shifted to the day before
    assert when("2027-01-12", "date", "fr") == "12/01/2027"
    assert when(date(2027, 1, 12), "weekday", "de") == "Di., 12.01.2027"
    assert when(None) == when("") == ""


def test_a_period_names_its_day_once_when_it_ends_on_it():
    assert period(WINTER, WINTER.replace(hour=16), locale="fr") == "12/01/2027 07:00 – 17:00"
    overnight = period(WINTER.replace(hour=20), WINTER.replace(day=13, hour=4), locale="de")
    assert overnight == "12.01.2027 21:00 – 13.01.2027 05:00"
    # half-open: a shoot until midnight ends at 00:00 of the next day, which is said in full
    assert period(WINTER, datetime(2027, 1, 12, 23, 0, tzinfo=UTC), locale="en") == (
        "12/01/2027 07:00 – 13/01/2027 00:00"
    )
    assert period(WINTER, None, locale="fr") == "12/01/2027 07:00"


def test_the_last_representable_year_and_unknown_languages():
    assert when(datetime(9999, 12, 31, 12, 0, tzinfo=UTC), locale="fr") == "31/12/9999 13:00"
    assert when(WINTER, locale="nl_BE") == when(WINTER, locale="fr")  # French first
    assert when(WINTER, locale="de_BE") == "12.01.2027 07:00"


def test_the_request_language_is_the_default(app):
    # each in an application context of its own, as each request has (Babel keeps the
    # locale it chose there)
    with app.app_context(), app.test_request_context("/?lang=de"):
        assert when(WINTER) == "12.01.2027 07:00"
    with app.app_context(), app.test_request_context("/", headers={"Accept-Language": "en"}):
        assert when(WINTER, "day") == "Tue 12/01/2027 07:00"


def test_every_language_of_the_app_has_every_style(app):
    styles = set(PATTERNS["fr"])
    assert set(app.config["LANGUAGES"]) <= set(PATTERNS)
    assert all(set(patterns) == styles for patterns in PATTERNS.values())


@pytest.mark.parametrize(
    ("value", "decimals", "locale", "shown"),
    [
        (1234.56, 1, "fr", "1\u202f234,6"),
        (1234.56, 1, "de", "1.234,6"),
        (1234.56, 1, "en", "1,234.6"),
        (249.6, 0, "fr", "250"),
        (0.06, 1, "de", "0,1"),
        (None, 0, "fr", ""),
    ],
)
def test_numbers_are_written_in_the_languages_style(value, decimals, locale, shown):
    assert number(value, decimals, locale) == shown
