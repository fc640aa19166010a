"""OpenAPI 3.0 descriptions generated from the registered schemas and Flask's url_map.

Nothing here is written by hand per endpoint: paths and methods come from the url_map, and
parameters, request bodies and responses from the pydantic models each view declared with
`core.validation.validated` (recorded in `ENDPOINTS`). Pydantic emits JSON Schema 2020-12;
`to_openapi30` rewrites the few constructs OpenAPI 3.0 spells differently.
"""

from __future__ import annotations

import copy
import re
from typing import Any

from flask import Flask
from pydantic import BaseModel
from pydantic.json_schema import models_json_schema
from werkzeug.routing import Rule

from core.validation import ENDPOINTS, EndpointSchemas

OPENAPI_VERSION = "3.0.3"
COMPONENT_REF = "#/components/schemas/{model}"
ERROR_SCHEMA = {
    "type": "object",
    "required": ["error", "detail"],
    "properties": {
        "error": {"type": "string", "description": "Machine-readable error code."},
        "detail": {"type": "string", "description": "What went wrong, for people."},
        "field": {"type": "string", "description": "The parameter or field at fault."},
    },
}
# <int:…> only matches PostgreSQL integer ids (core.security.DatabaseIdConverter).
PATH_CONVERTER_TYPES = {
    "int": {"type": "integer", "minimum": 0, "maximum": 2**31 - 1},
    "float": {"type": "number"},
}
IGNORED_METHODS = {"HEAD", "OPTIONS"}
_PATH_VARIABLE = re.compile(r"<(?:(?P<converter>[a-z]+)(?:\([^)]*\))?:)?(?P<name>\w+)>")


