"""Request validation with pydantic: one schema both checks input and documents the API.

Views declare their schemas with `@validated(query=..., body=...)`; the parsed models arrive as
the `query` and `body` keyword arguments. Every declaration is recorded in `ENDPOINTS`, from which
the OpenAPI description is generated, so a schema is never written twice.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Annotated, Any, TypeVar

from flask import request
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    Field,
    Strict,
    ValidationError,
    WithJsonSchema,
)
from pydantic_core import ErrorDetails
from werkzeug.datastructures import FileStorage
from werkzeug.routing import BaseConverter

from core.config import BRUSSELS
from core.errors import InvalidInput, PayloadTooLarge, Text, in_english

Model = TypeVar("Model", bound=BaseModel)
When = TypeVar("When", date, datetime)

# ---- limits shared by every schema, form and parser (docs/security.md, "Hostile input") -------

MAX_DATABASE_ID = 2**31 - 1  # PostgreSQL integer: a larger id reaches the database out of range
MAX_JSON_DEPTH = 32  # a GeoJSON MultiPolygon inside a Feature is 7 deep
MAX_JSON_BYTES = 2 * 1024 * 1024  # a 10,000-vertex footprint is about 400 kB
# Times people enter (shoots, blackouts, searches, filters): Brussels time, half-open.
EARLIEST_DATE = datetime(2000, 1, 1, tzinfo=BRUSSELS)
LATEST_DATE = datetime(2100, 1, 1, tzinfo=BRUSSELS)

DatabaseId = Annotated[int, Field(ge=1, le=MAX_DATABASE_ID)]


def _uploaded(value: Any) -> Any:
    if not isinstance(value, FileStorage):
        raise ValueError(_l("must be a file (multipart/form-data)"))
    return value


# An uploaded file of a multipart body (werkzeug's FileStorage), described as binary.
FormFile = Annotated[
    Any, AfterValidator(_uploaded), WithJsonSchema({"type": "string", "format": "binary"})
]
# A JSON number that is whole: not `true`, nor "3" (pydantic's lax reading of an int).
WholeNumber = Annotated[int, Strict()]
# A JSON boolean: not 0 or "yes" (pydantic's lax reading; query strings keep it).
Flag = Annotated[bool, Strict()]
# A JSON number: not `false` or "3" (pydantic's lax reading of a float).
Number = Annotated[float, Strict()]


# A code people choose (a commune's own condition, a category): a path segment too.
CODE_PATTERN = r"[a-z][a-z0-9_]{0,39}"


class CodeConverter(BaseConverter):
    """`<code:name>` in a route: only a CODE_PATTERN matches, anything else is a 404."""

    regex = CODE_PATTERN


def parse_database_id(field: str, raw: Any) -> int:
    """A row id (1 .. 2^31-1) from text or a number, or a 400 naming FIELD."""
    text = str(raw).strip() if raw is not None else ""
    if not (text.isascii() and text.isdigit()):
        raise InvalidInput(field, _l("must be a number"))
    value = int(text) if len(text) <= len(str(MAX_DATABASE_ID)) else MAX_DATABASE_ID + 1
    if not 1 <= value <= MAX_DATABASE_ID:
        raise InvalidInput(
            field, _l("must be between %(low)s and %(high)s", low=1, high=MAX_DATABASE_ID)
        )
    return value


def within_date_window(value: When) -> When:
    """VALUE if it lies in [2000-01-01, 2100-01-01) Brussels time, else ValueError. A date is
    its midnight and a naive time a Brussels wall-clock time. Compared as they are: converting
    year 1 or 9999 to another time zone overflows."""
    moment = value if isinstance(value, datetime) else datetime.combine(value, time())
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=BRUSSELS)
    if not EARLIEST_DATE <= moment < LATEST_DATE:
        raise ValueError(
            _l(
                "must lie between %(earliest)s and %(latest)s (exclusive)",
                earliest=f"{EARLIEST_DATE:%Y-%m-%d}",
                latest=f"{LATEST_DATE:%Y-%m-%d}",
            )
        )
    return value


def clamped_to_window(moment: datetime) -> datetime:
    """MOMENT, or the nearer end of the window when it lies outside (a search's bound: nothing
    is stored outside, so `to=9999-12-31` means no end). Compared without converting."""
    try:
        return within_date_window(moment)
    except ValueError:
        naive = moment.replace(tzinfo=None)
        return EARLIEST_DATE if naive < EARLIEST_DATE.replace(tzinfo=None) else LATEST_DATE


def check_date_window(field: str, value: When) -> When:
    """within_date_window as a 400 naming FIELD."""
    try:
        return within_date_window(value)
    except ValueError as exc:
        raise InvalidInput(field, exc.args[0]) from None


WindowedDatetime = Annotated[datetime, AfterValidator(within_date_window)]

_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _iso_date_text(value: Any) -> Any:
    """A day as YYYY-MM-DD only: not pydantic's other readings (`0` would be 1970-01-01)."""
    if not isinstance(value, date) and not (isinstance(value, str) and _ISO_DATE.fullmatch(value)):
        raise ValueError(_l("must be a date: YYYY-MM-DD"))
    return value


