"""HTML pages of the location library: search, detail, forms, photos. Thin: the work is in
operations and photos."""

from __future__ import annotations

import json
from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_from_directory,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict

from core.auth.policy import acting_user, allowed, authorize
from core.communes.operations import active_communes
from core.db import db
from core.errors import ApiError, InvalidInput
from core.geo import parse_lon_lat
from core.validation import parse
from locations import operations, photos
from locations.api import store_upload, visible_location
from locations.maps import detail_map, search_map
from locations.models import Location, LocationStatus
from locations.schemas import (
    PRIVATE_FIELDS,
    LocationPatchFields,
    LocationSearch,
    NewLocationFields,
)

bp = Blueprint("locations", __name__, url_prefix="/locations")

TEXT_FIELDS = ("name", "description", "address", "access_notes")
FACILITY_FLAGS = ("has_power", "has_water", "has_toilets", "step_free_access")


class CsrfForm(FlaskForm):
    """The forms are written in the templates; this gives them their CSRF token."""


STATUS_LABELS = {
    "draft": _l("draft"),
    "published": _l("published"),
    "archived": _l("archived"),
}
STATUS_ACTIONS = {
    "draft": _l("Back to draft"),
    "published": _l("Publish"),
    "archived": _l("Archive"),
}


@bp.context_processor
def labels() -> dict[str, Any]:
    locale = str(get_locale() or "fr")
    return {
        "category_labels": {c.code: c.label(locale) for c in operations.all_categories(db.session)},
        "status_labels": STATUS_LABELS,
        "status_actions": STATUS_ACTIONS,
    }


def _filled(args: MultiDict) -> dict[str, Any]:
    """Query arguments without the empty ones an HTML form sends for untouched fields."""
    data: dict[str, Any] = {}
    for name in args:
        values = [v for v in args.getlist(name) if v.strip()]
        if values:
            data[name] = values if name == "category" else values[-1]
    return data


@bp.get("")
def search_page():
    user = authorize("locations.search")
    error = None
    try:
        criteria = parse(LocationSearch, _filled(request.args))
        result = operations.search(db.session, criteria, user)
    except ApiError as exc:
        error, criteria, result = exc.detail, LocationSearch(), operations.SearchResult([], 0)
    provinces = sorted({(c.province_nis, c.province) for c in active_communes(db.session)})
    args = request.args.to_dict(flat=False)
    pages = {
        "next": criteria.offset + criteria.limit < result.matched,
        "prev": criteria.offset > 0,
    }
    return (
        render_template(
            "locations/search.html",
            map_html=None if error else search_map(criteria, result, _filled(request.args)),
            criteria=criteria,
            result=result,
            error=error,
            categories=operations.all_categories(db.session),
            provinces=provinces,
            pages=pages,
            page_url=lambda offset: url_for(
                "locations.search_page", **{**args, "offset": [str(max(0, offset))]}
            ),
            can_create=allowed(user, "locations.create"),
            can_see_unpublished=allowed(user, "locations.view_unpublished"),
        ),
        400 if error else 200,
    )


@bp.get("/<int:location_id>")
def detail_page(location_id: int):
    location = visible_location(location_id)
    user = acting_user()
    feature = operations.location_feature(db.session, location, user)
    nearby = operations.nearby_locations(db.session, location)
    return render_template(
        "locations/detail.html",
        location=location,
        feature=feature,
        map_html=detail_map(feature, nearby),
        photos=photos.ordered_photos(db.session, location),
        nearby=nearby,
        shoots=operations.upcoming_shoots(db.session, location, user)
        if allowed(user, "locations.view_unpublished")
        else [],
        show_private=allowed(user, "locations.view_private"),
        can_edit=allowed(user, "locations.edit"),
        can_publish=allowed(user, "locations.publish"),
        can_delete=allowed(user, "locations.delete"),
        form=CsrfForm(),
    )


# ---- create and edit -------------------------------------------------------------------------


def _form_values(form: MultiDict, show_private: bool) -> tuple[dict[str, Any], tuple[float, float]]:
    values: dict[str, Any] = {name: form.get(name, "") for name in TEXT_FIELDS}
    values.update({flag: flag in form for flag in FACILITY_FLAGS})
    values["truck_parking_capacity"] = form.get("truck_parking_capacity") or 0
    values["categories"] = form.getlist("categories")
    values["tags"] = [t for t in form.get("tags", "").split(",") if t.strip()]
    outline = form.get("outline", "").strip()
    try:
        values["outline"] = json.loads(outline) if outline else None
    except json.JSONDecodeError:
        raise InvalidInput("outline", "must be a GeoJSON Polygon") from None
    if show_private:
        values.update({name: form.get(name, "") for name in PRIVATE_FIELDS})
    if form.get("version"):
        values["version"] = form["version"]
    return values, parse_lon_lat(form.get("lon"), form.get("lat"))


