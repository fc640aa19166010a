"""The forms of the location pages (core/forms.py): a location, its status, a photo."""

from __future__ import annotations

import math
from typing import Any, ClassVar

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from core.forms import DecimalCommaField, Form, GeoJSONField, choices, hidden_number
from locations.models import Category
from locations.schemas import MAX_TAGS, PRIVATE_FIELDS

TEXT_FIELDS = ("name", "description", "address", "access_notes")
FACILITY_FLAGS = ("has_power", "has_water", "has_toilets", "step_free_access")
STATUS_LABELS = {
    "draft": _l("draft"),
    "published": _l("published"),
    "archived": _l("archived"),
}
STATUS_ACTIONS = {
    "draft": _l("Back to draft"),
    "published": _l("Publish"),
    "archived": _l("Archive"),
}


# The search page's filters (the API's LocationSearch) by their labels on the page.
SEARCH_LABELS = {
    "q": _l("Text"),
    "category": _l("Categories"),
    "tag": _l("Tag"),
    "province": _l("Province"),
    "commune": _l("Commune (NIS code)"),
    "near": _l("Near (longitude,latitude)"),
    "radius_m": _l("Radius in metres"),
    "bbox": _l("Map window (minlon,minlat,maxlon,maxlat)"),
    "min_truck_parking": _l("Truck parking, at least"),
    "available_from": _l("Free between"),
    "available_to": _l("to (exclusive)"),
    "status": _l("Status"),
}


class LocationForm(Form):
    """A location's properties as the API's NewLocationFields / LocationPatchFields take them."""

    # The operations name the point "geometry" (the API's Feature): here it is typed as lon, lat.
    field_aliases: ClassVar[dict[str, str]] = {"geometry": "lon"}

    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    description = TextAreaField(_l("Description"), validators=[Length(max=20_000)])
    categories = SelectMultipleField(_l("Categories"), validate_choice=False)
    tags = StringField(_l("Tags (comma-separated)"), validators=[Length(max=MAX_TAGS * 62)])
    lon = DecimalCommaField(_l("Longitude"), validators=[InputRequired()])
    lat = DecimalCommaField(_l("Latitude"), validators=[InputRequired()])
    outline = GeoJSONField(_l("Site outline (GeoJSON Polygon, optional)"))
    address = StringField(_l("Address"), validators=[Length(max=300)])
    truck_parking_capacity = IntegerField(
        _l("Truck parking capacity"), default=0, validators=[Optional(), NumberRange(0, 10_000)]
    )
    has_power = BooleanField(_l("Power on site"))
    has_water = BooleanField(_l("Water"))
    has_toilets = BooleanField(_l("Toilets"))
    step_free_access = BooleanField(_l("Step-free access"))
    access_notes = TextAreaField(_l("Access notes"), validators=[Length(max=5_000)])
    contact_name = StringField(_l("Contact"), validators=[Length(max=200)])
    contact_phone = StringField(_l("Phone"), validators=[Length(max=50)])
    contact_email = EmailField(_l("E-mail"), validators=[Length(max=254)])
    owner_notes = TextAreaField(_l("Owner notes"), validators=[Length(max=5_000)])
    version = HiddenField()

    def offer(self, categories: list[Category], locale: str, show_private: bool) -> None:
        """The categories to choose from, labelled in LOCALE; the owner and contact fields only
        for those who may see them."""
        self.categories.choices = choices({c.code: c.label(locale) for c in categories})
        if not show_private:
            for name in PRIVATE_FIELDS:
                del self[name]

    def drawable_point(self) -> tuple[float, float] | None:
        """The point typed or placed, for the map to draw again, when it is a place on Earth
        (whether it lies in Wallonia is the operations' decision, said under the field)."""
        lon, lat = self.lon.data, self.lat.data
        if lon is None or lat is None or not (math.isfinite(lon) and math.isfinite(lat)):
            return None
        return (lon, lat) if abs(lon) <= 180 and abs(lat) <= 90 else None

    @property
    def shows_private(self) -> bool:
        return "owner_notes" in self

    def values(self) -> dict[str, Any]:
        """The properties for the API's schema (the point goes apart: `coordinates`)."""
        values: dict[str, Any] = {name: self[name].data or "" for name in TEXT_FIELDS}
        values.update({flag: bool(self[flag].data) for flag in FACILITY_FLAGS})
        values["truck_parking_capacity"] = self.truck_parking_capacity.data or 0
        values["categories"] = list(self.categories.data or [])
        values["tags"] = [t for t in (self.tags.data or "").split(",") if t.strip()]
        values["outline"] = self.outline.geojson()
        if self.shows_private:
            values.update({name: self[name].data or "" for name in PRIVATE_FIELDS})
        if self.version.data:
            values["version"] = hidden_number(self.version.data)
        return values

    @staticmethod
    def data_of(feature: dict[str, Any]) -> dict[str, Any]:
        """A stored location (its Feature as the API gives it) as the form's data."""
        data = dict(feature["properties"])
        data["lon"], data["lat"] = feature["geometry"]["coordinates"]
        data["outline"] = GeoJSONField.text_of(data["outline"])
        data["tags"] = ", ".join(data["tags"])
        return data


class StatusForm(Form):
    """The publish / back to draft / archive buttons: the button pressed is the status."""

    status = SelectField(_l("Status"), choices=choices(STATUS_LABELS))


class PhotoForm(Form):
    file = FileField(_l("Photo"), validators=[FileRequired()])
    caption = StringField(_l("Caption"), validators=[Length(max=300)])


# The coordinate systems an import file may use (locations.importing.SUPPORTED_CRS).
IMPORT_CRS_LABELS = {
    "4326": _l("WGS84 longitude, latitude (GPS, GeoJSON)"),
    "3812": _l("Belgian Lambert 2008 (EPSG:3812)"),
    "31370": _l("Belgian Lambert 72 (EPSG:31370)"),
}


class ImportForm(Form):
    """A GeoJSON or CSV file of locations, checked first (a dry run), imported on confirmation."""

    file = FileField(_l("File (GeoJSON or CSV)"), validators=[FileRequired()])
    crs = SelectField(_l("Coordinates in"), choices=choices(IMPORT_CRS_LABELS), default="4326")
    status = SelectField(
        _l("Import as"),
        choices=choices({k: v for k, v in STATUS_LABELS.items() if k != "archived"}),
        default="draft",
    )


class ConfirmImportForm(Form):
    """The confirmation of a checked file: which one (its staging token) and how."""

    token = HiddenField(validators=[DataRequired()])
    filename = HiddenField()
    crs = HiddenField(validators=[DataRequired()])
    status = HiddenField(validators=[DataRequired()])


class CategoryForm(Form):
    """A category's code (new ones only), its names in the three languages and its place in
    the lists (the API's CategoryIn and CategoryPatch say what they may be)."""

    code = StringField(_l("Code (letters, digits, _)"), validators=[Length(max=40)])
    label_fr = StringField(_l("French name"), validators=[DataRequired(), Length(max=120)])
    label_de = StringField(_l("German name"), validators=[DataRequired(), Length(max=120)])
    label_en = StringField(_l("English name"), validators=[DataRequired(), Length(max=120)])
    position = IntegerField(
        _l("Position in the lists"), default=0, validators=[InputRequired(), NumberRange(0, 10_000)]
    )

    def values(self, *, with_code: bool) -> dict[str, Any]:
        names = ("code",) if with_code else ()
        names += ("label_fr", "label_de", "label_en", "position")
        return {name: self[name].data for name in names}
