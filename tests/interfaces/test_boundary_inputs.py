"""Every operation of the OpenAPI description, fed the inputs that once gave 500s: integers
beyond PostgreSQL's `integer`, 1e308 and NaN, LIKE metacharacters, template syntax and JSON
nested 50,000 deep. Whatever the operation, the answer is a 4xx (or a success), never a 5xx.

schemathesis (live/test_schemathesis.py) explores valid and near-valid requests; this walks the
same description with the boundary values it does not generate, so a new operation is covered
the day it is described.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

BEYOND_INTEGER = 2**31  # PostgreSQL integer ends at 2**31 - 1
DEEP_JSON = "[" * 50_000 + "]" * 50_000
HOSTILE_TEXT = "\\%_{{ 7*7 }}{% x %}</script>"
QUERY_VALUES = {"integer": str(BEYOND_INTEGER), "number": "1e308", "boolean": "maybe"}


def _resolve(spec: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    if "anyOf" in schema:  # optional fields: the first non-null choice
        choices = [s for s in schema["anyOf"] if s.get("type") != "null"]
        return _resolve(spec, choices[0]) if choices else {}
    return schema


def _extreme(spec: dict[str, Any], schema: dict[str, Any], number: float, depth: int = 0) -> Any:
    """A value of SCHEMA's shape whose every leaf is at an extreme."""
    schema = _resolve(spec, schema)
    kind = schema.get("type")
    if "enum" in schema:
        return schema["enum"][0]
    if kind == "integer":
        return BEYOND_INTEGER
    if kind == "number":
        return number
    if kind == "string":
        return HOSTILE_TEXT
    if kind == "boolean":
        return True
    if kind == "array":
        return [_extreme(spec, schema.get("items", {}), number, depth + 1)]
    if depth > 4:
        return {}
    properties = schema.get("properties", {})
    if not properties:  # free-form objects (GeoJSON): coordinates at the extreme
        return {"type": "Polygon", "coordinates": [[[number, number]] * 4]}
    return {name: _extreme(spec, sub, number, depth + 1) for name, sub in properties.items()}


def _operations(spec: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method.upper(), path, operation)
        for path, methods in spec["paths"].items()
        for method, operation in methods.items()
        if path != "/api/v1/openapi.json"
    ]


def _url(path: str, operation: dict[str, Any], **query: str) -> str:
    for parameter in operation.get("parameters", []):
        if parameter["in"] == "path":
            kind = parameter.get("schema", {}).get("type")
            value = "1" if kind == "integer" else "92094"
            path = path.replace("{" + parameter["name"] + "}", value)
    if query:
        path += "?" + "&".join(f"{key}={value}" for key, value in query.items())
    return path


@pytest.fixture
def spec(client) -> dict[str, Any]:
    return client.get("/api/v1/openapi.json").get_json()


@pytest.fixture
def admin_headers(make_user, token_for) -> dict[str, str]:
    return token_for(make_user("admin"))


def _requests(spec: dict[str, Any]):
    """(what, method, url, body text) for every operation and boundary value."""
    for method, path, operation in _operations(spec):
        for parameter in operation.get("parameters", []):
            kind = _resolve(spec, parameter.get("schema", {})).get("type")
            if parameter["in"] == "path" and kind == "integer":
                url = path.replace("{" + parameter["name"] + "}", str(BEYOND_INTEGER))
                yield f"path {parameter['name']}", method, _url(url, operation), None
            if parameter["in"] == "query":
                values = [QUERY_VALUES.get(kind, "%5C%25_"), "nan" if kind == "number" else None]
                for value in filter(None, values):
                    url = _url(path, operation, **{parameter["name"]: value})
                    yield f"query {parameter['name']}={value}", method, url, None
        content = operation.get("requestBody", {}).get("content", {})
        if "application/json" in content:
            schema = content["application/json"].get("schema", {})
            yield "50,000-deep body", method, _url(path, operation), DEEP_JSON
            for number in (1e308, float("nan")):
                body = json.dumps(_extreme(spec, schema, number))  # NaN: JSON's invalid NaN
                yield f"extreme body ({number})", method, _url(path, operation), body


def test_boundary_inputs_never_give_a_server_error(client, spec, admin_headers):
    requests = list(_requests(spec))
    assert len(requests) > 150  # every operation, each parameter, each body
    failures = []
    for what, method, url, body in requests:
        response = client.open(
            url,
            method=method,
            data=body,
            headers={**admin_headers, "Content-Type": "application/json"},
        )
        if response.status_code >= 500:
            failures.append(f"{method} {url} [{what}]: {response.status_code}")
    assert not failures, "\n".join(failures)
