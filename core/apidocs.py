"""The JSON API's own description: OpenAPI 3.0 at /api/v1/openapi.json and a viewer."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, jsonify, render_template, url_for

from core import openapi

bp = Blueprint("apidocs", __name__, url_prefix="/api/v1")
API_VERSION = "1.0.0"


@bp.get("/openapi.json")
def openapi_json():
    description = openapi.document(
        current_app,
        prefix="/api/v1/",
        title="Tournages API",
        version=API_VERSION,
        description=(
            "Filming locations, shoots and permits of the Walloon film commission. "
            "Geometry is RFC 7946 GeoJSON in WGS84 (lon, lat); times are ISO 8601."
        ),
    )
    return openapi_response(description)


@bp.get("/docs")
def docs():
    return viewer(url_for("apidocs.openapi_json"))


def openapi_response(description: dict) -> Response:
    response = jsonify(description)
    response.mimetype = "application/vnd.oai.openapi+json"
    return response


def viewer(spec_url: str) -> str:
    """The Swagger UI page (self-hosted) for the OpenAPI description at SPEC_URL."""
    return render_template("apidocs/viewer.html", spec_url=spec_url)
