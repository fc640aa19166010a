"""HTML pages: productions, the shoot form, schedules with a month calendar, blackouts."""

from __future__ import annotations

import calendar as monthcal
import json
from datetime import date, datetime, timedelta
from typing import Any

from flask import Blueprint, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from shapely.geometry import mapping

from core.auth.models import Role, User
from core.auth.policy import (
    ProductionView,
    acting_user,
    allowed,
    authorize,
    production_label,
    production_view,
)
from core.communes.models import Commune
from core.communes.names import commune_named
from core.communes.operations import active_communes
from core.config import BRUSSELS, in_brussels
from core.dates import period
from core.db import db
from core.errors import ApiError, Conflict, NotFound
from core.forms import ActionForm, GeoJSONField, explained
from core.geo import parse_bbox, to_wgs84
from core.mapping.builder import feature_collection
from core.mapping.drawing import DRAWING_STYLES
from core.mapping.safety import script_json
from core.validation import EARLIEST_DATE, LATEST_DATE, parse
from locations.models import Location
from locations.operations import search_points
from locations.schemas import LocationSearch
from shoots.forms import (
    WEEKDAYS,
    BlackoutForm,
    CancelForm,
    CopiesForm,
    OverrideForm,
    ProductionForm,
    SeriesForm,
    ShootForm,
)
from shoots.map_layers import (
    BLACKOUT_STYLE,
    NEIGHBOUR_STYLE,
    SHOOT_POPUP,
    Overlay,
    clashing_shoots,
    period_blackouts,
    period_shoots,
    shoot_severity,
    worst_severity,
)
from shoots.maps import PLACE_BOX, DrawingMap, blackout_map, drawing_map, footprints_map
from shoots.models import FeedScope, Production, Shoot, ShootSeries
from shoots.operations import blackouts as blackout_ops
from shoots.operations import calendars, productions, report
from shoots.operations import series as series_ops
from shoots.operations import shoots as shoot_ops
from shoots.operations.findings import finding_json
from shoots.operations.inputs import parse_period
from shoots.schemas import (
    BlackoutIn,
    CheckIn,
    CopiesIn,
    ProductionIn,
    ProductionPatch,
    SeriesIn,
    SeriesPatch,
    ShootIn,
    ShootPatch,
    SurroundingsQuery,
)
from shoots.serialize import blackout_json, report_json

bp = Blueprint("shoots", __name__, static_folder="static", static_url_path="/static/shoots")


# Views run each write in a savepoint: a refused write is undone there, while the page shown
# next keeps the request's transaction and the objects it already loaded (the signed-in user).


# ---- productions -----------------------------------------------------------------------------


@bp.get("/productions")
def production_list():
    user = authorize("productions.read")
    found = productions.productions_for(db.session, user)  # type: ignore[arg-type]
    return render_template("shoots/productions.html", productions=found)


@bp.route("/productions/new", methods=["GET", "POST"])
def production_new():
    return _production_form(None)


@bp.route("/productions/<int:production_id>/edit", methods=["GET", "POST"])
def production_edit(production_id: int):
    return _production_form(productions.get_production(db.session, production_id))


def _production_form(production: Production | None):
    """Create (PRODUCTION None: admins, coordinators) or edit (its coordinators, admins)."""
    if production is None:
        user = authorize("productions.create")
    else:
        user = authorize("productions.edit", production)
    form = ProductionForm(obj=production)
    if request.method == "GET" and production is not None:
        form.coordinators.data = ", ".join(u.email for u in production.coordinators)
    status = 400 if form.is_submitted() else 200
    if form.validate_on_submit():
        try:
            values = form.values()
            with db.session.begin_nested():
                if production is None:
                    data = parse(ProductionIn, values)
                    production = productions.create_production(db.session, user, data)  # type: ignore[arg-type]
                else:
                    productions.update_production(
                        db.session, production, parse(ProductionPatch, values)
                    )
            return redirect(url_for("shoots.production_page", production_id=production.id))
        except ApiError as exc:
            status = form.refuse(exc)
    return render_template("shoots/production_form.html", form=form, production=production), status


