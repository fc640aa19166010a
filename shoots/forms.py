"""HTML forms of the shoots package (Flask-WTF: CSRF included)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    EmailField,
    IntegerField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from locations.picker import PlacePicker
from shoots.models import BlackoutKind, ProductionStatus, ProductionType

TYPE_LABELS = {
    ProductionType.FEATURE: _l("feature film"),
    ProductionType.SERIES: _l("series"),
    ProductionType.DOCUMENTARY: _l("documentary"),
    ProductionType.ANIMATION: _l("animation"),
    ProductionType.COMMERCIAL: _l("commercial"),
    ProductionType.MUSIC_VIDEO: _l("music video"),
    ProductionType.TV: _l("TV programme"),
}


STATUS_LABELS = {
    ProductionStatus.DEVELOPMENT: _l("development"),
    ProductionStatus.PREPARATION: _l("preparation"),
    ProductionStatus.SHOOTING: _l("shooting"),
    ProductionStatus.WRAPPED: _l("wrapped"),
    ProductionStatus.CANCELLED: _l("cancelled"),
}
BLACKOUT_LABELS = {
    BlackoutKind.MARKET: _l("market"),
    BlackoutKind.FESTIVAL: _l("festival"),
    BlackoutKind.ROADWORKS: _l("roadworks"),
    BlackoutKind.HOLIDAY_MORATORIUM: _l("holiday moratorium"),
}


def _words(labels: dict, kind: type) -> Callable[[Any], str]:
    """A template filter: an enum value as words in the current language (unknown: as is)."""

    def label(value: Any) -> str:
        try:
            return str(labels[kind(value)])
        except ValueError:
            return str(value)

    return label


type_label = _words(TYPE_LABELS, ProductionType)
status_label = _words(STATUS_LABELS, ProductionStatus)
blackout_label = _words(BLACKOUT_LABELS, BlackoutKind)

WEEKDAYS = {
    "": _l("not weekly"),
    "1": _l("Monday"),
    "2": _l("Tuesday"),
    "3": _l("Wednesday"),
    "4": _l("Thursday"),
    "5": _l("Friday"),
    "6": _l("Saturday"),
    "7": _l("Sunday"),
}
LOCAL = "%Y-%m-%dT%H:%M"


def choices(labels: dict) -> list[SelectChoice]:
    return [SelectChoice(str(value), label) for value, label in labels.items()]


class ProductionForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    type = SelectField(_l("Type"), choices=choices(TYPE_LABELS))
    company = StringField(_l("Production company"), validators=[DataRequired(), Length(max=200)])
    contact_name = StringField(_l("Contact"), validators=[Optional(), Length(max=200)])
    contact_email = EmailField(_l("Contact e-mail"), validators=[Optional(), Length(max=254)])
    contact_phone = StringField(_l("Contact phone"), validators=[Optional(), Length(max=50)])
    file_reference = StringField(
        _l("Film commission file"), validators=[Optional(), Length(max=60)]
    )
    status = SelectField(_l("Status"), choices=choices(STATUS_LABELS))
    listed = BooleanField(
        _l("Listed: other coordinators and, once approved, the public see the title")
    )
    coordinators = StringField(
        _l("Coordinators (e-mails, comma-separated)"), validators=[Optional(), Length(max=2000)]
    )


class ShootForm(FlaskForm):
    # Chosen by name in a place picker, which submits the location's id.
    location_id = IntegerField(
        _l("Library location"), widget=PlacePicker(("location",)), validators=[Optional()]
    )
    footprint = TextAreaField(
        _l("Footprint (GeoJSON Polygon, WGS84; empty: around the location)"),
        validators=[Optional(), Length(max=200_000)],
    )
    parking = TextAreaField(
        _l("Unit base / parking (GeoJSON, optional)"), validators=[Optional(), Length(max=200_000)]
    )
    starts_at = DateTimeLocalField(_l("Starts (Brussels time)"), format=LOCAL)
    ends_at = DateTimeLocalField(_l("Ends (Brussels time)"), format=LOCAL)
    crew_size = IntegerField(_l("Crew size"), default=0, validators=[NumberRange(0, 10_000)])
    vehicle_count = IntegerField(_l("Vehicles"), default=0, validators=[NumberRange(0, 1_000)])
    night_shoot = BooleanField(_l("Night shoot"))
    parking_suspension = BooleanField(_l("Parking suspension"))
    road_closure = BooleanField(_l("Road closure"))
    special_effects = BooleanField(_l("Special effects"))
    drones = BooleanField(_l("Drones"))
    notes = TextAreaField(_l("Notes"), validators=[Optional(), Length(max=5_000)])
    reason = TextAreaField(
        _l("Why it changes (required once a commune has the shoot before it)"),
        validators=[Optional(), Length(max=2_000)],
    )


class OverrideForm(FlaskForm):
    rule = StringField(validators=[DataRequired()])
    other = StringField(validators=[DataRequired()])
    reason = StringField(_l("Reason"), validators=[DataRequired(), Length(min=3, max=2_000)])


class BlackoutForm(FlaskForm):
    commune = StringField(_l("Commune (NIS code)"), validators=[DataRequired(), Length(5, 5)])
    kind = SelectField(_l("Kind"), choices=choices(BLACKOUT_LABELS))
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    area = TextAreaField(
        _l("Area (GeoJSON Polygon; empty: the whole commune)"),
        validators=[Optional(), Length(max=200_000)],
    )
    starts_at = DateTimeLocalField(_l("From"), format=LOCAL)
    ends_at = DateTimeLocalField(_l("Until"), format=LOCAL)
    weekday = SelectField(_l("Every week on"), choices=choices(WEEKDAYS), default="")
    daily_start = StringField(_l("from (HH:MM)"), validators=[Optional(), Length(5, 5)])
    daily_end = StringField(_l("to (HH:MM)"), validators=[Optional(), Length(5, 5)])


class ActionForm(FlaskForm):
    """A button that changes something: only the CSRF token."""