def to_openapi30(schema: Any) -> Any:
    """JSON Schema 2020-12 (as pydantic writes it) → the OpenAPI 3.0 schema dialect."""
    if isinstance(schema, list):
        return [to_openapi30(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    result = dict(schema)
    for variant in ("anyOf", "oneOf"):
        options = result.get(variant)
        if options and {"type": "null"} in options:
            rest = [option for option in options if option != {"type": "null"}]
            del result[variant]
            if len(rest) == 1 and "$ref" not in rest[0]:
                result.update(rest[0])
            elif len(rest) == 1:
                result["allOf"] = rest  # a $ref takes no siblings in 3.0
            else:
                result[variant] = rest
            result["nullable"] = True
    result = {key: to_openapi30(value) for key, value in result.items()}
    if "$ref" in result and len(result) > 1:  # a $ref takes no siblings in 3.0
        result["allOf"] = [{"$ref": result.pop("$ref")}]
    if "const" in result:
        result["enum"] = [result.pop("const")]
    if "examples" in result:
        examples = result.pop("examples")
        if examples:
            result["example"] = examples[0]
    for bound, inclusive in (("exclusiveMinimum", "minimum"), ("exclusiveMaximum", "maximum")):
        if isinstance(result.get(bound), int | float) and not isinstance(result[bound], bool):
            result[inclusive] = result[bound]
            result[bound] = True
    if result.get("type") == "null":  # a field that is always null
        del result["type"]
        result["nullable"] = True
    result.pop("propertyNames", None)
    return result


def openapi_path(rule: Rule) -> tuple[str, list[dict[str, Any]]]:
    """Flask's `/things/<int:id>` as `/things/{id}`, with its path parameters."""
    parameters = []
    for match in _PATH_VARIABLE.finditer(rule.rule):
        schema = PATH_CONVERTER_TYPES.get(match["converter"] or "", {"type": "string"})
        parameters.append({"name": match["name"], "in": "path", "required": True, "schema": schema})
    return _PATH_VARIABLE.sub(lambda m: "{" + m["name"] + "}", rule.rule), parameters


def query_parameters(model: type[BaseModel], schema: dict[str, Any]) -> list[dict[str, Any]]:
    required = set(schema.get("required", ()))
    parameters = []
    for name, property_schema in schema.get("properties", {}).items():
        description = property_schema.pop("description", None)
        property_schema.pop("title", None)
        parameter = {
            "name": name,
            "in": "query",
            "required": name in required,
            "schema": property_schema,
        }
        if description:
            parameter["description"] = description
        if property_schema.get("type") == "array":
            parameter.update(style="form", explode=True)
        parameters.append(parameter)
    return parameters


def _component_schemas(
    declared: list[EndpointSchemas],
) -> tuple[dict[tuple[type[BaseModel], str], dict[str, Any]], dict[str, Any]]:
    """One JSON Schema pass over every model, so shared sub-models become one component."""
    pairs = []
    for schemas in declared:
        pairs += [(m, "validation") for m in (schemas.query, schemas.body) if m]
        pairs += [(schemas.response, "serialization")] if schemas.response else []
    if not pairs:
        return {}, {}
    keys, definitions = models_json_schema(list(dict.fromkeys(pairs)), ref_template=COMPONENT_REF)
    return keys, definitions.get("$defs", {})


def _inline(schema: dict[str, Any], components: dict[str, Any]) -> dict[str, Any]:
    """The schema itself rather than a reference (query models become parameters)."""
    return copy.deepcopy(components[schema["$ref"].rsplit("/", 1)[-1]])


def _responses(
    method: str, schemas: EndpointSchemas, response_schema: dict[str, Any] | None
) -> dict[str, Any]:
    success = "201" if method == "POST" else "200"
    responses: dict[str, Any] = {
        "default": {
            "description": "An error (4xx bad input, 401/403 access, 404, 409, 413, 429, 5xx).",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
        }
    }
    if response_schema is None:
        responses["2XX"] = {"description": "Success."}
        return responses
    media_type = getattr(schemas.response, "media_type", "application/json")
    content = {media_type: {"schema": response_schema}}
    for alternate in getattr(schemas.response, "alternate_media_types", ()):
        content[alternate] = {"schema": {"type": "string"}}
    responses[success] = {
        "description": schemas.response.__doc__ or "Success.",  # type: ignore[union-attr]
        "content": content,
    }
    return responses


def document(
    app: Flask, *, prefix: str, title: str, version: str, description: str = ""
) -> dict[str, Any]:
    """The OpenAPI 3.0 description of every validated view whose path starts with PREFIX."""
    rules = [
        rule
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith(prefix) and app.view_functions[rule.endpoint] in ENDPOINTS
    ]
    declared = [ENDPOINTS[app.view_functions[rule.endpoint]] for rule in rules]
    keys, components = _component_schemas(declared)
    paths: dict[str, dict[str, Any]] = {}
    for rule in sorted(rules, key=lambda r: r.rule):
        schemas = ENDPOINTS[app.view_functions[rule.endpoint]]
        path, parameters = openapi_path(rule)
        if schemas.query:
            query_schema = _inline(keys[(schemas.query, "validation")], components)
            parameters = parameters + query_parameters(schemas.query, query_schema)
        response = keys.get((schemas.response, "serialization")) if schemas.response else None
        for method in sorted((rule.methods or set()) - IGNORED_METHODS):
            operation: dict[str, Any] = {
                "operationId": f"{rule.endpoint}.{method.lower()}",
                "summary": schemas.summary.strip().splitlines()[0] if schemas.summary else "",
                "tags": [rule.endpoint.split(".")[0]],
                "parameters": parameters,
                "responses": _responses(method, schemas, response),
            }
            if schemas.body:
                body = keys[(schemas.body, "validation")]
                operation["requestBody"] = {
                    "required": True,
                    "content": {"application/json": {"schema": body}},
                }
            paths.setdefault(path, {})[method.lower()] = operation
    return to_openapi30(
        {
            "openapi": OPENAPI_VERSION,
            "info": {"title": title, "version": version, "description": description},
            "paths": paths,
            "components": {
                "schemas": {**components, "Error": ERROR_SCHEMA},
                "securitySchemes": {
                    "bearerAuth": {
                        "type": "http",
                        "scheme": "bearer",
                        "description": "An API token (`tournages tokens create EMAIL`).",
                    }
                },
            },
            # Every operation accepts a token; public ones also work without (the empty option).
            "security": [{"bearerAuth": []}, {}],
        }
    )