@bp.get("/productions/<int:production_id>")
def production_page(production_id: int):
    authorize("productions.read")
    production = productions.get_production(db.session, production_id)
    authorize("productions.view", production, hide=True)  # another production's file: 404
    return _production_schedule(production)


def _production_schedule(production: Production, override_form: OverrideForm | None = None):
    query = shoot_ops.shoots_query(production_id=production.id)
    override_form = override_form or OverrideForm(formdata=None)
    return _schedule(production.title, query, production=production, override_form=override_form)


# ---- schedules (production, location, commune) -----------------------------------------------


def _month(shoots: list[Shoot]) -> date:
    """The month asked for, else the first shoot's, else this one; kept inside the date window
    so that its neighbours (the ← and → links) exist even for a shoot stored in year 9999."""
    raw = request.args.get("month", "")
    try:
        month = datetime.strptime(raw, "%Y-%m").date()
    except ValueError:
        first = min((s.period.lower for s in shoots), default=None)
        month = (first or datetime.now(BRUSSELS)).date()
    earliest, latest = EARLIEST_DATE.date(), LATEST_DATE.date() - timedelta(days=1)
    return min(max(month, earliest), latest).replace(day=1)


def month_grid(month: date, shoots: list[Shoot]) -> list[list[dict[str, Any]]]:
    """Weeks (Monday first) of MONTH, each day with the shoots happening on it (Brussels days)."""
    weeks = monthcal.Calendar().monthdatescalendar(month.year, month.month)
    by_day: dict[date, list[Shoot]] = {}
    for shoot in shoots:
        # Only the grid's days: a period stored across centuries costs nothing and cannot
        # step past year 9999.
        day = max(in_brussels(shoot.period.lower).date(), weeks[0][0])
        last = min(in_brussels(shoot.period.upper).date(), weeks[-1][-1])
        while day <= last:
            by_day.setdefault(day, []).append(shoot)
            day += timedelta(days=1)
    return [
        [{"date": d, "in_month": d.month == month.month, "shoots": by_day.get(d, [])} for d in week]
        for week in weeks
    ]


def _schedule(title: str, query, **context: Any):
    viewer = acting_user()
    rows = db.session.execute(query).all()
    shoots = [row[0] for row in rows]
    # Other productions' shoots are occupancy: no title unless listed, no crew, notes or edits.
    labels = {s.id: production_label(viewer, s.production) for s in shoots}
    full_view = {s.id: production_view(viewer, s.production) is ProductionView.FULL for s in shoots}
    findings = {
        s.id: [
            finding_json(db.session, viewer, f, full_view[s.id])
            for f in shoot_ops.findings_for(db.session, s).items
        ]
        for s in shoots
    }
    features = [
        {
            "type": "Feature",
            "geometry": json.loads(footprint),
            "properties": {
                "title": f"#{s.id} {labels[s.id]}",
                "when": period(s.period.lower, s.period.upper),
                "severity": worst_severity(findings[s.id]),
            },
        }
        for s, footprint, _parking in rows
    ]
    month = _month(shoots)
    next_month = (month + timedelta(days=32)).replace(day=1)
    return render_template(
        "shoots/schedule.html",
        title=title,
        shoots=shoots,
        findings=findings,
        labels=labels,
        full_view=full_view,
        weeks=month_grid(month, shoots),
        month=month,
        previous_month=(month - timedelta(days=1)).replace(day=1),
        next_month=next_month,
        map_html=footprints_map(features) if features else None,
        **{"override_form": OverrideForm(formdata=None), **context},
    )


@bp.get("/schedule/locations/<int:location_id>")
def location_schedule(location_id: int):
    authorize("shoots.read")
    location = db.session.get(Location, location_id)
    if location is None:
        raise NotFound(f"No location {location_id}.")
    authorize("locations.view", location, hide=True)  # a draft: the library's editors only
    return _schedule(location.name, shoot_ops.shoots_query(location_id=location_id))


