"""The forms of the shoots pages (core/forms.py) and the words for their enums."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from typing import Any, ClassVar

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, Regexp

from core.forms import (
    CheckboxesField,
    DecimalCommaField,
    Form,
    GeoJSONField,
    LocalDateTimeField,
    choices,
    hidden_number,
)
from locations.picker import PlacePicker
from shoots.activities import Activities, answers
from shoots.models import BlackoutKind, ProductionStatus, ProductionType
from shoots.operations.shoots import ATTRIBUTES
from shoots.schemas import BlackoutIn, ProductionPatch

TYPE_LABELS = {
    ProductionType.FEATURE: _l("feature film"),
    ProductionType.SERIES: _l("series"),
    ProductionType.DOCUMENTARY: _l("documentary"),
    ProductionType.ANIMATION: _l("animation"),
    ProductionType.COMMERCIAL: _l("commercial"),
    ProductionType.MUSIC_VIDEO: _l("music video"),
    ProductionType.TV: _l("TV programme"),
    ProductionType.STUDENT: _l("student film"),
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


class ProductionForm(Form):
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
    version = HiddenField()  # the version edited: someone saving in between is a 409

    def values(self) -> dict[str, Any]:
        """The production as the API's ProductionIn / ProductionPatch take it."""
        values = {
            name: self[name].data or None for name in ProductionPatch.model_fields if name in self
        }
        values["listed"] = bool(self.listed.data)
        raw = self.coordinators.data or ""
        values["coordinators"] = [e.strip() for e in raw.split(",") if e.strip()] or None
        return values


TIME_OF_DAY = Regexp(r"^\d{2}:\d{2}$", message=_l("must be a time of day, e.g. 07:00"))


def _days_typed(text: str) -> list[str]:
    """The days of a typed list ("15/06/2027, 22.06.2027; 2027-06-29") as ISO dates; what reads
    as no date is passed on as typed, for the schema to name it."""
    days = []
    for word in re.split(r"[\s,;]+", text.strip()):
        if not word:
            continue
        for layout in ("%Y-%m-%d", "%d/%m/%Y", "%d.%m.%Y"):
            try:
                days.append(datetime.strptime(word, layout).date().isoformat())
                break
            except ValueError:
                continue
        else:
            days.append(word)
    return days


class RepeatForm(Form):
    """The other days of a shoot: weekdays until a date, and days listed one by one."""

    field_aliases: ClassVar[dict[str, str]] = {
        "repeat": "repeat_dates",
        "repeat.dates": "repeat_dates",
        "repeat.until": "repeat_until",
        "repeat.weekdays": "repeat_weekdays",
    }

    repeat_weekdays = CheckboxesField(
        _l("Every week on"), choices=choices({k: v for k, v in WEEKDAYS.items() if k})
    )
    repeat_until = DateField(_l("until (included)"), validators=[Optional()])
    repeat_dates = StringField(
        _l("Other days, listed (e.g. 15/06/2027, 22/06/2027)"),
        validators=[Optional(), Length(max=2_000)],
    )

    def repeat_values(self) -> dict[str, Any] | None:
        """The repeat as the API's RepeatIn takes it, or None when nothing asks for one."""
        weekdays = [int(day) for day in self.repeat_weekdays.data or [] if day.isdigit()]
        until = self.repeat_until.data
        dates = _days_typed(self.repeat_dates.data or "")
        if not (weekdays or until or dates):
            return None
        return {
            "weekdays": weekdays,
            "until": until.isoformat() if until else None,
            "dates": dates,
        }


