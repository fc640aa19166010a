"""HTML pages of the location library: search, detail, forms, photos. Thin: the work is in
operations and photos."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, urlencode

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_from_directory,
    session,
    url_for,
)
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict

from core.auth.models import User
from core.auth.policy import acting_user, allowed, authorize
from core.communes.operations import active_provinces
from core.db import db
from core.errors import ApiError
from core.forms import described
from core.geo import parse_lon_lat
from core.validation import parse
from locations import import_staging, importing, operations, photos
from locations.api import store_upload, visible_location
from locations.forms import (
    SEARCH_LABELS,
    STATUS_ACTIONS,
    STATUS_LABELS,
    CategoryForm,
    ConfirmImportForm,
    ImportForm,
    LocationForm,
    PhotoForm,
    StatusForm,
)
from locations.maps import ENTRY_PLACE_BOX, detail_map, entry_map, search_map
from locations.models import Location, LocationStatus
from locations.schemas import (
    CategoryIn,
    CategoryPatch,
    LocationPatchFields,
    LocationSearch,
    NewLocationFields,
)

bp = Blueprint("locations", __name__, url_prefix="/locations")


@bp.context_processor
def labels() -> dict[str, Any]:
    locale = str(get_locale() or "fr")
    return {
        "category_labels": {c.code: c.label(locale) for c in operations.all_categories(db.session)},
        "status_labels": STATUS_LABELS,
        "status_actions": STATUS_ACTIONS,
    }


RECENT_SEARCHES = 5  # kept in the browser's session, for the home page
NOT_A_FILTER = ("offset", "limit", "lang")


def _remember_search() -> None:
    """This page's filters, first among the session's recent searches (none: nothing kept)."""
    filters = [(k, v) for k, v in request.args.items(multi=True) if v and k not in NOT_A_FILTER]
    if not filters:
        return
    query = urlencode(filters)[:500]
    recent = [q for q in session.get("recent_searches", []) if q != query]
    session["recent_searches"] = [query, *recent][:RECENT_SEARCHES]


def recent_searches() -> list[dict[str, str]]:
    """The session's recent searches: their link and their filters' values as a label."""
    return [
        {
            "url": f"{url_for('locations.search_page')}?{query}",
            "label": " · ".join(value for _name, value in parse_qsl(query)),
        }
        for query in session.get("recent_searches", [])
    ]


def home_panel(user: User | None) -> dict[str, Any]:
    """The home page's library panel: recent searches and the newest locations USER sees."""
    return {
        "searches": recent_searches(),
        "newest": [
            {**row, "status_label": STATUS_LABELS[row["status"].value]}
            for row in operations.newest_locations(db.session, user, limit=5)
        ],
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
        _remember_search()
    except ApiError as exc:
        error = described(exc, SEARCH_LABELS)
        criteria, result = LocationSearch(), operations.SearchResult([], 0)
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
            provinces=active_provinces(db.session),
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
    return _detail_page(visible_location(location_id))


def _detail_page(
    location: Location,
    status: int = 200,
    *,
    photo_form: PhotoForm | None = None,
    status_form: StatusForm | None = None,
):
    """The location's page; a refused photo or status change comes back to it, with its form."""
    user = acting_user()
    feature = operations.location_feature(db.session, location, user)
    nearby = operations.nearby_locations(db.session, location)
    page = render_template(
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
        photo_form=photo_form or PhotoForm(formdata=None),
        status_form=status_form or StatusForm(formdata=None),
    )
    return page, status


# ---- create and edit -------------------------------------------------------------------------


def _location_form(location: Location | None) -> LocationForm:
    """The form as sent, or (first visit) empty or holding the stored LOCATION."""
    user = acting_user()
    stored = None
    if location is not None and request.method == "GET":
        stored = LocationForm.data_of(operations.location_feature(db.session, location, user))
    form = LocationForm(data=stored)
    locale = str(get_locale() or "fr")
    show_private = allowed(user, "locations.view_private")
    form.offer(operations.all_categories(db.session), locale, show_private)
    return form


def _form_page(form: LocationForm, location: Location | None, status: int = 200):
    map_html = entry_map(form.drawable_point(), form.outline.drawable())
    return render_template(
        "locations/form.html",
        form=form,
        location=location,
        map_html=map_html,
        place_box=ENTRY_PLACE_BOX,
    ), status


def _save(form: LocationForm, location: Location | None, user: User | None):
    """Create or change the location through the operations the API calls; a refusal is shown
    next to its field with everything typed kept."""
    try:
        # A savepoint, not a full rollback: only what this attempt touched is undone and
        # expired, so the signed-in user and the page can still be read afterwards.
        with db.session.begin_nested():
            values = form.values()
            coordinates = parse_lon_lat(form.lon.data, form.lat.data)
            if location is None:
                fields = parse(NewLocationFields, values)
                location = operations.create_location(db.session, fields, coordinates, user)
            else:
                patch = parse(LocationPatchFields, values)
                operations.update_location(
                    db.session, location, patch, coordinates, user, patch.version
                )
    except ApiError as exc:
        return _form_page(form, location, form.refuse(exc))
    flash(_("Location saved."), "success")
    return redirect(url_for("locations.detail_page", location_id=location.id))


@bp.route("/new", methods=["GET", "POST"])
def create_page():
    user = authorize("locations.create")
    form = _location_form(None)
    if form.validate_on_submit():
        return _save(form, None, user)
    return _form_page(form, None, 400 if form.errors else 200)


@bp.route("/<int:location_id>/edit", methods=["GET", "POST"])
def edit_page(location_id: int):
    user = authorize("locations.edit")
    location = visible_location(location_id)
    form = _location_form(location)
    if form.validate_on_submit():
        return _save(form, location, user)
    return _form_page(form, location, 400 if form.errors else 200)


@bp.post("/<int:location_id>/status")
def status_action(location_id: int):
    user = authorize("locations.publish")
    location = operations.get_location(db.session, location_id)
    form = StatusForm()
    if not form.validate_on_submit():
        return _detail_page(location, 400, status_form=form)
    operations.set_status(db.session, location, LocationStatus(form.status.data), user)  # type: ignore[arg-type]
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
    form = PhotoForm()
    if not form.validate_on_submit():
        return _detail_page(location, 400, photo_form=form)
    caption = form.caption.data or ""
    _stored, refused = form.attempt(lambda: store_upload(location, user, form.file.data, caption))
    if refused is not None:
        return _detail_page(location, refused, photo_form=form)
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


# ---- import: upload, the dry run's report, confirm -------------------------------------------


@bp.route("/import", methods=["GET", "POST"])
def import_page():
    """Step one: a file checked by a dry run, its report, and (every row accepted) the button
    that imports it. Step two (import_confirm) imports the same file, kept meanwhile."""
    user = authorize("locations.import")
    form = ImportForm()
    if not form.validate_on_submit():
        return _import_page(form, None, None, 400 if form.is_submitted() else 200)
    if form.status.data == "published":
        authorize("locations.publish")
    upload = form.file.data
    content = upload.read()
    report, refused = form.attempt(
        lambda: _import(content, upload.filename, form.crs.data, user, dry_run=True)
    )
    if refused is not None:
        return _import_page(form, None, None, refused)
    confirm = None
    if not report.rejected:
        confirm = ConfirmImportForm(
            formdata=None,
            token=import_staging.stage(user, content),
            filename=upload.filename or "",
            crs=form.crs.data,
            status=form.status.data,
        )
    return _import_page(form, report, confirm, 200)


@bp.post("/import/confirm")
def import_confirm():
    user = authorize("locations.import")
    confirm = ConfirmImportForm()
    form = ImportForm(formdata=None)
    if not confirm.validate_on_submit():
        return _import_page(form, None, None, 400)
    if confirm.status.data == "published":
        authorize("locations.publish")
    content = import_staging.staged(user, confirm.token.data)
    if content is None:
        form.form_errors.append(_("This file is no longer kept (an hour at most): send it again."))
        return _import_page(form, None, None, 400)
    name, crs, status = confirm.filename.data, confirm.crs.data, confirm.status.data
    # Checked again: the library may have changed since the dry run (a reference taken).
    report, refused = confirm.attempt(lambda: _import(content, name, crs, user, dry_run=True))
    if refused is None and not report.rejected:
        report, refused = confirm.attempt(
            lambda: _import(content, name, crs, user, dry_run=False, status=status)
        )
    if refused is not None or report.rejected:
        form.form_errors += confirm.form_errors
        return _import_page(form, report, None, refused or 400)
    import_staging.discard(user, confirm.token.data)
    count = len(report.candidates)
    if status == "draft":
        message = ngettext(
            "%(num)d location imported as a draft.", "%(num)d locations imported as drafts.", count
        )
    else:
        message = ngettext(
            "%(num)d location imported and published.",
            "%(num)d locations imported and published.",
            count,
        )
    flash(message, "success")
    return redirect(url_for("locations.search_page", status=status))


def _import(
    content: bytes,
    filename: str | None,
    crs: str,
    user: User,
    *,
    dry_run: bool,
    status: str = "draft",
) -> importing.ImportReport:
    """The file as the API's import reads it (format from its name or content)."""
    return importing.import_locations(
        db.session, content, file_format=importing.detect_format(filename, content),
        crs=importing.parse_crs(crs), user=user, dry_run=dry_run, status=LocationStatus(status),
    )  # fmt: skip


def _import_page(form: ImportForm, report, confirm: ConfirmImportForm | None, status: int):
    if not allowed(acting_user(), "locations.publish"):
        form.status.choices = [c for c in form.status.choices if c.value == "draft"]
    return render_template(
        "locations/import.html", form=form, report=report, confirm=confirm
    ), status


# ---- categories (administrators) -------------------------------------------------------------


@bp.route("/categories", methods=["GET", "POST"])
def categories_page():
    """The managed categories, each editable in its row, and a form for a new one."""
    authorize("locations.manage_categories")
    new = CategoryForm(prefix="new")
    if not new.validate_on_submit():
        return _categories_page(new, None, 400 if new.is_submitted() else 200)
    created, refused = new.attempt(
        lambda: operations.create_category(
            db.session, parse(CategoryIn, new.values(with_code=True)).model_dump()
        )
    )
    if refused is not None:
        return _categories_page(new, None, refused)
    flash(_("Category “%(name)s” added.", name=created.label(str(get_locale()))), "success")
    return redirect(url_for("locations.categories_page"))


@bp.post("/categories/<code>")
def category_edit(code: str):
    authorize("locations.manage_categories")
    edited = CategoryForm(prefix=f"edit-{code}")
    if not edited.validate_on_submit():
        return _categories_page(CategoryForm(prefix="new", formdata=None), (code, edited), 400)
    changed, refused = edited.attempt(
        lambda: operations.update_category(
            db.session, code, parse(CategoryPatch, edited.values(with_code=False)).model_dump()
        )
    )
    if refused is not None:
        return _categories_page(CategoryForm(prefix="new", formdata=None), (code, edited), refused)
    flash(_("Category “%(name)s” saved.", name=changed.label(str(get_locale()))), "success")
    return redirect(url_for("locations.categories_page"))


def _categories_page(new: CategoryForm, edited: tuple[str, CategoryForm] | None, status: int):
    """The page: a form per category (the one just refused keeps what was typed), then NEW."""
    rows = []
    for category in operations.all_categories(db.session):
        if edited is not None and edited[0] == category.code:
            rows.append((category, edited[1]))
        else:
            rows.append(
                (
                    category,
                    CategoryForm(prefix=f"edit-{category.code}", obj=category, formdata=None),
                )
            )
    return render_template("locations/categories.html", rows=rows, new=new), status