@bp.get("/schedule/communes")
def commune_schedule():
    user = authorize("conflicts.report")
    default = user.commune_nis if user and user.role is Role.OFFICER else "92094"  # type: ignore[union-attr]
    nis = request.args.get("commune") or default
    commune = db.session.get(Commune, nis)
    if commune is None:
        raise NotFound(f"No commune {nis}.")
    query = shoot_ops.shoots_query(commune=nis)
    starts = datetime.combine(_month([]), datetime.min.time(), BRUSSELS)
    ends = datetime.combine(
        (starts + timedelta(days=32)).replace(day=1), datetime.min.time(), BRUSSELS
    )
    pairs = report_json(db.session, user, report.conflict_report(db.session, starts, ends, nis))
    return _schedule(
        commune.name(), query, commune=commune, pairs=pairs, communes=active_communes(db.session)
    )


# ---- shoots ----------------------------------------------------------------------------------


def _findings_named(findings: list[dict[str, Any]] | None, report: list | None) -> list[dict]:
    """Every finding of a refusal or a check: a shoot's, or each day's of a series."""
    days = report or []
    return [*(findings or []), *(f for day in days for f in day["conflicts"] + day["warnings"])]


def _shoot_form_page(
    form: ShootForm | SeriesForm,
    production: Production,
    status: int,
    *,
    shoot: Shoot | None = None,
    series: ShootSeries | None = None,
    findings: list | None = None,
    report: list | None = None,
):
    """The shoot form (a new shoot, SHOOT edited, or every shoot of SERIES), with what a
    refusal found: FINDINGS (the 409's clashes) or the REPORT of a series' days, the shoots
    they name drawn on the map."""
    viewer = acting_user()
    clashes = clashing_shoots(db.session, viewer, _findings_named(findings, report))
    overlays = []
    if clashes["features"]:
        overlays.append(
            Overlay(str(_("Clashes with the shoot drawn")), clashes, {"weight": 3}, SHOOT_POPUP)
        )
    drawn = drawing_map(form.footprint.drawable(), form.parking.drawable(), overlays)
    return render_template(
        "shoots/shoot_form.html",
        form=form,
        production=production,
        shoot=shoot,
        series=series,
        map=drawn,
        place_box=PLACE_BOX,
        map_config=script_json(_map_config(production, shoot, series, drawn)),
        conflicts=findings or [],
        report=report or [],
    ), status


def _map_config(
    production: Production, shoot: Shoot | None, series: ShootSeries | None, drawn: DrawingMap
) -> dict[str, Any]:
    """What shoots/static/shoot-form.js needs: where to ask, the map's names, the styles and
    words of the layers it draws (data, in the page's language)."""
    if series is not None:
        check = None  # a change of every shoot is checked shoot by shoot when saved
    elif shoot is not None:
        check = url_for("shoots.shoot_check_edit", shoot_id=shoot.id)
    else:
        check = url_for("shoots.shoot_check_new", production_id=production.id)
    return {
        "map": drawn.map_name,
        "drawing": drawn.drawing_name,
        "check": check,
        "surroundings": url_for(
            "shoots.shoot_surroundings",
            production_id=production.id,
            shoot=shoot.id if shoot else None,
        ),
        "locationZoom": LOCATIONS_FROM_ZOOM,
        "styles": {
            "shoots": NEIGHBOUR_STYLE,
            "blackouts": BLACKOUT_STYLE,
            "named": {"weight": 3, "fillOpacity": 0.35},
            "location": DRAWING_STYLES["point"]["color"],
            "preview": {**DRAWING_STYLES["footprint"], "dashArray": "2 6", "fillOpacity": 0.1},
        },
        "texts": {
            "shoots": _("Other shoots of the period"),
            "blackouts": _("Blackout periods"),
            "named": _("Clashes with the shoot drawn"),
            "locations": _("Library locations"),
            "preview": _("Footprint around the location"),
            "production": _("Production"),
            "shoot": _("Shoot"),
            "when": _("When"),
            "part": _("Part"),
            "blackout": _("Blackout"),
            "commune": _("Commune"),
            "useLocation": _("Take this location"),
            "checking": _("Checking…"),
            "truncated": _("Only the first shoots of the period are drawn: zoom in."),
            "failed": _("The check could not be made: it will be made when you save."),
        },
    }


