"""Errors the API reports as JSON: `{"error": …, "detail": …}` (and `field` for bad input).

Their messages are written for people with `lazy_gettext`: the API's `detail` says them in
English, the language of its field names; a page says them in its own language, next to the
form field they name (core/forms.py).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Flask, current_app, jsonify, render_template, request
from flask_babel import force_locale, get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import HTTPException

# The database cannot be reached, refused the connection, dropped it, or every pooled connection
# is busy: a 503 (try again), not a 500. The driver's message (socket path, host) is only logged.
DATABASE_UNAVAILABLE = (OperationalError, InterfaceError, PoolTimeout)


Text = str | LazyString  # a message for people: a lazy one is translated where it is shown


def in_english(text: Text) -> str:
    """TEXT as the API says it. The English catalogue may word a message for people where its
    msgid names a field the way the API does."""
    if isinstance(text, LazyString):
        with force_locale("en"):
            return str(text)
    return text


class ApiError(Exception):
    """An error with an HTTP status, reported as JSON by the API and as a page by HTML views."""

    status = 400
    error = "bad_request"

    def __init__(self, detail: Text, *, field: str | None = None, **extra: Any) -> None:
        self.detail = in_english(detail)
        super().__init__(self.detail)
        self.message = detail  # what a page shows: in the page's language when it is a lazy text
        self.field = field
        self.extra = extra

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"error": self.error, "detail": self.detail}
        if self.field:
            body["field"] = self.field
        body.update(self.extra)
        return body


class InvalidInput(ApiError):
    """A parameter or field has a bad value; `field` names it, `detail` says why."""

    status = 400
    error = "invalid_input"

    def __init__(self, field: str, reason: Text, **extra: Any) -> None:
        super().__init__(f"{field}: {in_english(reason)}", field=field, **extra)
        self.reason = reason  # what a page shows next to the form field FIELD concerns


class PayloadTooLarge(ApiError):
    status = 413
    error = "payload_too_large"


class NotFound(ApiError):
    status = 404
    error = "not_found"


class Conflict(ApiError):
    status = 409
    error = "conflict"


class ServiceUnavailable(ApiError):
    status = 503
    error = "service_unavailable"


@dataclass(frozen=True)
class ErrorReport:
    """An error about to be answered, for a renderer of its own path (`render_errors_under`)."""

    status: int
    error: str  # machine-readable code, e.g. "not_found"
    detail: str
    field: str | None = None
    headers: dict[str, str] = dataclasses.field(default_factory=dict)


# A renderer returns the response, or None to leave it to the default (pages or JSON).
ErrorRenderer = Callable[[ErrorReport], Any]
RENDERERS_KEY = "tournages.error_renderers"


def render_errors_under(app: Flask, prefix: str, renderer: ErrorRenderer) -> None:
    """Let RENDERER answer every error under the path PREFIX (404s of unknown paths, 405s,
    400s, 500s…): an interface with an error format of its own, such as OGC API's
    exceptions, without core knowing it."""
    app.extensions.setdefault(RENDERERS_KEY, {})[prefix] = renderer


def _own_rendering(report: ErrorReport) -> Any | None:
    renderers: dict[str, ErrorRenderer] = current_app.extensions.get(RENDERERS_KEY, {})
    for prefix, renderer in renderers.items():
        if request.path == prefix or request.path.startswith(prefix + "/"):
            return renderer(report)
    return None


def wants_json() -> bool:
    """API paths always get JSON errors; other clients get it when they ask for it."""
    if request.path.startswith(("/api/", "/healthz")) or request.args.get("f") == "json":
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json"


# What a browser's error page says, by status (others: the generic pair).
PAGE_TEXTS: dict[int, tuple[Text, Text]] = {
    400: (_l("The request could not be read"), _l("Something in it is missing or malformed.")),
    403: (_l("Not allowed"), _l("Your role does not allow this page.")),
    404: (_l("Page not found"), _l("This page does not exist, or it is not yours to see.")),
    405: (
        _l("Not possible this way"),
        _l("This address is not opened like this: use the page's buttons."),
    ),
    413: (_l("Too large"), _l("What you sent is larger than the service accepts.")),
    429: (_l("Too many attempts"), _l("Please wait a moment and try again.")),
    500: (
        _l("Something went wrong"),
        _l(
            "An unexpected error occurred and was recorded. Nothing you sent was stored; please try again later."  # noqa: E501
        ),
    ),
    503: (
        _l("Temporarily unavailable"),
        _l(
            "The database cannot be reached at the moment. Nothing you sent was stored; please try again in a few minutes."  # noqa: E501
        ),
    ),
}


def error_page(status: int, headers: dict[str, str] | None = None) -> tuple[str, int, dict]:
    """A browser's error page in the user's language: in the site's layout, or standing alone
    for a 500 and a 503 (the layout reads the signed-in user from the database, which may be
    what failed)."""
    title, text = PAGE_TEXTS.get(status, (_l("Something went wrong"), _l("Please try again.")))
    context = {"title": title, "text": text, "status": status}
    if status >= 500:
        page = current_app.jinja_env.get_template("errors/standalone.html").render(
            current_locale=lambda: str(get_locale() or "fr"), **context
        )
    else:
        page = render_template("errors/page.html", **context)
    return page, status, headers or {}


def register(app: Flask) -> None:
    @app.errorhandler(ApiError)
    def handle_api_error(exc: ApiError):
        report = ErrorReport(exc.status, exc.error, exc.detail, exc.field)
        if (own := _own_rendering(report)) is not None:
            return own
        return jsonify(exc.body()), exc.status

    @app.errorhandler(HTTPException)
    def handle_http_exception(exc: HTTPException):
        if exc.response is not None:
            return exc.response
        name = (exc.name or "error").lower().replace(" ", "_")
        headers = {}
        if exc.code == 405 and exc.valid_methods:  # type: ignore[attr-defined]
            headers["Allow"] = ", ".join(exc.valid_methods)  # type: ignore[attr-defined]
        report = ErrorReport(exc.code or 500, name, exc.description or "", headers=headers)
        if (own := _own_rendering(report)) is not None:
            return own
        if not wants_json():
            return error_page(exc.code or 500, headers)
        response = jsonify({"error": name, "detail": exc.description})
        response.status_code = exc.code or 500
        response.headers.update(headers)
        return response

    def handle_database_unavailable(exc: Exception):
        app.logger.warning("database unavailable: %s", exc)
        detail = _("The database is unavailable; try again in a moment.")
        report = ErrorReport(503, "database_unavailable", detail, headers={"Retry-After": "30"})
        if (own := _own_rendering(report)) is not None:
            return own
        if wants_json():
            return jsonify({"error": "database_unavailable", "detail": detail}), 503
        return error_page(503, {"Retry-After": "30"})

    for kind in DATABASE_UNAVAILABLE:
        app.register_error_handler(kind, handle_database_unavailable)

    @app.errorhandler(Exception)
    def handle_unexpected(exc: Exception):
        app.logger.exception("unhandled error")
        report = ErrorReport(500, "internal_error", "An unexpected error occurred.")
        if (own := _own_rendering(report)) is not None:
            return own
        if wants_json():
            body = {"error": "internal_error", "detail": "An unexpected error occurred."}
            return jsonify(body), 500
        return error_page(500)
