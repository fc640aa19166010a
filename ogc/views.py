"""OGC API – Features under /ogc, in GeoJSON and HTML, shaped like pygeoapi: Part 1 (Core),
Part 2 (CRS by reference, core.crs) and Part 3's queryables (ogc.queryables)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, Flask, current_app, jsonify, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from core import crs
from core.apidocs import openapi_response, viewer
from core.db import db
from core.errors import ErrorReport, InvalidInput, NotFound, render_errors_under
from core.validation import ENDPOINTS, Access, Answer, validated
from ogc import caching, description, schemas
from ogc.collections import (
    COLLECTIONS,
    Collection,
    Query,
    read_feature,
    read_page,
    spatial_extent,
    temporal_extent,
)
from ogc.filters import parse_datetime
from ogc.queryables import conditions, json_schema, queryables

bp = Blueprint("ogc", __name__, url_prefix="/ogc")

GREGORIAN = "http://www.opengis.net/def/uom/ISO-8601/0/Gregorian"
QUERYABLES_REL = "http://www.opengis.net/def/rel/ogc/1.0/queryables"
JSON, GEOJSON, HTML = "application/json", "application/geo+json", "text/html"
SCHEMA_JSON = "application/schema+json"
OPENAPI_30 = "application/vnd.oai.openapi+json;version=3.0"


def wants_html(requested_format: str | None = None) -> bool:
    """?f= decides; otherwise the Accept header: HTML only for clients that name it before
    JSON (browsers); `*/*` and everyone else get JSON."""
    requested_format = requested_format or request.args.get("f")
    if requested_format in ("json", "html"):
        return requested_format == "html"
    return request.accept_mimetypes.best_match([GEOJSON, JSON, HTML]) == HTML


@bp.before_request
def reject_unknown_parameters() -> None:
    """A 400 naming any query parameter the operation does not declare (Part 1,
    /req/core/query-param-unknown): a misspelt filter must not silently return everything."""
    view = current_app.view_functions.get(request.endpoint or "")
    declared = ENDPOINTS.get(view) if view else None
    if declared is None or declared.query is None:
        return
    known = {field.alias or name for name, field in declared.query.model_fields.items()}
    collection = COLLECTIONS.get((request.view_args or {}).get("collection_id", ""))
    if request.endpoint == "ogc.items" and collection is not None:
        known |= queryables(collection).keys()
    for name in request.args:
        if name not in known:
            accepted = ", ".join(sorted(known))
            raise InvalidInput(name, f"is not a parameter of this operation (it takes {accepted})")


bp.after_request(caching.cache_headers)


@bp.after_request
def expose_headers(response: Response) -> Response:
    """Let web pages of other origins (CORS *, core.security) read the CRS and the ETag."""
    response.headers.setdefault("Access-Control-Expose-Headers", "Content-Crs, ETag")
    return response


def here(**changes: Any) -> str:
    """This request's absolute URL with some query parameters changed."""
    args = request.args.to_dict(flat=False)
    args.update({name: [str(value)] for name, value in changes.items()})
    # Encoded here, not by url_for: a parameter named like a path variable or like url_for's
    # own options (_external…) must stay a query parameter.
    path = url_for(request.endpoint or "", **(request.view_args or {}), _external=True)
    return f"{path}?{urlencode(args, doseq=True)}"


def self_links(json_type: str = JSON) -> list[dict[str, str]]:
    return [
        {
            "rel": "self",
            "type": json_type,
            "title": _("This document as JSON"),
            "href": here(f="json"),
        },
        {
            "rel": "alternate",
            "type": HTML,
            "title": _("This document as HTML"),
            "href": here(f="html"),
        },
    ]


def respond(
    data: dict[str, Any], template: str, *, html: bool, media_type: str = JSON, **context: Any
) -> Response:
    if html:
        response = Response(render_template(template, data=data, **context), mimetype=HTML)
    else:
        response = jsonify(data)
        response.mimetype = media_type
    response.vary.update(("Accept", "Accept-Language"))
    return response


def respond_features(
    data: dict[str, Any], template: str, collection: Collection, query: schemas.FormatQuery
) -> Response:
    """GeoJSON in the requested CRS (said by Content-Crs), or a page whose map loads the
    GeoJSON of the same request in CRS84 (the map draws longitude/latitude)."""
    response = respond(
        data,
        template,
        html=wants_html(query.f),
        media_type=GEOJSON,
        collection=collection,
        json_url=here(f="json", crs=crs.CRS84.uri),
    )
    response.headers["Content-Crs"] = query.output_crs.header()
    caching.tag(response, data)
    return response