LOCATIONS_FROM_ZOOM = 13  # the library's locations are drawn from a neighbourhood's zoom


def _save_shoot_form(form: ShootForm, production: Production, shoot: Shoot | None):
    user = authorize("productions.edit", production)
    repeat = form.repeat_values() if shoot is None else None
    if repeat is not None:
        return _save_series_form(form, production, user, repeat)
    edit = None
    try:
        with db.session.begin_nested():
            if shoot is None:
                data = parse(ShootIn, {**form.values(), "production_id": production.id})
                shoot, found = shoot_ops.create_shoot(db.session, user, data)
            else:
                patch = parse(ShootPatch, form.patch_values())
                edit = shoot_ops.update_shoot(db.session, user, shoot, patch)
                found = edit.findings
    except ApiError as exc:
        clashes = exc.extra.get("conflicts")
        # The clashes are listed above the form, in words: no need to say it twice.
        status = exc.status if clashes else form.refuse(exc)
        return _shoot_form_page(form, production, status, shoot=shoot, findings=clashes)
    if edit is not None and edit.amendment is not None:
        flash(
            _(
                "The communes have this shoot before them: your change is amendment no. "
                "%(id)s, for them to decide. Until then the approved version stays in force.",
                id=edit.amendment["id"],
            ),
            "success",
        )
        return redirect(edit.amendment["links"]["page"])
    if found.warnings:
        flash(
            _("Saved with %(count)d warning(s): see below.", count=len(found.warnings)), "warning"
        )
    else:
        flash(_("Shoot saved."), "success")
    return redirect(url_for("shoots.production_page", production_id=production.id))


def _refused_series(form: ShootForm | SeriesForm | CopiesForm, exc: ApiError) -> int:
    """A series refused: its days' report is shown above the form; a reason that names a field
    of the form is also said under it."""
    if isinstance(exc, Conflict) and (exc.extra.get("occurrences") or exc.extra.get("shoots")):
        form.form_errors.append(explained(exc))
        return exc.status
    return form.refuse(exc)


def _save_series_form(form: ShootForm, production: Production, user, repeat: dict[str, Any]):
    try:
        with db.session.begin_nested():
            values = {**form.values(), "production_id": production.id, "repeat": repeat}
            series, made = series_ops.create_series(db.session, user, parse(SeriesIn, values))
    except ApiError as exc:
        status = _refused_series(form, exc)
        report = exc.extra.get("occurrences")
        return _shoot_form_page(form, production, status, report=report)
    _flash_made(made)
    return redirect(url_for("shoots.series_page", series_id=series.id))


def _flash_made(made: list[series_ops.Occurrence]) -> None:
    warned = [o for o in made if o.status == "warning"]
    flash(
        _(
            "Series saved: %(count)d shoots, %(warned)d of them with warnings (see below).",
            count=len(made),
            warned=len(warned),
        ),
        "warning" if warned else "success",
    )


@bp.route("/productions/<int:production_id>/shoots/new", methods=["GET", "POST"])
def shoot_new(production_id: int):
    production = productions.get_production(db.session, production_id)
    authorize("productions.edit", production)
    form = ShootForm()
    if form.validate_on_submit():
        return _save_shoot_form(form, production, None)
    return _shoot_form_page(form, production, 400 if form.errors else 200)


