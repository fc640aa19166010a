"""JSON API of the location library: search, CRUD, photos, import, export, categories."""

from __future__ import annotations

import csv
import io
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request, url_for
from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import FileStorage

from core.auth.models import User
from core.auth.policy import acting_user, allowed, authorize
from core.db import db
from core.errors import InvalidInput, NotFound
from core.mapping.builder import PointsPayload, compact_points
from core.paging import page_links
from core.schemas import Deleted
from core.spreadsheets import safe_row
from core.validation import GEOJSON, Access, Answer, validated
from locations import importing, operations, photos
from locations.models import Location, LocationPhoto, LocationStatus
from locations.schemas import (
    FACILITY_FIELDS,
    PRIVATE_FIELDS,
    Category,
    CategoryIn,
    CategoryList,
    CategoryPatch,
    ExportQuery,
    ImportQuery,
    ImportReport,
    ImportUpload,
    LocationExport,
    LocationFeature,
    LocationFeatureIn,
    LocationPage,
    LocationPatchIn,
    LocationSearch,
    Photo,
    PhotoList,
    PhotoPatch,
    PhotoUpload,
)

bp = Blueprint("locations_api", __name__, url_prefix="/api/v1/locations")
MAP_POPUP_FIELDS = [("name", _l("Name")), ("commune", _l("Commune"))]


def geojson(body: Any, status: int = 200) -> Response:
    response = jsonify(body)
    response.status_code = status
    response.mimetype = GEOJSON
    return response


def visible_location(location_id: int) -> Location:
    """The location if the acting user may see it; 404 otherwise (drafts are not public)."""
    location = operations.get_location(db.session, location_id)
    if not allowed(acting_user(), "locations.view", location):
        raise NotFound(f"No location with id {location_id}.")
    return location


@bp.get("")
@validated(
    query=LocationSearch,
    response=LocationPage,
    access=Access.PUBLIC,
    summary="Search locations (GeoJSON FeatureCollection).",
)
def search_locations(query: LocationSearch):
    user = authorize("locations.search")
    result = operations.search(db.session, query, user)
    return geojson(
        {
            "type": "FeatureCollection",
            "numberMatched": result.matched,
            "numberReturned": len(result.features),
            "features": result.features,
            "links": page_links(query.offset, query.limit, result.matched),
        }
    )


@bp.get("/map-points")
@validated(
    query=LocationSearch,
    response=PointsPayload,
    access=Access.PUBLIC,
    summary="Every match as compact points for a clustered map.",
)
def map_points(query: LocationSearch):
    points = operations.search_points(db.session, query, authorize("locations.search"))
    return jsonify(compact_points(points, MAP_POPUP_FIELDS))


@bp.post("")
@validated(
    body=LocationFeatureIn,
    response=LocationFeature,
    summary="Create a location from a GeoJSON Feature.",
)
def create_location(body: LocationFeatureIn):
    user = authorize("locations.create")
    location = operations.create_location(
        db.session, body.properties, tuple(body.geometry.coordinates), user
    )
    feature = operations.location_feature(db.session, location, user)
    response = geojson(feature, 201)
    response.headers["Location"] = url_for("locations_api.get_location", location_id=location.id)
    return response


@bp.get("/<int:location_id>")
@validated(
    response=LocationFeature, access=Access.PUBLIC, summary="One location as a GeoJSON Feature."
)
def get_location(location_id: int):
    location = visible_location(location_id)
    response = geojson(operations.location_feature(db.session, location, acting_user()))
    response.headers["ETag"] = f'"{location.version}"'
    return response


@bp.patch("/<int:location_id>")
@validated(
    body=LocationPatchIn,
    response=LocationFeature,
    errors=(409,),
    summary="Change a location; properties.version must be current.",
)
def patch_location(location_id: int, body: LocationPatchIn):
    user = authorize("locations.edit")
    location = visible_location(location_id)
    coordinates = tuple(body.geometry.coordinates) if body.geometry else None
    operations.update_location(
        db.session, location, body.properties, coordinates, user, body.properties.version
    )
    return geojson(operations.location_feature(db.session, location, user))