def collection_link(collection: Collection) -> dict[str, str]:
    return {
        "rel": "collection",
        "type": JSON,
        "title": str(collection.title),
        "href": url_for("ogc.collection", collection_id=collection.id, _external=True),
    }


def collection_or_404(collection_id: str) -> Collection:
    collection = COLLECTIONS.get(collection_id)
    if collection is None:
        raise NotFound(f"No collection {collection_id!r}; see /ogc/collections.")
    return collection


def init_errors(app: Flask) -> None:
    """Every error under /ogc in OGC API's exception format (ogc.description)."""
    render_errors_under(app, bp.url_prefix or "/ogc", render_error)


def render_error(report: ErrorReport) -> Response | None:
    """OGC exception JSON; a page only for clients that ask for HTML (server errors then get
    the site's own error pages: None)."""
    if wants_html():
        if report.status >= 500:
            return None
        page = render_template("ogc/error.html", report=report)
        response = Response(page, status=report.status, mimetype=HTML)
    else:
        response = jsonify(description.exception(report))
        response.status_code = report.status
    response.headers.update(report.headers)
    response.vary.add("Accept")
    return response


@bp.get("", strict_slashes=False)
@validated(
    access=Access.PUBLIC,
    query=schemas.FormatQuery,
    response=schemas.LandingPage,
    summary="Landing page",
)
def landing(query: schemas.FormatQuery):
    data = {
        "title": _("Tournages — filming in Wallonia"),
        "description": _(
            "Published filming locations, upcoming shoots and the Walloon communes, "
            "as OGC API – Features."
        ),
        "links": [
            *self_links(),
            {
                "rel": "service-desc",
                "type": OPENAPI_30,
                "title": _("The API definition (OpenAPI 3.0)"),
                "href": url_for("ogc.api", f="json", _external=True),
            },
            {
                "rel": "service-doc",
                "type": HTML,
                "title": _("The API documentation"),
                "href": url_for("ogc.api", f="html", _external=True),
            },
            {
                "rel": "conformance",
                "type": JSON,
                "title": _("Conformance classes"),
                "href": url_for("ogc.conformance", _external=True),
            },
            {
                "rel": "data",
                "type": JSON,
                "title": _("Collections"),
                "href": url_for("ogc.collections", _external=True),
            },
        ],
    }
    return respond(data, "ogc/landing.html", html=wants_html(query.f))


@bp.get("/api")
@validated(
    access=Access.PUBLIC,
    query=schemas.FormatQuery,
    answers=(
        Answer(
            200,
            media_type="application/vnd.oai.openapi+json",
            description="This API's OpenAPI 3.0 description.",
        ),
        Answer(200, media_type=HTML, description="This API's OpenAPI 3.0 description."),
    ),
    summary="The API definition (OpenAPI 3.0)",
)
def api(query: schemas.FormatQuery):
    if wants_html(query.f):
        return viewer(url_for("ogc.api", f="json"))
    return openapi_response(description.openapi(current_app))


@bp.get("/conformance")
@validated(
    access=Access.PUBLIC,
    query=schemas.FormatQuery,
    response=schemas.Conformance,
    summary="Conformance",
)
def conformance(query: schemas.FormatQuery):
    data = {"conformsTo": description.CONFORMANCE}
    return respond(data, "ogc/conformance.html", html=wants_html(query.f))


def describe(collection: Collection) -> dict[str, Any]:
    base = url_for("ogc.collection", collection_id=collection.id, _external=True)
    items = url_for("ogc.items", collection_id=collection.id, _external=True)
    extent: dict[str, Any] = {
        "spatial": {"bbox": [spatial_extent(db.session, collection) or []], "crs": crs.CRS84.uri}
    }
    if (interval := temporal_extent(db.session, collection)) is not None:
        extent["temporal"] = {"interval": [interval], "trs": GREGORIAN}
    return {
        "id": collection.id,
        "title": str(collection.title),
        "description": str(collection.description),
        "keywords": list(collection.keywords),
        "itemType": "feature",
        "crs": [supported.uri for supported in crs.SUPPORTED],
        "storageCrs": crs.STORAGE.uri,
        "extent": extent,
        "links": [
            {
                "rel": "self",
                "type": JSON,
                "title": _("This collection as JSON"),
                "href": base + "?f=json",
            },
            {
                "rel": "alternate",
                "type": HTML,
                "title": _("This collection as HTML"),
                "href": base + "?f=html",
            },
            {
                "rel": "items",
                "type": GEOJSON,
                "title": _("Items as GeoJSON"),
                "href": items + "?f=json",
            },
            {"rel": "items", "type": HTML, "title": _("Items as HTML"), "href": items + "?f=html"},
            {
                "rel": QUERYABLES_REL,
                "type": SCHEMA_JSON,
                "title": _("Queryable properties"),
                "href": url_for("ogc.queryables", collection_id=collection.id, _external=True),
            },
        ],
    }


