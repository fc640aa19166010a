"""The OpenAPI descriptions: generated from the registered schemas and valid OpenAPI 3.0
(schemathesis checks the server honours them: live/test_schemathesis.py)."""

from __future__ import annotations

import pytest
from openapi_spec_validator import validate

from core.openapi import openapi_path
from core.validation import ENDPOINTS

UNDOCUMENTED = {"/api/v1/openapi.json", "/api/v1/docs"}  # the description and its viewer


@pytest.mark.parametrize("url", ["/api/v1/openapi.json", "/ogc/api?f=json"])
def test_descriptions_are_valid_openapi_30(client, url):
    response = client.get(url)
    assert response.mimetype == "application/vnd.oai.openapi+json"
    description = response.get_json()
    assert description["openapi"].startswith("3.0.")
    validate(description)  # raises on any violation of the OpenAPI 3.0 schema


def test_every_api_view_declares_its_schemas(app):
    """Views of /api/ must use @validated, or they would be missing from the description."""
    undeclared = [
        rule.rule
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/")
        and rule.rule not in UNDOCUMENTED
        and app.view_functions[rule.endpoint] not in ENDPOINTS
    ]
    assert undeclared == []


def test_description_comes_from_the_declared_models(client):
    description = client.get("/api/v1/openapi.json").get_json()
    at_point = description["paths"]["/api/v1/communes/at"]["get"]
    parameters = {p["name"]: p for p in at_point["parameters"]}
    assert parameters["lon"]["required"] and parameters["lon"]["in"] == "query"
    assert parameters["lon"]["schema"] == {"type": "number", "minimum": -180, "maximum": 180}
    ok = at_point["responses"]["200"]["content"]["application/json"]["schema"]
    assert ok == {"$ref": "#/components/schemas/CommuneAtPoint"}
    schemas = description["components"]["schemas"]
    assert schemas["CommuneAtPoint"]["properties"]["name_de"] == {
        "type": "string",
        "nullable": True,
        "title": "Name De",
    }
    feature = description["paths"]["/api/v1/communes/{nis}"]["get"]["responses"]["200"]
    assert list(feature["content"]) == ["application/geo+json"]
    assert description["paths"]["/api/v1/communes/{nis}"]["get"]["parameters"][0] == {
        "name": "nis",
        "in": "path",
        "required": True,
        "schema": {"type": "string"},
    }
    assert description["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    assert "Error" in schemas


def test_items_parameters_are_documented_for_ogc_clients(client):
    description = client.get("/ogc/api?f=json").get_json()
    items = description["paths"]["/ogc/collections/{collection_id}/items"]["get"]
    names = [p["name"] for p in items["parameters"]]
    assert names == [
        "collection_id", "f", "lang", "crs", "bbox", "bbox-crs", "datetime", "limit", "offset",
    ]  # fmt: skip
    limit = next(p for p in items["parameters"] if p["name"] == "limit")["schema"]
    assert limit == {"type": "integer", "minimum": 1, "maximum": 1000, "default": 10}
    content = items["responses"]["200"]["content"]
    assert set(content) == {"application/geo+json", "text/html"}


def test_docs_viewer_is_served_from_our_own_files(client):
    page = client.get("/api/v1/docs").get_data(as_text=True)
    assert 'data-spec-url="/api/v1/openapi.json"' in page
    for asset in (
        "vendor/swagger-ui/swagger-ui-bundle.js",
        "vendor/swagger-ui/swagger-ui.css",
        "js/api-docs.js",
    ):
        assert f"/static/{asset}" in page
        with client.get(f"/static/{asset}") as response:
            assert response.status_code == 200
    assert "http://" not in page and "https://" not in page  # no CDN


def test_points_far_from_belgium_are_outside_wallonia_not_errors(client):
    """Found by schemathesis: EPSG:3812 cannot project the South Pole (PROJ error → 500)."""
    response = client.get("/api/v1/communes/at?lon=179&lat=-90")
    assert response.status_code == 404
    assert "outside Wallonia" in response.get_json()["detail"]
    items = client.get("/ogc/collections/communes/items?bbox=170,-90,180,-80")
    assert items.status_code == 200 and items.get_json()["numberMatched"] == 0


def test_integer_path_parameters_are_documented_with_their_range():
    from werkzeug.routing import Map, Rule

    rule = Rule("/api/v1/things/<int:thing_id>/parts/<name>")
    Map([rule])
    path, parameters = openapi_path(rule)
    assert path == "/api/v1/things/{thing_id}/parts/{name}"
    assert parameters[0]["schema"] == {"type": "integer", "minimum": 0, "maximum": 2**31 - 1}
    assert parameters[1]["schema"] == {"type": "string"}
