"""HTML pages: productions, the shoot form, schedules with a month calendar, blackouts."""

from __future__ import annotations

import calendar as monthcal
import json
from datetime import date, datetime, timedelta
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from shapely.geometry import mapping

from core.auth.models import Role
from core.auth.policy import (
    ProductionView,
    acting_user,
    allowed,
    authorize,
    production_label,
    production_view,
)
from core.communes.models import Commune
from core.communes.operations import active_communes
from core.config import BRUSSELS, in_brussels
from core.db import db
from core.errors import ApiError, NotFound
from core.forms import ActionForm, GeoJSONField, explained
from core.geo import to_wgs84
from core.validation import EARLIEST_DATE, LATEST_DATE, parse
from locations.models import Location
from shoots.forms import BlackoutForm, OverrideForm, ProductionForm, ShootForm
from shoots.map_layers import worst_severity
from shoots.maps import drawing_map, footprints_map
from shoots.models import FeedScope, Production, Shoot
from shoots.operations import blackouts as blackout_ops
from shoots.operations import calendars, productions, report
from shoots.operations import shoots as shoot_ops
from shoots.operations.findings import finding_json
from shoots.operations.inputs import parse_area
from shoots.schemas import BlackoutIn, ProductionIn, ProductionPatch, ShootIn, ShootPatch
from shoots.serialize import blackout_json, report_json

bp = Blueprint("shoots", __name__, static_folder="static", static_url_path="/static/shoots")


@bp.app_template_filter("brussels")
def brussels_time(moment: datetime) -> str:
    return in_brussels(moment).strftime("%d/%m/%Y %H:%M")


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
                "when": f"{brussels_time(s.period.lower)} → {brussels_time(s.period.upper)}",
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
        commune.name_fr, query, commune=commune, pairs=pairs, communes=active_communes(db.session)
    )


# ---- shoots ----------------------------------------------------------------------------------


def _footprint_field(form: ShootForm) -> dict[str, Any] | None:
    """The typed footprint to draw again on the form's map, if it is a valid one: a malformed
    one (nested 5,000 deep, coordinates as text, NaN) is named by the error, not drawn."""
    try:
        shape = to_wgs84(parse_area("footprint", form.footprint.data or ""))
    except ApiError:
        return None
    return dict(mapping(shape))


def _shoot_form_page(
    form: ShootForm,
    production: Production,
    shoot: Shoot | None,
    status: int,
    findings: list | None = None,
):
    map_html, map_name = drawing_map(_footprint_field(form))
    return render_template(
        "shoots/shoot_form.html",
        form=form,
        production=production,
        shoot=shoot,
        map_html=map_html,
        map_name=map_name,
        conflicts=findings or [],
    ), status


def _save_shoot_form(form: ShootForm, production: Production, shoot: Shoot | None):
    user = authorize("productions.edit", production)
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
        return _shoot_form_page(form, production, shoot, status, clashes)
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


@bp.route("/productions/<int:production_id>/shoots/new", methods=["GET", "POST"])
def shoot_new(production_id: int):
    production = productions.get_production(db.session, production_id)
    authorize("productions.edit", production)
    form = ShootForm()
    if form.validate_on_submit():
        return _save_shoot_form(form, production, None)
    return _shoot_form_page(form, production, None, 400 if form.errors else 200)


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
    return _shoot_form_page(form, shoot.production, shoot, 400 if form.errors else 200)


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


# ---- blackouts -------------------------------------------------------------------------------


@bp.route("/blackouts", methods=["GET", "POST"])
def blackout_list():
    user = authorize("blackouts.read")
    form = BlackoutForm()
    if request.method == "GET" and user is not None and user.commune_nis:
        form.commune.data = user.commune_nis
    status = 400 if form.is_submitted() else 200
    if form.validate_on_submit():
        authorize("blackouts.manage", form.commune.data)
        _saved, refused = form.attempt(
            lambda: blackout_ops.save_blackout(db.session, user, parse(BlackoutIn, form.values()))
        )
        if refused is None:
            flash(_("Blackout saved."), "success")
            return redirect(url_for("shoots.blackout_list"))
        status = refused
    blackouts = [blackout_json(*pair) for pair in blackout_ops.blackouts_with_areas(db.session)]
    return render_template(
        "shoots/blackouts.html",
        blackouts=blackouts,
        form=form if allowed(user, "blackouts.manage") else None,
    ), status


@bp.post("/blackouts/<int:blackout_id>/delete")
def blackout_delete(blackout_id: int):
    blackout = blackout_ops.get_blackout(db.session, blackout_id)
    authorize("blackouts.manage", blackout.commune_nis)
    if ActionForm().validate_on_submit():
        db.session.delete(blackout)
        flash(_("Blackout deleted."), "success")
    return redirect(url_for("shoots.blackout_list"))