@bp.route("/shoots/<int:shoot_id>/edit", methods=["GET", "POST"])
def shoot_edit(shoot_id: int):
    shoot = shoot_ops.get_shoot(db.session, shoot_id)
    authorize("productions.edit", shoot.production)
    form = ShootForm(obj=shoot)
    if request.method == "GET":
        current = shoot_ops.one_shoot_json(db.session, acting_user(), shoot)
        form.footprint.data = GeoJSONField.text_of(current["footprint"])
        form.parking.data = GeoJSONField.text_of(current["parking"])
        form.starts_at.data = shoot.period.lower.astimezone(BRUSSELS).replace(tzinfo=None)
        form.ends_at.data = shoot.period.upper.astimezone(BRUSSELS).replace(tzinfo=None)
    if form.validate_on_submit():
        return _save_shoot_form(form, shoot.production, shoot)
    return _shoot_form_page(form, shoot.production, 400 if form.errors else 200, shoot=shoot)


# ---- the live check of the shoot form (shoots/static/shoot-form.js) -------------------------


@bp.post("/productions/<int:production_id>/shoots/check")
@db.read_only
def shoot_check_new(production_id: int):
    production = productions.get_production(db.session, production_id)
    authorize("productions.edit", production)
    return _check_answer(ShootForm(), production, None)


@bp.post("/shoots/<int:shoot_id>/check")
@db.read_only
def shoot_check_edit(shoot_id: int):
    shoot = shoot_ops.get_shoot(db.session, shoot_id)
    authorize("productions.edit", shoot.production)
    return _check_answer(ShootForm(), shoot.production, shoot)


def _check_answer(form: ShootForm, production: Production, shoot: Shoot | None):
    """The form as it stands, checked as saving it would check it (the API's dry run, or a
    series' for the days it repeats on), nothing stored: the findings as the page would
    list them (HTML), the shoots they name (GeoJSON) and, drawn from a location, the
    footprint around it. Refused input: its reasons, as the form would show them."""
    viewer = acting_user()
    footprint = None
    findings: list[dict[str, Any]] = []
    report: list[dict[str, Any]] = []
    status = 200
    if form.validate_on_submit():
        repeat = form.repeat_values() if shoot is None else None
        try:
            values = {**form.values(), "production_id": production.id}
            if repeat is not None:
                data = parse(SeriesIn, {**values, "repeat": repeat})
                report = series_ops.check_series(db.session, viewer, data)
            else:
                check = parse(CheckIn, {**values, "shoot_id": shoot.id if shoot else None})
                candidate, found = shoot_ops.dry_run(db.session, check)
                findings = [finding_json(db.session, viewer, f) for f in found.items]
                footprint = dict(mapping(to_wgs84(candidate.footprint)))
        except ApiError as exc:
            status = form.refuse(exc)
            report = exc.extra.get("occurrences") or []
    else:
        status = 400
    html = render_template(
        "shoots/_live_check.html", form=form, findings=findings, report=report, checked=status
    )
    named = _findings_named(findings, report)
    # Always a 200: the page asks while people type, and input not ready yet is an answer.
    return jsonify(
        {
            "checked": status == 200,
            "ok": status == 200 and not any(f["severity"] == "conflict" for f in named),
            "html": html,
            "named": clashing_shoots(db.session, viewer, named),
            "footprint": footprint,
        }
    )


@bp.get("/productions/<int:production_id>/shoots/surroundings")
@db.read_only
def shoot_surroundings(production_id: int):
    """What else takes the ground in the map window during the period on the form: the live
    shoots (occupancy unless the viewer reads their production), the blackouts and, zoomed in,
    the library's published locations."""
    production = productions.get_production(db.session, production_id)
    viewer = authorize("productions.edit", production)
    args = parse(SurroundingsQuery, request.args.to_dict())
    starts, ends = parse_period(args.starts_at, args.ends_at, longest=None)
    bbox = parse_bbox(args.bbox)
    shoots, truncated = period_shoots(db.session, viewer, starts, ends, bbox, args.shoot)
    locations = None
    if args.zoom >= LOCATIONS_FROM_ZOOM:
        criteria = LocationSearch(bbox=args.bbox)
        locations = feature_collection(search_points(db.session, criteria, viewer))
    return jsonify(
        {
            "shoots": shoots,
            "truncated": truncated,
            "blackouts": period_blackouts(db.session, starts, ends, bbox),
            "locations": locations,
        }
    )