def _resubmitted() -> dict[str, Any]:
    return {**request.form.to_dict(), "categories": request.form.getlist("categories")}


def _render_form(location: Location | None, values: dict[str, Any], error: str | None = None):
    return (
        render_template(
            "locations/form.html",
            location=location,
            values=values,
            error=error,
            categories=operations.all_categories(db.session),
            show_private=allowed(acting_user(), "locations.view_private"),
            form=CsrfForm(),
        ),
        400 if error else 200,
    )


def _values_of(location: Location) -> dict[str, Any]:
    feature = operations.location_feature(db.session, location, acting_user())
    values = dict(feature["properties"])
    values["lon"], values["lat"] = feature["geometry"]["coordinates"]
    values["outline"] = json.dumps(values["outline"]) if values["outline"] else ""
    values["tags"] = ", ".join(values["tags"])
    return values


@bp.route("/new", methods=["GET", "POST"])
def create_page():
    user = authorize("locations.create")
    if request.method == "GET":
        return _render_form(None, {})
    try:
        # A savepoint, not a full rollback: only what this attempt touched is undone and
        # expired, so the signed-in user and the page can still be read afterwards.
        with db.session.begin_nested():
            values, coordinates = _form_values(
                request.form, allowed(user, "locations.view_private")
            )
            fields = parse(NewLocationFields, values)
            location = operations.create_location(db.session, fields, coordinates, user)
    except ApiError as exc:
        return _render_form(None, _resubmitted(), exc.detail)
    flash(_("Location saved."), "success")
    return redirect(url_for("locations.detail_page", location_id=location.id))


@bp.route("/<int:location_id>/edit", methods=["GET", "POST"])
def edit_page(location_id: int):
    user = authorize("locations.edit")
    location = visible_location(location_id)
    if request.method == "GET":
        return _render_form(location, _values_of(location))
    try:
        with db.session.begin_nested():
            values, coordinates = _form_values(
                request.form, allowed(user, "locations.view_private")
            )
            fields = parse(LocationPatchFields, values)
            operations.update_location(
                db.session, location, fields, coordinates, user, fields.version
            )
    except ApiError as exc:
        return _render_form(location, _resubmitted(), exc.detail)
    flash(_("Location saved."), "success")
    return redirect(url_for("locations.detail_page", location_id=location.id))


@bp.post("/<int:location_id>/status")
def status_action(location_id: int):
    user = authorize("locations.publish")
    try:
        status = LocationStatus(request.form.get("status", ""))
    except ValueError:
        abort(400)
    location = operations.get_location(db.session, location_id)
    operations.set_status(db.session, location, status, user)
    flash(_("Status changed."), "success")
    return redirect(url_for("locations.detail_page", location_id=location.id))


@bp.post("/<int:location_id>/delete")
def delete_action(location_id: int):
    user = authorize("locations.delete")
    upload_root = current_app.config["UPLOAD_FOLDER"]
    outcome = operations.delete_location(db.session, location_id, user, upload_root)
    if outcome == "archived":
        flash(_("The location has shoots: it was archived instead of deleted."), "success")
        return redirect(url_for("locations.detail_page", location_id=location_id))
    flash(_("Location deleted."), "success")
    return redirect(url_for("locations.search_page"))


# ---- photos ----------------------------------------------------------------------------------


@bp.post("/<int:location_id>/photos")
def upload_photo_action(location_id: int):
    user = authorize("locations.edit")
    location = visible_location(location_id)
    try:
        with db.session.begin_nested():
            store_upload(location, user)
    except ApiError as exc:
        flash(exc.detail, "error")
        return redirect(url_for("locations.detail_page", location_id=location_id))
    flash(_("Photo added."), "success")
    return redirect(url_for("locations.detail_page", location_id=location_id))


@bp.post("/<int:location_id>/photos/<int:photo_id>/<action>")
def photo_action(location_id: int, photo_id: int, action: str):
    authorize("locations.edit")
    location = visible_location(location_id)
    photo = photos.get_photo(db.session, location, photo_id)
    if action == "cover":
        photos.make_cover(db.session, location, photo)
    elif action in ("earlier", "later"):
        step = -1 if action == "earlier" else 1
        photos.move_photo(db.session, location, photo, max(0, photo.position + step))
    elif action == "delete":
        photos.delete_photo(db.session, location, photo, current_app.config["UPLOAD_FOLDER"])
    else:
        abort(404)
    return redirect(url_for("locations.detail_page", location_id=location_id))


@bp.get("/<int:location_id>/photos/<int:photo_id>/<any(full, thumb):variant>")
def photo_file(location_id: int, photo_id: int, variant: str):
    location = visible_location(location_id)
    photo = photos.get_photo(db.session, location, photo_id)
    name = photo.stored_name if variant == "full" else photo.thumbnail_name
    folder = photos.photo_folder(current_app.config["UPLOAD_FOLDER"], location.id)
    return send_from_directory(folder, name, max_age=3600)
