"""What every HTML form shares: a WTForms base class (Flask-WTF, so CSRF included), the fields
people type Belgian numbers and map drawings into, and the one way a domain error reaches the
page (docs/architecture.md, "HTML forms").

A page's form is a class in its package's forms.py. The view validates it, hands its values to
the same domain operation the API calls, and when that operation refuses (an ApiError naming a
field) calls `form.refuse(error)`: the reason appears next to that field, in the page's language,
and every value typed stays in the form.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, ClassVar, TypeVar

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.i18n import translations as wtforms_translations
from wtforms import (
    DateTimeLocalField,
    Field,
    FloatField,
    HiddenField,
    SelectChoice,
    SelectMultipleField,
    TextAreaField,
)
from wtforms.validators import Length
from wtforms.widgets import CheckboxInput, ListWidget, TextInput

from core.db import db
from core.errors import ApiError, InvalidInput, Text
from core.geo import geojson_shape, polygons_3812
from core.validation import MAX_JSON_BYTES, MAX_JSON_DEPTH, json_nests_deeper_than

# WTForms' own messages, worded as the domain's are (a reason shown beside its field) and kept
# in this app's catalogues: WTForms' German catalogue misses some, and its wording names no
# field ("This field…"), which reads oddly under a label. Others stay WTForms' translations.
WTFORMS_MESSAGES: dict[str, Text] = {
    "This field is required.": _l("is required"),
    "Field cannot be longer than %(max)d character.": _l("must have at most %(max)d characters"),
    "Field must be at least %(min)d character long.": _l("must have at least %(min)d characters"),
    "Field must be exactly %(max)d character long.": _l("must have exactly %(max)d characters"),
    "Field must be between %(min)d and %(max)d characters long.": _l(
        "must have between %(min)d and %(max)d characters"
    ),
    "Number must be at least %(min)s.": _l("must be at least %(min)s"),
    "Number must be at most %(max)s.": _l("must be at most %(max)s"),
    "Number must be between %(min)s and %(max)s.": _l("must be between %(min)s and %(max)s"),
    "Not a valid integer value.": _l("must be a whole number"),
    "Not a valid float value.": _l("must be a number, e.g. 4.8617 or 4,8617"),
    "Not a valid datetime value.": _l("is not a date and time"),
    "Not a valid choice.": _l("is not one of the choices"),
    "Invalid Choice: could not coerce.": _l("is not one of the choices"),
    "Invalid choice(s): one or more data inputs could not be coerced.": _l(
        "is not one of the choices"
    ),
}


Result = TypeVar("Result")


class _Messages:
    """The translations WTForms asks for its messages: ours first, then its own catalogue."""

    def gettext(self, string: str) -> str:
        ours = WTFORMS_MESSAGES.get(string)
        return str(ours) if ours is not None else wtforms_translations.gettext(string)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        ours = WTFORMS_MESSAGES.get(singular)
        if ours is not None:
            return str(ours)
        return wtforms_translations.ngettext(singular, plural, n)


class Form(FlaskForm):
    """Base of every page form."""

    # Domain field names (as operations and API schemas name them) meaning one of this form's
    # fields under another name, e.g. {"geometry": "lon"}.
    field_aliases: ClassVar[dict[str, str]] = {}

    class Meta(FlaskForm.Meta):
        def get_translations(self, form: Any) -> _Messages:
            return _Messages()

        def render_field(self, field: Field, render_kw: dict[str, Any]) -> Any:
            if field.errors:  # read out with the field by screen readers
                error_id = f"{field.id}-error-1"
                render_kw = {"aria-invalid": "true", "aria-describedby": error_id, **render_kw}
            return super().render_field(field, render_kw)

    def field_for(self, name: str | None) -> Field | None:
        """The visible field a domain error's field name concerns ("properties.outline" and
        "outline.coordinates.0" are the outline; aliases first), or None."""
        if not name:
            return None
        name = self.field_aliases.get(name, name.removeprefix("properties."))
        parts = name.split(".")
        # The longest aliased prefix: "repeat.until.0" may mean another field than "repeat".
        head = next(
            (self.field_aliases[".".join(parts[:n])] for n in (2, 1)
             if ".".join(parts[:n]) in self.field_aliases),
            parts[0],
        )  # fmt: skip
        field = self._fields.get(head)
        if field is None or isinstance(field, HiddenField):
            return None
        return field

    def attempt(self, operation: Callable[[], Result]) -> tuple[Result | None, int | None]:
        """Run OPERATION, the domain call the form stands for, in a savepoint: a refusal undoes
        only what it touched (the signed-in user and the page stay readable) and leaves
        nothing to commit. Its result, or None and the refusal's status, its reasons shown
        next to the fields they name (refuse)."""
        try:
            with db.session.begin_nested():
                return operation(), None
        except ApiError as error:
            return None, self.refuse(error)

    def refuse(self, error: ApiError) -> int:
        """Show what an operation refused next to the field it names, or above the form when it
        names none of them; give the response's status."""
        field = self.field_for(error.field)
        if field is not None and isinstance(error, InvalidInput):
            field.errors = [*field.errors, str(error.reason)]
        else:
            self.form_errors.append(explained(error))
        return error.status

    def labels_in_error(self) -> list[str]:
        """The labels of the visible fields holding an error, for the summary above the form."""
        return [
            str(field.label.text)
            for field in self
            if field.errors and not isinstance(field, HiddenField)
        ]

    def hidden_errors(self) -> list[str]:
        """Errors of hidden fields (a version, a choice made by a button): nowhere to show them
        but above the form."""
        return [
            str(error)
            for field in self
            if isinstance(field, HiddenField) and field.name != "csrf_token"
            for error in field.errors
        ]