@bp.post("/shoots/<int:shoot_id>/delete")
def shoot_delete(shoot_id: int):
    shoot = shoot_ops.get_shoot(db.session, shoot_id)
    authorize("productions.edit", shoot.production)
    production_id = shoot.production_id
    if ActionForm().validate_on_submit():
        try:
            with db.session.begin_nested():
                shoot_ops.delete_shoot(db.session, shoot)
        except ApiError as exc:  # e.g. the shoot is in a live permit request
            flash(explained(exc), "error")
        else:
            flash(_("Shoot deleted."), "success")
    return redirect(url_for("shoots.production_page", production_id=production_id))


@bp.post("/shoots/<int:shoot_id>/override")
def shoot_override(shoot_id: int):
    shoot = shoot_ops.get_shoot(db.session, shoot_id)
    user = authorize("productions.edit", shoot.production)
    form = OverrideForm()
    form.shoot_id = shoot.id
    if not form.validate_on_submit():
        return _production_schedule(shoot.production, form), 400
    rule, other, reason = form.rule.data, form.other.data, form.reason.data
    _recorded, refused = form.attempt(
        lambda: shoot_ops.override_warning(db.session, user, shoot, rule, other, reason)  # type: ignore[arg-type]
    )
    if refused is not None:
        return _production_schedule(shoot.production, form), refused
    flash(_("Override recorded."), "success")
    return redirect(url_for("shoots.production_page", production_id=shoot.production_id))


@bp.post("/productions/<int:production_id>/feed")
def production_feed(production_id: int):
    production = productions.get_production(db.session, production_id)
    user = authorize("productions.edit", production)
    if ActionForm().validate_on_submit():
        _feed, token = calendars.create_feed(
            db.session, user, FeedScope.PRODUCTION, str(production.id)
        )  # type: ignore[arg-type]
        url = url_for("shoots_api.private_calendar", token=token, _external=True)
        flash(_("Your private calendar address (shown once): %(url)s", url=url), "success")
    return redirect(url_for("shoots.production_page", production_id=production_id))


# ---- series ----------------------------------------------------------------------------------


def _readable_series(series_id: int) -> ShootSeries:
    authorize("productions.read")
    series = series_ops.get_series(db.session, series_id)
    authorize("productions.view", series.production, hide=True)  # another production's: 404
    return series


def _series_page(series: ShootSeries, status: int = 200, **forms: Any):
    """The series' days with what the engine finds for each now; a refused change of the
    whole series comes back here with what each shoot got (`changes`)."""
    viewer = acting_user()
    days = [
        {
            "shoot": shoot,
            "findings": [
                finding_json(db.session, viewer, f)
                for f in shoot_ops.findings_for(db.session, shoot).items
            ],
        }
        for shoot in series.shoots
    ]
    return render_template(
        "shoots/series.html",
        series=series,
        days=days,
        changes={c["shoot_id"]: c for c in forms.pop("changes", [])},
        cancel_form=forms.pop("cancel_form", None) or CancelForm(formdata=None),
        **forms,
    ), status


@bp.get("/series/<int:series_id>")
def series_page(series_id: int):
    return _series_page(_readable_series(series_id))