class ShootBaseForm(Form):
    """What a shoot and a whole series have in common: where, how big, what it does."""

    # Chosen by name in a place picker, which submits the location's id.
    location_id = IntegerField(
        _l("Library location"), widget=PlacePicker(("location",)), validators=[Optional()]
    )
    footprint = GeoJSONField(_l("Footprint (GeoJSON Polygon, WGS84; empty: around the location)"))
    parking = GeoJSONField(_l("Unit base / parking (GeoJSON, optional)"))
    crew_size = IntegerField(_l("Crew size"), default=0, validators=[NumberRange(0, 10_000)])
    vehicle_count = IntegerField(_l("Vehicles"), default=0, validators=[NumberRange(0, 1_000)])
    night_shoot = BooleanField(_l("Night shoot"))
    parking_suspension = BooleanField(_l("Parking suspension"))
    road_closure = BooleanField(_l("Road closure"))
    special_effects = BooleanField(_l("Special effects"))
    drones = BooleanField(_l("Drones"))
    # The rest of the questionnaire: shoots.activities.Activities, one field per answer.
    pyrotechnics = BooleanField(_l("Pyrotechnics (fireworks, explosions, flames)"))
    replica_weapons = BooleanField(_l("Replica weapons"))
    police_uniforms = BooleanField(_l("Police or army uniforms"))
    stunts = BooleanField(_l("Stunts"))
    animals = BooleanField(_l("Animals"))
    generators = BooleanField(_l("Generators"))
    base_camp = BooleanField(_l("Base camp (trucks, catering, dressing rooms)"))
    drone_pilot_certificate = StringField(
        _l("Drone pilot's certificate number"), validators=[Optional(), Length(max=100)]
    )
    parking_spaces = IntegerField(
        _l("Parking spaces suspended"), default=0, validators=[Optional(), NumberRange(0, 1_000)]
    )
    parking_length_m = DecimalCommaField(
        _l("Length of the parking ban (m)"), validators=[Optional(), NumberRange(0, 10_000)]
    )
    public_domain_m2 = DecimalCommaField(
        _l("Public domain occupied (m²)"), validators=[Optional(), NumberRange(0, 1_000_000)]
    )
    streets = TextAreaField(
        _l("Streets concerned (one a line)"), validators=[Optional(), Length(max=3_000)]
    )
    notes = TextAreaField(_l("Notes"), validators=[Optional(), Length(max=5_000)])
    # Asked of an edit once a commune has the shoot before it: the domain decides whether it
    # is required (permits.amendments refuses an amendment without it, naming this field).
    reason = TextAreaField(
        _l("Why it changes (required once a commune has the shoot before it)"),
        validators=[Optional(), Length(max=2_000)],
    )
    version = HiddenField()  # the version edited: someone saving in between is a 409

    field_aliases: ClassVar[dict[str, str]] = {
        f"activities.{name}": name for name in Activities.model_fields
    }

    def process(self, formdata: Any = None, obj: Any = None, **kwargs: Any) -> None:
        """Fill the questionnaire's answers from a shoot's `activities` (what was typed, when
        the form is sent, still wins)."""
        if obj is not None and getattr(obj, "activities", None) is not None:
            given = answers(obj.activities).model_dump()
            given["streets"] = "\n".join(given["streets"])
            kwargs = {**given, **kwargs}
        super().process(formdata, obj, **kwargs)

    def activities_values(self) -> dict[str, Any]:
        """The questionnaire's answers as the API's Activities take them."""
        values = {name: self[name].data for name in Activities.model_fields}
        values["streets"] = [
            line.strip() for line in (self.streets.data or "").splitlines() if line.strip()
        ]
        values["drone_pilot_certificate"] = (values["drone_pilot_certificate"] or "").strip()
        for name in ("parking_spaces", "parking_length_m", "public_domain_m2"):
            values[name] = values[name] or 0
        return values

    def place_values(self) -> dict[str, Any]:
        """Where and what, as the API's ShootFields take them."""
        values: dict[str, Any] = {name: self[name].data for name in ATTRIBUTES if name in self}
        values["activities"] = self.activities_values()
        values["location_id"] = self.location_id.data
        values["footprint"] = self.footprint.geojson()
        values["parking"] = self.parking.geojson()
        return values

    def patch_values(self) -> dict[str, Any]:
        """The edit as the API's ShootPatch (or SeriesPatch) takes it: the values, the version
        edited and why it changes."""
        values = {**self.values(), "reason": self.reason.data or None}
        if self.version.data:
            values["version"] = hidden_number(self.version.data)
        return values


