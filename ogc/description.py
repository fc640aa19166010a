"""What /ogc says about itself: its conformance classes, its exceptions and its OpenAPI document.

The conformance list names exactly what is implemented: Part 1 (core, GeoJSON, HTML, OpenAPI
3.0), Part 2 (CRS by reference) and, of Part 3, queryables and queryables as query parameters
(no CQL2 filter).
"""

from __future__ import annotations

import copy
from typing import Any

from flask import Flask

from core.errors import ErrorReport
from core.openapi import document
from ogc.collections import COLLECTIONS
from ogc.queryables import query_parameters

FEATURES_1 = "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/"
FEATURES_2 = "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/"
FEATURES_3 = "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/"
CONFORMANCE = [
    FEATURES_1 + "core",
    FEATURES_1 + "oas30",
    FEATURES_1 + "html",
    FEATURES_1 + "geojson",
    FEATURES_2 + "crs",
    FEATURES_3 + "queryables",
    FEATURES_3 + "queryables-query-parameters",
]

# OGC API – Features Part 1's exception schema (OWS exception codes), plus the parameter at
# fault as `field`, like the rest of our API.
EXCEPTION_SCHEMA = {
    "type": "object",
    "required": ["code"],
    "properties": {
        "code": {"type": "string", "description": "OWS exception code."},
        "description": {"type": "string", "description": "What went wrong, for people."},
        "field": {"type": "string", "description": "The parameter at fault."},
    },
}
EXCEPTION_CODES = {
    400: "InvalidParameterValue",
    404: "NotFound",
    405: "OperationNotSupported",
    406: "OptionNotSupported",
}
ITEMS_PATH = "/ogc/collections/{collection_id}/items"
HTML = "text/html"


def exception(report: ErrorReport) -> dict[str, Any]:
    body = {"code": EXCEPTION_CODES.get(report.status, "NoApplicableCode")}
    body["description"] = report.detail
    if report.field:
        body["field"] = report.field
    return body


def openapi(app: Flask) -> dict[str, Any]:
    """The OpenAPI 3.0 document of /ogc: the generic one (core.openapi) with OGC exceptions (or
    pages) as its errors and one items path per collection declaring that collection's
    queryables, as pygeoapi writes them (clients look there for the filters they may send)."""
    spec = document(
        app,
        prefix="/ogc",
        title="Tournages OGC API – Features",
        version="1.0.0",
        description="Published filming locations, upcoming shoots, blackouts and communes.",
        error_schema=EXCEPTION_SCHEMA,
        error_media_types=("application/json", HTML),  # pages too, for clients asking for HTML
    )
    generic = spec["paths"][ITEMS_PATH]["get"]
    for collection in COLLECTIONS.values():
        operation = copy.deepcopy(generic)
        operation["operationId"] = f"ogc.items.{collection.id}.get"
        operation["summary"] = f"Features of {collection.id}"
        operation["parameters"] = [
            *(p for p in operation["parameters"] if p["name"] != "collection_id"),
            *query_parameters(collection),
        ]
        spec["paths"][ITEMS_PATH.replace("{collection_id}", collection.id)] = {"get": operation}
    return spec