@bp.route("/series/<int:series_id>/edit", methods=["GET", "POST"])
def series_edit(series_id: int):
    series = _readable_series(series_id)
    user = authorize("productions.edit", series.production)
    live = series_ops.live_shoots(series)
    first = live[0] if live else series.shoots[0]
    form = SeriesForm(obj=first)
    if request.method == "GET":
        current = shoot_ops.one_shoot_json(db.session, user, first)
        form.footprint.data = GeoJSONField.text_of(current["footprint"])
        form.parking.data = GeoJSONField.text_of(current["parking"])
        form.start_time.data = in_brussels(first.period.lower).strftime("%H:%M")
        form.end_time.data = in_brussels(first.period.upper).strftime("%H:%M")
        form.version.data = str(series.version)
    status = 400 if form.is_submitted() else 200
    if form.validate_on_submit():
        try:
            with db.session.begin_nested():
                patch = parse(SeriesPatch, form.patch_values())
                changes = series_ops.update_series(db.session, user, series, patch)
        except ApiError as exc:
            status = _refused_series(form, exc)
            return _shoot_form_page(
                form,
                series.production,
                status,
                series=series,
                report=_changes_report(exc.extra.get("shoots")),
            )
        _flash_changes(changes)
        return redirect(url_for("shoots.series_page", series_id=series.id))
    return _shoot_form_page(form, series.production, status, series=series)


def _changes_report(changes: list[dict[str, Any]] | None) -> list[dict[str, Any]]:
    """What each shoot of a refused change got, as the form's report of days shows it."""
    return [
        {
            "date": change["date"],
            "status": change["status"],
            "error": change["error"]["detail"] if change["error"] else None,
            "conflicts": change.get("conflicts", []),
            "warnings": change.get("warnings", []),
            "shoot_id": change["shoot_id"],
        }
        for change in changes or []
    ]


def _flash_changes(changes: list[series_ops.Change]) -> None:
    amended = [c for c in changes if c.status == "amendment"]
    flash(
        _(
            "%(count)d shoots changed; %(amended)d changes are amendments for the communes to "
            "decide.",
            count=len(changes) - len(amended),
            amended=len(amended),
        ),
        "success",
    )


@bp.post("/series/<int:series_id>/cancel")
def series_cancel(series_id: int):
    series = _readable_series(series_id)
    user = authorize("productions.edit", series.production)
    form = CancelForm()
    if not form.validate_on_submit():
        return _series_page(series, 400, cancel_form=form)
    patch = SeriesPatch(status="cancelled", reason=form.reason.data or None)
    try:
        with db.session.begin_nested():
            changes = series_ops.update_series(db.session, user, series, patch)
    except ApiError as exc:
        status = _refused_series(form, exc)
        return _series_page(series, status, cancel_form=form, changes=exc.extra.get("shoots"))
    _flash_changes(changes)
    return redirect(url_for("shoots.series_page", series_id=series.id))


@bp.post("/series/<int:series_id>/delete")
def series_delete(series_id: int):
    series = _readable_series(series_id)
    authorize("productions.edit", series.production)
    production_id = series.production_id
    if ActionForm().validate_on_submit():
        try:
            with db.session.begin_nested():
                series_ops.delete_series(db.session, series)
        except ApiError as exc:  # a shoot of it is in a live permit request
            flash(explained(exc), "error")
            return redirect(url_for("shoots.series_page", series_id=series_id))
        flash(_("Series deleted."), "success")
    return redirect(url_for("shoots.production_page", production_id=production_id))


@bp.post("/shoots/<int:shoot_id>/cancel")
def shoot_cancel(shoot_id: int):
    """Cancel one shoot (of a series, or not): an amendment when a commune has it before it."""
    shoot = shoot_ops.get_shoot(db.session, shoot_id)
    user = authorize("productions.edit", shoot.production)
    form = CancelForm()
    back = (
        url_for("shoots.series_page", series_id=shoot.series_id)
        if shoot.series_id
        else url_for("shoots.production_page", production_id=shoot.production_id)
    )
    if form.validate_on_submit():
        patch = ShootPatch(status="cancelled", reason=form.reason.data or None)
        edit, refused = form.attempt(lambda: shoot_ops.update_shoot(db.session, user, shoot, patch))
        if refused is not None:
            flash(" ".join(form.form_errors + form.reason.errors), "error")
        elif edit.amendment is not None:  # type: ignore[union-attr]
            flash(
                _(
                    "The cancellation is amendment no. %(id)s, for the communes to decide.",
                    id=edit.amendment["id"],
                ),
                "success",
            )  # type: ignore[union-attr]
        else:
            flash(_("Shoot cancelled."), "success")
    return redirect(back)