def _clamped_day(value: date) -> date:
    """A search's day within the dates we hold (nothing lies outside): 9999-12-31 is no end."""
    return min(max(value, EARLIEST_DATE.date()), LATEST_DATE.date() - timedelta(days=1))


SearchDate = Annotated[date, BeforeValidator(_iso_date_text), AfterValidator(_clamped_day)]


def like_literal(text: str) -> str:
    """TEXT for a LIKE pattern with ESCAPE '\\': `%`, `_` and `\\` match themselves."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


class Access(StrEnum):
    """Who may call an operation, as its OpenAPI `security` says (core.auth.policy decides
    each call; tests/interfaces check the two agree)."""

    PUBLIC = "public"  # anyone; a token (or a session) may show more
    TOKEN = "token"  # signed in: a bearer token, or a session with its CSRF token for writes
    URL = "url"  # the URL is the credential (a private calendar feed's unguessable token)


JSON = "application/json"
GEOJSON = "application/geo+json"


@dataclass(frozen=True)
class Answer:
    """A success answer an operation gives: its status and body, a pydantic model (JSON) or,
    without one, text or bytes of MEDIA_TYPE (a calendar, a PDF, CSV); no body for 204."""

    status: int | None  # None: 201 for POST, 200 otherwise
    model: type[BaseModel] | None = None
    media_type: str = ""  # by default the model's `media_type`, else JSON
    description: str = ""

    @property
    def content_type(self) -> str:
        return self.media_type or getattr(self.model, "media_type", JSON)


@dataclass(frozen=True)
class EndpointSchemas:
    query: type[BaseModel] | None
    body: type[BaseModel] | None
    answers: tuple[Answer, ...]
    summary: str
    access: Access = Access.TOKEN
    errors: frozenset[int] = frozenset()  # beyond those every operation may answer
    form: type[BaseModel] | None = None  # a multipart/form-data body (uploads)

    @property
    def response(self) -> type[BaseModel] | None:
        """The model of the first answer with one (the OGC views render by it)."""
        return next((answer.model for answer in self.answers if answer.model), None)


ENDPOINTS: dict[Callable[..., Any], EndpointSchemas] = {}


# pydantic's messages by error type, as a page shows them next to a form field (pydantic speaks
# English only); the context of the error fills the placeholders. Other types keep pydantic's.
PYDANTIC_REASONS: dict[str, LazyString] = {
    "missing": _l("is required"),
    "string_too_short": _l("must have at least %(min_length)s characters"),
    "string_too_long": _l("must have at most %(max_length)s characters"),
    "too_short": _l("must have at least %(min_length)s items"),
    "too_long": _l("must have at most %(max_length)s items"),
    "int_parsing": _l("must be a whole number"),
    "int_type": _l("must be a whole number"),
    "int_from_float": _l("must be a whole number"),
    "float_parsing": _l("must be a number"),
    "float_type": _l("must be a number"),
    "finite_number": _l("must be a finite number"),
    "greater_than": _l("must be more than %(gt)s"),
    "greater_than_equal": _l("must be at least %(ge)s"),
    "less_than": _l("must be less than %(lt)s"),
    "less_than_equal": _l("must be at most %(le)s"),
    "enum": _l("must be one of %(expected)s"),
    "literal_error": _l("must be one of %(expected)s"),
    "bool_parsing": _l("must be yes or no"),
    "bool_type": _l("must be yes or no"),
    "string_type": _l("must be text"),
    "string_pattern_mismatch": _l("is not in the expected form"),
    "date_parsing": _l("is not a date"),
    "date_from_datetime_parsing": _l("is not a date"),
    "date_type": _l("is not a date"),
    "datetime_parsing": _l("is not a date and time"),
    "datetime_from_date_parsing": _l("is not a date and time"),
    "datetime_type": _l("is not a date and time"),
    "extra_forbidden": _l("is not a field of this form"),
    "list_type": _l("must be a list"),
    "dict_type": _l("must be an object"),
    "model_type": _l("must be an object"),
}


def pydantic_reason(error: ErrorDetails) -> Text:
    """Why pydantic refused a value, in words a page translates."""
    context = error.get("ctx", {})
    if error["type"] == "value_error":  # a validator's own ValueError: its message as raised
        raised = context["error"].args[0] if context["error"].args else ""
        return raised if isinstance(raised, LazyString) else str(raised)
    reason = PYDANTIC_REASONS.get(error["type"])
    if reason is None:
        return error["msg"]
    return LazyString(_filled_in, reason, {name: str(value) for name, value in context.items()})


def _filled_in(template: LazyString, values: dict[str, str]) -> str:
    return str(template) % values


def _first_error(exc: ValidationError) -> InvalidInput:
    error = exc.errors(include_url=False)[0]
    field = ".".join(str(part) for part in error["loc"]) or "body"
    reason = pydantic_reason(error)
    # The API keeps pydantic's words (a validator's own message: in English); a page says the
    # reason in its language.
    said = in_english(reason) if error["type"] == "value_error" else error["msg"]
    refused = InvalidInput(field, said)
    refused.reason = reason
    return refused


def parse(model: type[Model], data: Any) -> Model:
    """DATA validated by MODEL, or a 400 naming the first bad field and why."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise _first_error(exc) from None