class ActionForm(Form):
    """A button that changes something: only the CSRF token."""


def choices(labels: dict[Any, Text]) -> list[SelectChoice]:
    """A select's options from {value: label}."""
    return [SelectChoice(str(value), label) for value, label in labels.items()]


def described(error: ApiError, labels: dict[str, Text]) -> str:
    """An error of a page without a form class of its own (a GET filter reads the API's query
    schema): "Label: reason" in the page's language, the parameter named by its LABELS entry."""
    name = (error.field or "").split(".")[0]
    if isinstance(error, InvalidInput) and name in labels:
        return _("%(field)s: %(reason)s", field=labels[name], reason=error.reason)
    return explained(error)


def explained(error: ApiError) -> str:
    """What a page says of an operation's error shown apart from any field: plain text in the
    page's language (a lazy text would reach the template as markup, its values unescaped)."""
    return str(error.reason if isinstance(error, InvalidInput) else error.message)


class DecimalCommaField(FloatField):
    """A number as people type it in Belgium too: 4,8550 is 4.8550. A text input (a number
    input would refuse the comma in some browsers); what was typed is shown again as typed."""

    widget = TextInput()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("render_kw", {"inputmode": "decimal", "autocomplete": "off"})
        super().__init__(*args, **kwargs)

    def process_formdata(self, valuelist: list[Any]) -> None:
        if not valuelist or not str(valuelist[0]).strip():
            self.data = None  # nothing typed: the validators say whether that is allowed
            return
        text = str(valuelist[0]).strip()
        if text.count(",") == 1 and "." not in text:
            text = text.replace(",", ".")
        super().process_formdata([text])


class LocalDateTimeField(DateTimeLocalField):
    """A Brussels wall-clock time from a datetime-local input (with or without seconds). Left
    empty it is None, for the validators to say whether that is allowed."""

    LOCAL = "%Y-%m-%dT%H:%M"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("format", [self.LOCAL, "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"])
        super().__init__(*args, **kwargs)

    def process_formdata(self, valuelist: list[Any]) -> None:
        if not valuelist or not str(valuelist[0]).strip():
            self.data = None
            return
        super().process_formdata(valuelist)

    def local_text(self) -> str | None:
        """The time as the API takes a wall-clock time (the operations decide what it means)."""
        return self.data.strftime(self.LOCAL) if self.data else None


class CheckboxesField(SelectMultipleField):
    """Several choices as checkboxes. The choices only draw the boxes: whether a value is
    acceptable is the domain operation's decision (it names the bad one)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("validate_choice", False)
        super().__init__(*args, **kwargs)


class GeoJSONField(TextAreaField):
    """A geometry as GeoJSON text, typed or drawn on a map (the map writes it here). Kept as
    it was sent, so a refused form shows it again; read with the API's JSON limits."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("validators", [Length(max=MAX_JSON_BYTES)])
        super().__init__(*args, **kwargs)

    def geojson(self) -> Any:
        """The parsed GeoJSON, None when nothing was given, else a 400 naming this field."""
        text = (self.data or "").strip()
        if not text:
            return None
        if json_nests_deeper_than(text, MAX_JSON_DEPTH):  # before a parser recursing that deep
            raise InvalidInput(self.name, _l("is not GeoJSON"))
        try:
            return json.loads(text)
        except ValueError:
            raise InvalidInput(self.name, _l("is not GeoJSON")) from None

    def drawable(self) -> dict[str, Any] | None:
        """The area the field holds, for the form's map to draw again, if it is one the server
        would take as an area (core.geo.polygons_3812): a malformed one (nested 5,000 deep,
        coordinates as text, NaN, a bow-tie) is named by its error, not drawn."""
        try:
            geometry = self.geojson()
            if geometry is not None:
                polygons_3812(self.name, geojson_shape(self.name, geometry))
        except ApiError:
            return None
        return geometry

    @staticmethod
    def text_of(geometry: dict[str, Any] | None) -> str:
        """A stored geometry (GeoJSON) as the field's text."""
        return json.dumps(geometry) if geometry else ""


def hidden_number(data: str | int | None) -> int | str | None:
    """A hidden field's number (a version) as the API's schemas take it, a whole number;
    anything else as typed, for the schema to refuse by name. Not posted, the field holds the
    record's own version (an int), which is already one."""
    if isinstance(data, int):
        return data
    text = (data or "").strip()
    return int(text) if text.isascii() and text.isdigit() and len(text) < 10 else data
