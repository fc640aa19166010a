"""Errors the API reports as JSON: `{"error": …, "detail": …}` (and `field` for bad input)."""

from __future__ import annotations

from typing import Any

from flask import Flask, jsonify, request
from werkzeug.exceptions import HTTPException, InternalServerError


class ApiError(Exception):
    """An error with an HTTP status, reported as JSON by the API and as a page by HTML views."""

    status = 400
    error = "bad_request"

    def __init__(self, detail: str, *, field: str | None = None, **extra: Any) -> None:
        super().__init__(detail)
        self.detail = detail
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

    def __init__(self, field: str, reason: str, **extra: Any) -> None:
        super().__init__(f"{field}: {reason}", field=field, **extra)


class NotFound(ApiError):
    status = 404
    error = "not_found"


class Conflict(ApiError):
    status = 409
    error = "conflict"


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

    @app.errorhandler(Exception)
    def handle_unexpected(exc: Exception):
        app.logger.exception("unhandled error")
        if wants_json():
            body = {"error": "internal_error", "detail": "An unexpected error occurred."}
            return jsonify(body), 500
        return InternalServerError()
