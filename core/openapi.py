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
from werkzeug.routing import AnyConverter, Rule

from core.validation import CODE_PATTERN, ENDPOINTS, Access, Answer, EndpointSchemas

OPENAPI_VERSION = "3.0.3"
COMPONENT_REF = "#/components/schemas/{model}"
# Every error of the API (core.errors): a 409 of the conflict engine adds the findings
# (`conflicts`, `warnings`), hence additional properties.
ERROR_SCHEMA = {
    "type": "object",
    "required": ["error", "detail"],
    "properties": {
        "error": {"type": "string", "description": "Machine-readable error code."},
        "detail": {"type": "string", "description": "What went wrong, for people."},
        "field": {"type": "string", "description": "The parameter or field at fault."},
    },
    "additionalProperties": True,
}
# <int:…> only matches PostgreSQL integer ids (core.security.DatabaseIdConverter).
PATH_CONVERTER_TYPES = {
    "int": {"type": "integer", "minimum": 0, "maximum": 2**31 - 1},
    "float": {"type": "number"},
    "code": {"type": "string", "pattern": f"^{CODE_PATTERN}$"},
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
    if "default" in result and result["default"] is None and not result.get("nullable"):
        del result["default"]  # a field that may be left out, but not sent as null
    return result


def openapi_path(rule: Rule) -> tuple[str, list[dict[str, Any]]]:
    """Flask's `/things/<int:id>` as `/things/{id}`, with its path parameters."""
    parameters = []
    for match in _PATH_VARIABLE.finditer(rule.rule):
        converter = rule._converters.get(match["name"])
        if isinstance(converter, AnyConverter):  # one of a few words: an enum
            schema = {"type": "string", "enum": sorted(converter.items)}
        else:
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
        pairs += [(m, "validation") for m in (schemas.query, schemas.body, schemas.form) if m]
        pairs += [(a.model, "serialization") for a in schemas.answers if a.model]
    if not pairs:
        return {}, {}
    keys, definitions = models_json_schema(list(dict.fromkeys(pairs)), ref_template=COMPONENT_REF)
    return keys, definitions.get("$defs", {})


def _inline(schema: dict[str, Any], components: dict[str, Any]) -> dict[str, Any]:
    """The schema itself rather than a reference (query models become parameters)."""
    return copy.deepcopy(components[schema["$ref"].rsplit("/", 1)[-1]])


# What each error status means; every error body is the one error schema.
ERRORS = {
    400: "Bad input: `field` names the parameter or field, `detail` says why.",
    401: "No valid credentials: sign in, or send a valid API token.",
    403: "Signed in, but your role or your part in the record does not allow this.",
    404: "No such record, or none you may see.",
    409: "The record's state forbids it, someone saved it meanwhile (`version`), or it "
    "clashes with another one.",
    413: "The body is larger than the service accepts.",
    503: "The database is unavailable; try again in a moment.",
}
# Any operation: bad parameters (a NUL character, say), an invalid token, an outage.
EVERY_OPERATION = frozenset({400, 401, 503})
BINARY_MEDIA_TYPES = ("application/pdf", "application/octet-stream", "image/")


def error_statuses(schemas: EndpointSchemas, has_path_parameters: bool) -> list[int]:
    statuses = set(EVERY_OPERATION) | schemas.errors
    if schemas.access is Access.TOKEN:
        statuses.add(403)
    if has_path_parameters:
        statuses.add(404)
    if schemas.body or schemas.form:
        statuses.add(413)
    return sorted(statuses)


def _content(
    answer: Answer, keys: dict[tuple[type[BaseModel], str], dict[str, Any]]
) -> dict[str, Any]:
    if answer.model is not None:
        content = {answer.content_type: {"schema": keys[(answer.model, "serialization")]}}
        for alternate in getattr(answer.model, "alternate_media_types", ()):
            content[alternate] = {"schema": {"type": "string"}}
        return content
    schema = {"type": "string"}
    if answer.content_type.startswith(BINARY_MEDIA_TYPES):
        schema["format"] = "binary"
    return {answer.content_type: {"schema": schema}}


def _responses(
    method: str,
    schemas: EndpointSchemas,
    keys: dict[tuple[type[BaseModel], str], dict[str, Any]],
    has_path_parameters: bool,
    error_content: dict[str, Any],
) -> dict[str, Any]:
    responses: dict[str, Any] = {}
    for answer in schemas.answers:
        status = str(answer.status or (201 if method == "POST" else 200))
        documented = responses.setdefault(
            status, {"description": answer.description or _describe(answer)}
        )
        if answer.status != 204:
            documented.setdefault("content", {}).update(_content(answer, keys))
    if not responses:  # a view without a declared answer: nothing to say but its success
        responses["204" if method == "DELETE" else "200"] = {"description": "Success."}
    for status in error_statuses(schemas, has_path_parameters):
        responses[str(status)] = {"description": ERRORS[status], "content": error_content}
    return responses


def _describe(answer: Answer) -> str:
    if answer.model is not None and answer.model.__doc__:
        return answer.model.__doc__.strip().splitlines()[0]
    return "Success." if answer.status != 204 else "Done; no content."


def _security(access: Access) -> list[dict[str, list[str]]]:
    if access is Access.PUBLIC:
        return [{}, {"bearerAuth": []}]  # anonymous, or a token that may show more
    if access is Access.URL:
        return []  # the URL carries the credential
    return [{"bearerAuth": []}]


def _request_body(
    schemas: EndpointSchemas, keys: dict[tuple[type[BaseModel], str], dict[str, Any]]
) -> dict[str, Any] | None:
    content: dict[str, Any] = {}
    if schemas.body:
        content["application/json"] = {"schema": keys[(schemas.body, "validation")]}
    if schemas.form:
        content["multipart/form-data"] = {"schema": keys[(schemas.form, "validation")]}
        for media_type in getattr(schemas.form, "raw_media_types", ()):
            content[media_type] = {"schema": {"type": "string", "format": "binary"}}
    return {"required": True, "content": content} if content else None


def document(
    app: Flask,
    *,
    prefix: str,
    title: str,
    version: str,
    description: str = "",
    error_schema: dict[str, Any] = ERROR_SCHEMA,
    error_media_types: tuple[str, ...] = ("application/json",),
) -> dict[str, Any]:
    """The OpenAPI 3.0 description of every validated view whose path starts with PREFIX."""
    rules = [
        rule
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith(prefix) and app.view_functions[rule.endpoint] in ENDPOINTS
    ]
    declared = [ENDPOINTS[app.view_functions[rule.endpoint]] for rule in rules]
    keys, components = _component_schemas(declared)
    error_content = {
        media_type: {"schema": {"$ref": "#/components/schemas/Error"}}
        if media_type.endswith("json")
        else {"schema": {"type": "string"}}
        for media_type in error_media_types
    }
    paths: dict[str, dict[str, Any]] = {}
    for rule in sorted(rules, key=lambda r: r.rule):
        schemas = ENDPOINTS[app.view_functions[rule.endpoint]]
        path, path_parameters = openapi_path(rule)
        parameters = list(path_parameters)
        if schemas.query:
            query_schema = _inline(keys[(schemas.query, "validation")], components)
            parameters += query_parameters(schemas.query, query_schema)
        for method in sorted((rule.methods or set()) - IGNORED_METHODS):
            operation: dict[str, Any] = {
                "operationId": f"{rule.endpoint}.{method.lower()}",
                "summary": schemas.summary.strip().splitlines()[0] if schemas.summary else "",
                "tags": [rule.endpoint.split(".")[0]],
                "parameters": parameters,
                "security": _security(schemas.access),
                "responses": _responses(
                    method, schemas, keys, bool(path_parameters), error_content
                ),
            }
            if (body := _request_body(schemas, keys)) is not None:
                operation["requestBody"] = body
            paths.setdefault(path, {})[method.lower()] = operation
    return to_openapi30(
        {
            "openapi": OPENAPI_VERSION,
            "info": {"title": title, "version": version, "description": description},
            "paths": paths,
            "components": {
                "schemas": {**components, "Error": error_schema},
                "securitySchemes": {
                    "bearerAuth": {
                        "type": "http",
                        "scheme": "bearer",
                        "description": "An API token (`tournages tokens create EMAIL`, or "
                        "your account page).",
                    }
                },
            },
        }
    )
