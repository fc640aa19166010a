"""The description is the contract: every operation's real answers — status, content type and
body — are the ones /api/v1/openapi.json documents, and every geometry the API sends is
RFC 7946 (counter-clockwise exterior rings, 6 decimals, WGS84 lon/lat, no crs)."""

from __future__ import annotations

import re
from typing import Any

import pytest
import shapely
from jsonschema import FormatChecker
from openapi_schema_validator import OAS30Validator
from shapely.geometry import shape

from tests.interfaces import api_scene

GEOMETRY_TYPES = {"Point", "MultiPoint", "LineString", "MultiLineString", "Polygon", "MultiPolygon"}
PATH_VARIABLE = re.compile(r"\{[^}]+\}")


@pytest.fixture
def description(client) -> dict[str, Any]:
    return client.get("/api/v1/openapi.json").get_json()


@pytest.fixture
def scene(app, client, make_user, token_for, tmp_path) -> api_scene.Scene:
    app.config["UPLOAD_FOLDER"] = str(tmp_path / "uploads")
    users = {role: make_user(role) for role in api_scene.ROLES}
    headers = {role: token_for(user) for role, user in users.items()}
    headers["anonymous"] = {}

    def call(method: str, path: str, role: str, **options: Any):
        return client.open(path, method=method, headers=headers[role], **options)

    built = api_scene.build(call)
    built.answers += [
        ("GET", path, call("GET", path, role)) for role, path in api_scene.reads(built)
    ]
    return built


def operation_of(description: dict[str, Any], method: str, url: str) -> dict[str, Any]:
    """The operation of DESCRIPTION that URL (a path with a query) calls with METHOD."""
    path = url.split("?", 1)[0]
    matching = [
        template
        for template, operations in description["paths"].items()
        if method.lower() in operations
        and re.fullmatch("[^/]+".join(map(re.escape, PATH_VARIABLE.split(template))), path)
    ]
    assert matching, f"{method} {path} is not in the description"
    # /permits/{id}.pdf rather than /permits/{id}: the template saying the most
    best = max(matching, key=lambda template: len(PATH_VARIABLE.sub("", template)))
    return description["paths"][best][method.lower()]


def documented_schema(description: dict[str, Any], operation: dict[str, Any], response) -> Any:
    documented = operation["responses"].get(str(response.status_code))
    assert documented is not None, (operation["operationId"], response.status_code)
    if response.status_code == 204:
        return None
    content = documented["content"]
    assert response.mimetype in content, (operation["operationId"], response.mimetype)
    return content[response.mimetype]["schema"]


def test_every_answer_is_the_documented_one(description, scene):
    validators: dict[str, OAS30Validator] = {}
    for method, url, response in scene.answers:
        operation = operation_of(description, method, url)
        schema = documented_schema(description, operation, response)
        if schema is None or schema.get("type") == "string":
            assert response.get_data(), url  # a calendar, a PDF, CSV: not empty
            continue
        key = repr(schema)
        if key not in validators:
            validators[key] = OAS30Validator(
                {**schema, "components": description["components"]},
                format_checker=FormatChecker(),
            )
        errors = [e.message for e in validators[key].iter_errors(response.get_json())]
        assert errors == [], (method, url, errors[:3])


def test_every_get_operation_is_read_by_the_scene(description, scene):
    read = {
        operation_of(description, "GET", url)["operationId"]
        for method, url, _ in scene.answers
        if method == "GET"
    }
    documented = {
        operation["operationId"]
        for operations in description["paths"].values()
        for method, operation in operations.items()
        if method == "get"
    }
    assert documented - {"apidocs.openapi_json.get"} <= read


# ---- RFC 7946 ---------------------------------------------------------------------------------


def geometries(document: Any) -> list[dict[str, Any]]:
    """Every GeoJSON geometry object anywhere in DOCUMENT."""
    if isinstance(document, list):
        return [found for item in document for found in geometries(item)]
    if not isinstance(document, dict):
        return []
    if isinstance(document.get("type"), str) and document["type"] in GEOMETRY_TYPES:
        return [document]
    return [found for value in document.values() for found in geometries(value)]


def has_member(document: Any, name: str) -> bool:
    if isinstance(document, list):
        return any(has_member(item, name) for item in document)
    if isinstance(document, dict):
        return name in document or any(has_member(v, name) for v in document.values())
    return False


def positions(coordinates: Any) -> list[list[float]]:
    if coordinates and isinstance(coordinates[0], int | float):
        return [coordinates]
    return [position for part in coordinates for position in positions(part)]


def check_rfc7946(geometry: dict[str, Any]) -> None:
    for lon, lat in positions(geometry["coordinates"]):
        assert 2 < lon < 7 and 49 < lat < 52, ("not lon, lat in WGS84", lon, lat)
        for number in (lon, lat):
            assert round(number, 6) == number, ("more than 6 decimals", number)
    polygons = shape(geometry)
    assert polygons.is_valid, shapely.validation.explain_validity(polygons)
    for polygon in getattr(polygons, "geoms", [polygons]):
        if polygon.geom_type == "Polygon":
            assert polygon.exterior.is_ccw, "exterior ring clockwise"
            assert not any(ring.is_ccw for ring in polygon.interiors), "hole counter-clockwise"


def test_every_geometry_the_api_sends_is_rfc_7946(description, scene):
    checked = set()
    for method, url, response in scene.answers:
        if not response.is_json:
            continue
        body = response.get_json()
        assert not has_member(body, "crs"), url
        for geometry in geometries(body):
            check_rfc7946(geometry)
            checked.add(operation_of(description, method, url)["operationId"])
    geojson_operations = {
        operation["operationId"]
        for operations in description["paths"].values()
        for method, operation in operations.items()
        if method == "get"
        and any(
            "application/geo+json" in r.get("content", {}) for r in operation["responses"].values()
        )
    }
    # Every operation answering GeoJSON, and those embedding geometries, were looked at.
    assert geojson_operations <= checked
    assert {
        "shoots_api.list_blackouts.get",
        "shoots_api.get_shoot.get",
        "permits_api.get_permit.get",
        "amendments_api.get_amendment.get",
    } <= checked


def test_blackouts_come_back_counter_clockwise_with_six_decimals(
    client, scene, token_for, make_user
):
    """The issue's example: a clockwise area with 16 decimals is stored as sent, served as
    OGC serves it."""
    (blackout,) = client.get("/api/v1/blackouts", headers=token_for(make_user("officer"))).json[
        "blackouts"
    ]
    (ogc,) = client.get("/ogc/collections/blackouts/items").json["features"]
    assert blackout["area"] == ogc["geometry"]
    check_rfc7946(blackout["area"])
