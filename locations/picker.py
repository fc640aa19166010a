"""The place picker: a text box that suggests places as people type (GET /api/v1/places, drawn
by static/place-picker.js) and keeps the chosen place's NIS code or id in a hidden field, so
nobody types NIS codes or ids. One markup for the templates (`place_picker`, a Jinja global)
and for WTForms fields (the `PlacePicker` widget).

What the hidden field gets (`fill`):
- "label": nothing hidden; the text itself is the value (the search's `near=Namur`).
- "nis": the commune's NIS code; typed text that was not chosen is sent as it is, and the
  search resolves it (locations.places.resolve_search).
- "id": the library location's id; text that was not chosen stops the form with a message.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, render_template
from markupsafe import Markup

from core.auth.policy import acting_user, allowed
from core.communes.models import Commune
from core.db import db
from core.validation import MAX_DATABASE_ID
from locations.models import Location

FILLS = ("label", "nis", "id")
bp = Blueprint("place_picker", __name__, static_folder="static", static_url_path="/static/places")


def current_label(fill: str, value: str) -> str:
    """What the text box shows for the hidden VALUE: the commune's or the location's name."""
    if fill == "nis" and len(value) == 5 and value.isdigit():
        commune = db.session.get(Commune, value)
        return commune.name() if commune else value
    if fill == "id":
        if not (value.isascii() and value.isdigit() and 0 < int(value) <= MAX_DATABASE_ID):
            return ""
        location = db.session.get(Location, int(value))
        visible = location is not None and allowed(acting_user(), "locations.view", location)
        return location.name if visible else ""  # type: ignore[union-attr]
    return value


def place_picker(
    name: str,
    value: Any = "",
    *,
    fill: str = "label",
    kinds: tuple[str, ...] = (),
    field_id: str | None = None,
    placeholder: str = "",
    invalid: bool = False,
) -> Markup:
    """The picker of form field NAME holding VALUE; KINDS limits the suggestions."""
    if fill not in FILLS:
        raise ValueError(f"fill must be one of {FILLS}, not {fill!r}")
    value = "" if value is None else str(value)
    return Markup(
        render_template(
            "locations/_place_picker.html",
            name=name,
            value=value,
            label=current_label(fill, value),
            fill=fill,
            kinds=kinds,
            field_id=field_id or name,
            placeholder=placeholder,
            invalid=invalid,
        )
    )


class PlacePicker:
    """A WTForms widget: `IntegerField(widget=PlacePicker(("location",)))` lets people choose a
    library location by name and submits its id."""

    def __init__(self, kinds: tuple[str, ...] = ("location",), fill: str = "id") -> None:
        self.kinds = kinds
        self.fill = fill

    def __call__(self, field: Any, **attributes: Any) -> Markup:
        return place_picker(
            field.name,
            field._value(),
            fill=self.fill,
            kinds=self.kinds,
            field_id=attributes.get("id", field.id),
            invalid=str(attributes.get("aria-invalid", "")) == "true",
        )


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    app.add_template_global(place_picker)
