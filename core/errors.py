"""Errors the API reports as JSON: `{"error": …, "detail": …}` (and `field` for bad input).

Their messages are written for people with `lazy_gettext`: the API's `detail` says them in
English, the language of its field names; a page says them in its own language, next to the
form field they name (core/forms.py).
"""

from __future__ import annotations

from typing import Any

from flask import Flask, jsonify, request
from flask_babel import force_locale, get_locale
from flask_babel import gettext as _
from flask_babel.speaklater import LazyString
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import HTTPException, InternalServerError

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


def wants_json() -> bool:
    """API paths always get JSON errors; other clients get it when they ask for it."""
    if request.path.startswith(("/api/", "/healthz")) or request.args.get("f") == "json":
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json"


def register(app: Flask) -> None:
    @app.errorhandler(ApiError)
    def handle_api_error(exc: ApiError):
        return jsonify(exc.body()), exc.status

    @app.errorhandler(HTTPException)
    def handle_http_exception(exc: HTTPException):
        if exc.response is not None or not wants_json():
            return exc.response or exc
        name = (exc.name or "error").lower().replace(" ", "_")
        response = jsonify({"error": name, "detail": exc.description})
        response.status_code = exc.code or 500
        if exc.code == 405 and exc.valid_methods:  # type: ignore[attr-defined]
            response.headers["Allow"] = ", ".join(exc.valid_methods)  # type: ignore[attr-defined]
        return response

    def handle_database_unavailable(exc: Exception):
        app.logger.warning("database unavailable: %s", exc)
        if wants_json():
            detail = _("The database is unavailable; try again in a moment.")
            return jsonify({"error": "database_unavailable", "detail": detail}), 503
        # A page of its own: the site layout would load the signed-in user from the database,
        # and so would blueprints' context processors (rendered without them).
        page = app.jinja_env.get_template("errors/503.html").render(
            current_locale=lambda: str(get_locale() or "fr")
        )
        return page, 503, {"Retry-After": "30"}

    for kind in DATABASE_UNAVAILABLE:
        app.register_error_handler(kind, handle_database_unavailable)

    @app.errorhandler(Exception)
    def handle_unexpected(exc: Exception):
        app.logger.exception("unhandled error")
        if wants_json():
            body = {"error": "internal_error", "detail": "An unexpected error occurred."}
            return jsonify(body), 500
        return InternalServerError()