class ShootForm(ShootBaseForm, RepeatForm):
    """A shoot; on a new one, the other days it is repeated on make a series."""

    field_aliases: ClassVar[dict[str, str]] = {
        **ShootBaseForm.field_aliases,
        **RepeatForm.field_aliases,
    }

    starts_at = LocalDateTimeField(_l("Starts (Brussels time)"), validators=[InputRequired()])
    ends_at = LocalDateTimeField(_l("Ends (Brussels time)"), validators=[InputRequired()])

    def values(self) -> dict[str, Any]:
        """The shoot as the API's ShootIn takes it."""
        values = self.place_values()
        values["starts_at"] = self.starts_at.local_text()
        values["ends_at"] = self.ends_at.local_text()
        return values


class SeriesForm(ShootBaseForm):
    """A change of every planned shoot of a series: each keeps its day, takes these hours."""

    start_time = StringField(
        _l("Starts at (HH:MM, Brussels time)"), validators=[Optional(), TIME_OF_DAY]
    )
    end_time = StringField(
        _l("Ends at (HH:MM; before the start: the next day)"), validators=[Optional(), TIME_OF_DAY]
    )

    def values(self) -> dict[str, Any]:
        """The change as the API's SeriesPatch takes it."""
        return {
            **self.place_values(),
            "start_time": self.start_time.data or None,
            "end_time": self.end_time.data or None,
        }


class CopiesForm(RepeatForm):
    """Copy a stored shoot to other days."""


class CancelForm(Form):
    """Cancel a shoot, or every planned shoot of a series."""

    reason = StringField(
        _l("Why (required once a commune has the shoot before it)"),
        validators=[Optional(), Length(max=2_000)],
    )


class OverrideForm(Form):
    """Keep a shoot despite one of its warnings (rule and other come with the button)."""

    rule = HiddenField(validators=[DataRequired()])
    other = HiddenField(validators=[DataRequired()])
    reason = StringField(_l("Reason"), validators=[DataRequired(), Length(min=3, max=2_000)])
    shoot_id: int | None = None  # the shoot a refused override was for, drawn again with it

    def is_for(self, shoot_id: int, rule: str, other: str) -> bool:
        return (self.shoot_id, self.rule.data, self.other.data) == (shoot_id, rule, other)


class BlackoutForm(Form):
    # Chosen by name in a place picker (its NIS code sent); a name typed is resolved too.
    commune = StringField(
        _l("Commune"),
        widget=PlacePicker(("commune",), fill="nis"),
        validators=[DataRequired(), Length(max=100)],
    )
    kind = SelectField(_l("Kind"), choices=choices(BLACKOUT_LABELS))
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    area = GeoJSONField(_l("Area (GeoJSON Polygon; empty: the whole commune)"))
    starts_at = LocalDateTimeField(_l("From"), validators=[InputRequired()])
    ends_at = LocalDateTimeField(_l("Until"), validators=[InputRequired()])
    weekday = SelectField(_l("Every week on"), choices=choices(WEEKDAYS), default="")
    daily_start = StringField(_l("from (HH:MM)"), validators=[Optional(), TIME_OF_DAY])
    daily_end = StringField(_l("to (HH:MM)"), validators=[Optional(), TIME_OF_DAY])

    def values(self) -> dict[str, Any]:
        """The blackout as the API's BlackoutIn takes it."""
        values = {name: self[name].data or None for name in BlackoutIn.model_fields}
        values["area"] = self.area.geojson()
        values["weekday"] = int(self.weekday.data) if self.weekday.data else None
        values["starts_at"] = self.starts_at.local_text()
        values["ends_at"] = self.ends_at.local_text()
        return values