@bp.route("/shoots/<int:shoot_id>/copies", methods=["GET", "POST"])
def shoot_copies(shoot_id: int):
    """Copy a stored shoot to other days: it and its copies make (or join) its series."""
    shoot = shoot_ops.get_shoot(db.session, shoot_id)
    user = authorize("productions.edit", shoot.production)
    form = CopiesForm()
    status, report = (400 if form.is_submitted() else 200), []
    if form.validate_on_submit():
        try:
            with db.session.begin_nested():
                repeat = parse(CopiesIn, {"repeat": form.repeat_values() or {}}).repeat
                series, made = series_ops.copy_shoot(db.session, user, shoot, repeat)
        except ApiError as exc:
            status = _refused_series(form, exc)
            report = exc.extra.get("occurrences") or []
        else:
            _flash_made(made)
            return redirect(url_for("shoots.series_page", series_id=series.id))
    return render_template("shoots/copies.html", form=form, shoot=shoot, report=report), status


# ---- blackouts -------------------------------------------------------------------------------


@bp.route("/blackouts", methods=["GET", "POST"])
def blackout_list():
    user = authorize("blackouts.read")
    form = BlackoutForm()
    if request.method == "GET" and user is not None and user.commune_nis:
        form.commune.data = user.commune_nis
    status = 400 if form.is_submitted() else 200
    commune = None
    if form.validate_on_submit():
        # The commune chosen by name (a picker), or typed: its name or NIS code.
        commune, status = form.attempt(
            lambda: commune_named(db.session, form.commune.data or "", "commune")
        )
        if commune is not None:
            authorize("blackouts.manage", commune.nis)
            _saved, refused = form.attempt(
                lambda: blackout_ops.save_blackout(
                    db.session, user, parse(BlackoutIn, {**form.values(), "commune": commune.nis})
                )
            )
            if refused is None:
                flash(_("Blackout saved."), "success")
                return redirect(url_for("shoots.blackout_list"))
            status = refused
    manages = allowed(user, "blackouts.manage")
    blackouts = [blackout_json(*pair) for pair in blackout_ops.blackouts_with_areas(db.session)]
    nis = commune.nis if commune is not None else (form.commune.data or "")
    return render_template(
        "shoots/blackouts.html",
        blackouts=blackouts,
        commune_names={c.nis: c.name() for c in active_communes(db.session)},
        weekdays=WEEKDAYS,
        form=form if manages else None,
        map_html=blackout_map(db.session, form.area.drawable(), nis) if manages else None,
        place_box=PLACE_BOX,
    ), status


@bp.post("/blackouts/<int:blackout_id>/delete")
def blackout_delete(blackout_id: int):
    blackout = blackout_ops.get_blackout(db.session, blackout_id)
    authorize("blackouts.manage", blackout.commune_nis)
    if ActionForm().validate_on_submit():
        db.session.delete(blackout)
        flash(_("Blackout deleted."), "success")
    return redirect(url_for("shoots.blackout_list"))


# ---- the home page ------------------------------------------------------------------------------


def home_panel(user: User | None) -> dict[str, Any] | None:
    """The home page's planning panel: USER's next shoots, each with its worst open finding
    (a clash, a warning; overridden warnings no longer count), as the shoot's page says it."""
    if user is None:
        return None
    shoots = productions.next_shoots(db.session, user, limit=5)
    return {
        "shoots": [
            {"shoot": shoot, "severity": shoot_severity(db.session, shoot)} for shoot in shoots
        ]
    }