@bp.delete("/<int:location_id>")
@validated(
    response=Deleted, summary="Delete a location (archived instead when shoots refer to it)."
)
def delete_location(location_id: int):
    user = authorize("locations.delete")
    upload_root = current_app.config["UPLOAD_FOLDER"]
    outcome = operations.delete_location(db.session, location_id, user, upload_root)
    return jsonify({"id": location_id, "result": outcome})


# ---- photos ----------------------------------------------------------------------------------


def photo_urls(location_id: int, photo_id: int) -> dict[str, str]:
    return {
        variant: url_for(
            "locations.photo_file", location_id=location_id, photo_id=photo_id, variant=variant
        )
        for variant in ("full", "thumb")
    }


def store_upload(
    location: Location, user: User | None, upload: FileStorage | None, caption: str
) -> LocationPhoto:
    """An uploaded photo checked and stored for LOCATION."""
    limit = int(current_app.config.get("LOCATION_PHOTO_MAX_BYTES", 10 * 1024 * 1024))
    return photos.add_photo(
        db.session,
        location,
        photos.read_upload(upload, limit),
        current_app.config["UPLOAD_FOLDER"],
        user,
        caption,
    )


@bp.get("/<int:location_id>/photos")
@validated(response=PhotoList, access=Access.PUBLIC, summary="The photos of a location, in order.")
def list_photos(location_id: int):
    location = visible_location(location_id)
    return jsonify(
        {
            "photos": [
                photos.photo_dict(p, photo_urls(location.id, p.id))
                for p in photos.ordered_photos(db.session, location)
            ]
        }
    )


@bp.post("/<int:location_id>/photos")
@validated(
    form=PhotoUpload,
    response=Photo,
    summary="Upload a photo (multipart field 'file': JPEG, PNG or WebP; 'caption').",
)
def upload_photo(location_id: int, form: PhotoUpload):
    user = authorize("locations.edit")
    location = visible_location(location_id)
    photo = store_upload(location, user, form.file, form.caption)
    return jsonify(photos.photo_dict(photo, photo_urls(location_id, photo.id))), 201


@bp.patch("/<int:location_id>/photos/<int:photo_id>")
@validated(
    body=PhotoPatch,
    response=Photo,
    summary="Move a photo, make it the cover, or change its caption.",
)
def patch_photo(location_id: int, photo_id: int, body: PhotoPatch):
    authorize("locations.edit")
    location = visible_location(location_id)
    photo = photos.get_photo(db.session, location, photo_id)
    if body.caption is not None:
        photo.caption = body.caption
    if body.position is not None:
        photos.move_photo(db.session, location, photo, body.position)
    if body.is_cover:
        photos.make_cover(db.session, location, photo)
    return jsonify(photos.photo_dict(photo, photo_urls(location.id, photo.id)))


@bp.delete("/<int:location_id>/photos/<int:photo_id>")
@validated(answers=(Answer(204),), summary="Delete a photo (the next one becomes the cover).")
def delete_photo(location_id: int, photo_id: int):
    authorize("locations.edit")
    location = visible_location(location_id)
    photo = photos.get_photo(db.session, location, photo_id)
    photos.delete_photo(db.session, location, photo, current_app.config["UPLOAD_FOLDER"])
    return "", 204


# ---- import and export -----------------------------------------------------------------------


