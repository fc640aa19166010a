"""OGC API – Features Part 1 (Core) under /ogc, in GeoJSON and HTML, shaped like pygeoapi."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, current_app, jsonify, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from core.apidocs import openapi_response, viewer
from core.db import db
from core.errors import NotFound
from core.openapi import document
from core.validation import validated
from ogc import schemas
from ogc.collections import (
    COLLECTIONS,
    Collection,
    read_feature,
    read_page,
    spatial_extent,
    temporal_extent,
)
from ogc.filters import parse_bbox, parse_datetime

bp = Blueprint("ogc", __name__, url_prefix="/ogc")

CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
GREGORIAN = "http://www.opengis.net/def/uom/ISO-8601/0/Gregorian"
CONFORMANCE = [
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/html",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
]
JSON, GEOJSON, HTML = "application/json", "application/geo+json", "text/html"
OPENAPI_30 = "application/vnd.oai.openapi+json;version=3.0"


def wants_html(query: schemas.FormatQuery) -> bool:
    """?f= decides; otherwise the Accept header (browsers get HTML, everyone else JSON)."""
    if query.f:
        return query.f == "html"
    return request.accept_mimetypes.best_match([GEOJSON, JSON, HTML]) == HTML


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
    response.vary.add("Accept")
    return response


def respond_features(
    data: dict[str, Any], template: str, collection: Collection, html: bool
) -> Response:
    """GeoJSON, or a page whose map loads the GeoJSON of the same request."""
    return respond(
        data,
        template,
        html=html,
        media_type=GEOJSON,
        collection=collection,
        json_url=here(f="json"),
    )


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


@bp.get("", strict_slashes=False)
@validated(query=schemas.FormatQuery, response=schemas.LandingPage, summary="Landing page")
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
    return respond(data, "ogc/landing.html", html=wants_html(query))


@bp.get("/api")
@validated(query=schemas.FormatQuery, summary="The API definition (OpenAPI 3.0)")
def api(query: schemas.FormatQuery):
    if wants_html(query):
        return viewer(url_for("ogc.api", f="json"))
    return openapi_response(
        document(
            current_app,
            prefix="/ogc",
            title="Tournages OGC API – Features",
            version="1.0.0",
            description="Published filming locations, upcoming shoots and communes.",
        )
    )


@bp.get("/conformance")
@validated(query=schemas.FormatQuery, response=schemas.Conformance, summary="Conformance")
def conformance(query: schemas.FormatQuery):
    data = {"conformsTo": CONFORMANCE}
    return respond(data, "ogc/conformance.html", html=wants_html(query))


def describe(collection: Collection) -> dict[str, Any]:
    base = url_for("ogc.collection", collection_id=collection.id, _external=True)
    items = url_for("ogc.items", collection_id=collection.id, _external=True)
    extent: dict[str, Any] = {
        "spatial": {"bbox": [spatial_extent(db.session, collection) or []], "crs": CRS84}
    }
    if (interval := temporal_extent(db.session, collection)) is not None:
        extent["temporal"] = {"interval": [interval], "trs": GREGORIAN}
    return {
        "id": collection.id,
        "title": str(collection.title),
        "description": str(collection.description),
        "keywords": list(collection.keywords),
        "itemType": "feature",
        "crs": [CRS84],
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
        ],
    }


@bp.get("/collections")
@validated(query=schemas.FormatQuery, response=schemas.CollectionList, summary="Collections")
def collections(query: schemas.FormatQuery):
    data = {
        "collections": [describe(collection) for collection in COLLECTIONS.values()],
        "links": self_links(),
    }
    return respond(data, "ogc/collections.html", html=wants_html(query))


@bp.get("/collections/<collection_id>")
@validated(query=schemas.FormatQuery, response=schemas.CollectionInfo, summary="A collection")
def collection(collection_id: str, query: schemas.FormatQuery):
    data = describe(collection_or_404(collection_id))
    return respond(data, "ogc/collection.html", html=wants_html(query))


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
@validated(query=schemas.ItemsQuery, response=schemas.FeatureCollection, summary="Features")
def items(collection_id: str, query: schemas.ItemsQuery):
    collection = collection_or_404(collection_id)
    page = read_page(
        db.session,
        collection,
        envelope=parse_bbox(query.bbox) if query.bbox else None,
        interval=parse_datetime(query.interval) if query.interval else None,
        limit=query.limit,
        offset=query.offset,
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
    return respond_features(data, "ogc/items.html", collection, wants_html(query))


@bp.get("/collections/<collection_id>/items/<fid>")
@validated(query=schemas.FormatQuery, response=schemas.Feature, summary="One feature")
def item(collection_id: str, fid: str, query: schemas.FormatQuery):
    collection = collection_or_404(collection_id)
    feature = read_feature(db.session, collection, fid)
    if feature is None:
        raise NotFound(f"No feature {fid!r} in collection {collection_id!r}.")
    feature["links"] = [*self_links(GEOJSON), collection_link(collection)]
    return respond_features(feature, "ogc/item.html", collection, wants_html(query))