def query_data(model: type[BaseModel]) -> dict[str, Any]:
    """The query string as a dict; parameters declared as lists keep every value."""
    data: dict[str, Any] = {}
    for name in request.args:
        field = model.model_fields.get(name)
        is_list = field is not None and getattr(field.annotation, "__origin__", None) is list
        values = request.args.getlist(name)
        data[name] = values if is_list else values[-1]
    return data


def json_body() -> Any:
    if (request.content_length or 0) > MAX_JSON_BYTES:
        raise PayloadTooLarge(
            f"body: a JSON document may hold at most {MAX_JSON_BYTES // 1024} KiB", field="body"
        )
    data = request.get_json(silent=True)
    if data is None:
        raise InvalidInput("body", "must be a JSON document (Content-Type: application/json)")
    return data


_JSON_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"')
_NOT_A_BRACKET = re.compile(r"[^\[\]{}]+")
_INNERMOST_PAIR = re.compile(r"\[\]|\{\}")


def json_nests_deeper_than(text: str, limit: int) -> bool:
    """Whether arrays and objects nest more than LIMIT deep in the JSON TEXT (brackets inside
    strings do not count), or cannot be paired at all. Decided before parsing: a parser
    recursing 50,000 levels deep fails with an error of its own (a 500). Each round removes
    the innermost pairs, with regular expressions rather than a Python loop over characters."""
    brackets = _NOT_A_BRACKET.sub("", _JSON_STRING.sub("", text))
    for _level in range(limit):
        if not brackets:
            return False
        brackets, removed = _INNERMOST_PAIR.subn("", brackets)
        if not removed:
            return True  # unpaired brackets: not JSON either way
    return bool(brackets)


def reject_nul_characters() -> None:
    """400 for any parameter or field holding a NUL character, which PostgreSQL text refuses:
    checked once for every request instead of in every schema and form."""
    for name, value in _fields_sent():
        if "\x00" in name or "\x00" in value:
            raise InvalidInput(name.replace("\x00", ""), "must not contain NUL characters")
    if request.is_json and b"\\u0000" in request.get_data(cache=True):
        raise InvalidInput("body", "must not contain NUL characters")


# The bodies werkzeug parses into request.form; for any other body the form stays empty, and
# merely asking for it (request.values) cost a hundred Python calls a request.
_FORM_TYPES = frozenset({"application/x-www-form-urlencoded", "multipart/form-data"})


def _fields_sent() -> Iterator[tuple[str, str]]:
    """The query string's parameters and the form's fields (request.values, without parsing
    a body that is no form)."""
    yield from request.args.items(multi=True)
    if request.method != "GET" and request.mimetype in _FORM_TYPES:
        yield from request.form.items(multi=True)


def reject_deep_json() -> None:
    """400 for a JSON body nested deeper than MAX_JSON_DEPTH, checked for every request."""
    if request.is_json and json_nests_deeper_than(
        request.get_data(cache=True, as_text=True), MAX_JSON_DEPTH
    ):
        raise InvalidInput(
            "body", f"must be JSON nesting arrays and objects at most {MAX_JSON_DEPTH} deep"
        )


def validated(
    *,
    query: type[BaseModel] | None = None,
    body: type[BaseModel] | None = None,
    response: type[BaseModel] | None = None,
    answers: tuple[Answer, ...] = (),
    summary: str = "",
    access: Access = Access.TOKEN,
    errors: tuple[int, ...] = (),
    form: type[BaseModel] | None = None,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Validate the query string and/or JSON body before the view runs, and record what the
    operation takes and answers for its OpenAPI description: RESPONSE is the model of the
    usual success (200; 201 for POST), ANSWERS any other; ACCESS who may call it; ERRORS the
    error statuses beyond 400, 401 and 503 (every operation), 403 (not public), 404 (a path
    parameter) and 413 (a body). FORM: a multipart body, parsed as the `form` argument."""

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if query is not None:
                kwargs["query"] = parse(query, query_data(query))
            if body is not None:
                kwargs["body"] = parse(body, json_body())
            if form is not None:  # its file fields are FormFile: werkzeug's FileStorage
                kwargs["form"] = parse(form, {**request.form.to_dict(), **request.files.to_dict()})
            return view(*args, **kwargs)

        documented = answers
        if response is not None:
            documented = (Answer(None, response), *answers)
        ENDPOINTS[wrapper] = EndpointSchemas(
            query,
            body,
            documented,
            summary or (view.__doc__ or ""),
            access,
            frozenset(errors),
            form,
        )
        return wrapper

    return decorate