@bp.post("/import")
@validated(
    query=ImportQuery,
    form=ImportUpload,
    answers=(
        Answer(200, ImportReport, description="A dry run: what the import would do."),
        Answer(201, ImportReport, description="Imported, every row (all or nothing)."),
    ),
    summary="Import GeoJSON or CSV (multipart 'file' or raw body).",
)
def import_locations(query: ImportQuery, form: ImportUpload):
    user = authorize("locations.import")
    if query.status == "published":
        authorize("locations.publish")
    upload = form.file
    content = upload.read() if upload else request.get_data()
    if not content:
        raise InvalidInput("file", "is required (multipart field 'file', or the request body)")
    file_format = query.format or importing.detect_format(
        upload.filename if upload else None, content
    )
    try:
        report = importing.import_locations(
            db.session,
            content,
            file_format=file_format,
            crs=importing.parse_crs(query.crs),
            user=user,
            dry_run=query.dry_run,
            status=LocationStatus(query.status),
        )
    except importing.ImportRejected:
        db.session.rollback()
        raise
    if query.dry_run:
        db.session.rollback()  # a dry run stores nothing, though it answers 200
    return jsonify(report.as_dict()), 200 if query.dry_run else 201


CSV_COLUMNS = [
    "id",
    "name",
    "lon",
    "lat",
    "categories",
    "tags",
    "commune_nis",
    "commune",
    "province",
    "address",
    *FACILITY_FIELDS,
    "access_notes",
    "description",
    "status",
]


def csv_rows(features: list[dict[str, Any]], show_private: bool) -> str:
    columns = CSV_COLUMNS + (list(PRIVATE_FIELDS) if show_private else [])
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, extrasaction="ignore")
    writer.writeheader()
    for feature in features:
        properties = feature["properties"]
        lon, lat = feature["geometry"]["coordinates"]
        writer.writerow(
            safe_row(
                {
                    **properties,
                    "id": feature["id"],
                    "lon": lon,
                    "lat": lat,
                    "categories": ";".join(properties["categories"]),
                    "tags": ";".join(properties["tags"]),
                    "commune_nis": properties["commune"]["nis"],
                    "commune": properties["commune"]["name"],
                }
            )
        )
    return buffer.getvalue()


@bp.get("/export")
@validated(
    query=ExportQuery,
    answers=(
        Answer(200, LocationExport, GEOJSON, "`format=geojson`: a FeatureCollection."),
        Answer(200, None, "text/csv", "`format=csv`: one row per location."),
    ),
    access=Access.PUBLIC,
    summary="Export the locations matching the search filters.",
)
def export_locations(query: ExportQuery):
    user = acting_user()
    result = operations.search(db.session, query, user)
    if query.format == "csv":
        body = csv_rows(result.features, allowed(user, "locations.view_private"))
        return Response(
            body,
            mimetype="text/csv",
            headers={"Content-Disposition": "attachment; filename=locations.csv"},
        )
    response = geojson({"type": "FeatureCollection", "features": result.features})
    response.headers["Content-Disposition"] = "attachment; filename=locations.geojson"
    return response


# ---- categories ------------------------------------------------------------------------------


def category_dict(category) -> dict[str, Any]:
    return {
        "code": category.code,
        "label_fr": category.label_fr,
        "label_en": category.label_en,
        "label_de": category.label_de,
        "position": category.position,
    }


@bp.get("/categories")
@validated(
    response=CategoryList, access=Access.PUBLIC, summary="The managed list of location categories."
)
def list_categories():
    return jsonify(
        {"categories": [category_dict(c) for c in operations.all_categories(db.session)]}
    )


@bp.post("/categories")
@validated(
    body=CategoryIn, response=Category, errors=(409,), summary="Add a category (administrators)."
)
def create_category(body: CategoryIn):
    authorize("locations.manage_categories")
    category = operations.create_category(db.session, body.model_dump())
    return jsonify(category_dict(category)), 201


@bp.patch("/categories/<code>")
@validated(
    body=CategoryPatch, response=Category, summary="Rename or move a category (administrators)."
)
def patch_category(code: str, body: CategoryPatch):
    authorize("locations.manage_categories")
    category = operations.update_category(db.session, code, body.model_dump(exclude_unset=True))
    return jsonify(category_dict(category))