@bp.get("/collections")
@validated(
    access=Access.PUBLIC,
    query=schemas.FormatQuery,
    response=schemas.CollectionList,
    summary="Collections",
)
def collections(query: schemas.FormatQuery):
    data = {
        "collections": [describe(collection) for collection in COLLECTIONS.values()],
        "links": self_links(),
    }
    return respond(data, "ogc/collections.html", html=wants_html(query.f))


@bp.get("/collections/<collection_id>")
@validated(
    access=Access.PUBLIC,
    query=schemas.FormatQuery,
    response=schemas.CollectionInfo,
    summary="A collection",
)
def collection(collection_id: str, query: schemas.FormatQuery):
    data = describe(collection_or_404(collection_id))
    return respond(data, "ogc/collection.html", html=wants_html(query.f))


@bp.get("/collections/<collection_id>/queryables", endpoint="queryables")
@validated(
    access=Access.PUBLIC,
    query=schemas.FormatQuery,
    response=schemas.Queryables,
    summary="Queryables",
)
def queryables_of(collection_id: str, query: schemas.FormatQuery):
    collection = collection_or_404(collection_id)
    url = url_for("ogc.queryables", collection_id=collection.id, _external=True)
    data = json_schema(collection, url)
    return respond(
        data,
        "ogc/queryables.html",
        html=wants_html(query.f),
        media_type=SCHEMA_JSON,
        collection=collection,
    )


def paging_links(query: schemas.ItemsQuery, returned: int, matched: int) -> list[dict]:
    links = []
    if query.offset + returned < matched:
        links.append(
            {
                "rel": "next",
                "type": GEOJSON,
                "title": _("Next page"),
                "href": here(f="json", offset=query.offset + query.limit, limit=query.limit),
            }
        )
    if query.offset > 0:
        links.append(
            {
                "rel": "prev",
                "type": GEOJSON,
                "title": _("Previous page"),
                "href": here(
                    f="json", offset=max(0, query.offset - query.limit), limit=query.limit
                ),
            }
        )
    return links


@bp.get("/collections/<collection_id>/items")
@validated(
    access=Access.PUBLIC,
    query=schemas.ItemsQuery,
    response=schemas.FeatureCollection,
    summary="Features",
)
def items(collection_id: str, query: schemas.ItemsQuery):
    collection = collection_or_404(collection_id)
    page = read_page(
        db.session,
        collection,
        Query(
            limit=query.limit,
            offset=query.offset,
            envelope=query.envelope(),
            bbox_crs=query.bbox_reference,
            interval=parse_datetime(query.interval) if query.interval else None,
            conditions=tuple(conditions(collection, query.model_extra or {})),
            output_crs=query.output_crs,
        ),
    )
    data = {
        "type": "FeatureCollection",
        "features": page.features,
        "numberMatched": page.number_matched,
        "numberReturned": len(page.features),
        "timeStamp": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "links": [
            *self_links(GEOJSON),
            *paging_links(query, len(page.features), page.number_matched),
            collection_link(collection),
        ],
    }
    return respond_features(data, "ogc/items.html", collection, query)


@bp.get("/collections/<collection_id>/items/<fid>")
@validated(
    access=Access.PUBLIC, query=schemas.FormatQuery, response=schemas.Feature, summary="One feature"
)
def item(collection_id: str, fid: str, query: schemas.FormatQuery):
    collection = collection_or_404(collection_id)
    found = read_feature(db.session, collection, fid, query.output_crs)
    if found is None:
        raise NotFound(f"No feature {fid!r} in collection {collection_id!r}.")
    feature = {**found.feature, "links": [*self_links(GEOJSON), collection_link(collection)]}
    response = respond_features(feature, "ogc/item.html", collection, query)
    if found.updated is not None:
        response.last_modified = found.updated
    return response
