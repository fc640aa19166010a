"""JSON API of productions, shoots, conflicts, blackouts and calendars (thin controllers)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Blueprint, Response, jsonify, url_for
from flask_babel import gettext as _

from core.auth.policy import ProductionView, acting_user, allowed, authorize, production_view
from core.caching import conditional
from core.communes.models import Commune
from core.db import db
from core.errors import NotFound
from core.geo import parse_bbox
from core.paging import page_links
from core.validation import GEOJSON, Access, Answer, parse_database_id, validated
from locations.models import Location
from shoots.models import FeedScope, Production
from shoots.operations import blackouts as blackout_ops
from shoots.operations import calendars, conflicts, holds, productions, report
from shoots.operations import series as series_ops
from shoots.operations import shoots as shoot_ops
from shoots.operations.findings import findings_json
from shoots.schemas import (
    AmendedShoot,
    BlackoutIn,
    BlackoutList,
    BlackoutOut,
    CheckIn,
    CheckResult,
    CommuneSettingsIn,
    CommuneSettingsOut,
    ConflictReport,
    CopiesIn,
    FeedCreated,
    FeedIn,
    FeedList,
    OverrideIn,
    ProductionIn,
    ProductionList,
    ProductionOut,
    ProductionPatch,
    ReportQuery,
    SeriesChanged,
    SeriesCheck,
    SeriesCreated,
    SeriesIn,
    SeriesOut,
    SeriesPatch,
    ShootIn,
    ShootOut,
    ShootPage,
    ShootPatch,
    ShootQuery,
)
from shoots.serialize import blackout_json, feed_json, production_json, report_json

bp = Blueprint("shoots_api", __name__, url_prefix="/api/v1")
CALENDAR = "text/calendar"


# ---- productions -----------------------------------------------------------------------------


@bp.post("/productions")
@validated(body=ProductionIn, response=ProductionOut, summary="Create a production")
def create_production(body: ProductionIn):
    user = authorize("productions.create")
    production = productions.create_production(db.session, user, body)
    return jsonify(production_json(production)), 201


@bp.get("/productions")
@validated(
    response=ProductionList, summary="Productions the user may see (a coordinator: their own)"
)
def list_productions():
    user = authorize("productions.read")
    found = productions.productions_for(db.session, user)
    return jsonify({"productions": [production_json(p) for p in found]})


@bp.get("/productions/<int:production_id>")
@validated(response=ProductionOut, summary="One production")
def get_production(production_id: int):
    authorize("productions.read")
    production = productions.get_production(db.session, production_id)
    authorize("productions.view", production, hide=True)  # another production's file: 404
    return jsonify(production_json(production))


@bp.patch("/productions/<int:production_id>")
@validated(
    body=ProductionPatch,
    response=ProductionOut,
    errors=(409,),
    summary="Edit a production (its coordinators, admins)",
)
def patch_production(production_id: int, body: ProductionPatch):
    production = productions.get_production(db.session, production_id)
    authorize("productions.edit", production)
    productions.update_production(db.session, production, body)
    return jsonify(production_json(production))


@bp.delete("/productions/<int:production_id>")
@validated(
    answers=(Answer(204),),
    errors=(409,),
    summary="Delete a production without shoots (409 otherwise: cancel it instead)",
)
def delete_production(production_id: int):
    production = productions.get_production(db.session, production_id)
    authorize("productions.edit", production)
    productions.delete_production(db.session, production)
    return "", 204


# ---- shoots ----------------------------------------------------------------------------------


def _shoot_response(shoot, findings: conflicts.Findings, status: int = 200):
    viewer = acting_user()
    body = shoot_ops.one_shoot_json(db.session, viewer, shoot)
    own = production_view(viewer, shoot.production) is ProductionView.FULL
    body.update(findings_json(db.session, viewer, findings, own))
    return jsonify(body), status


@bp.post("/shoots")
@validated(
    body=ShootIn,
    response=ShootOut,
    errors=(409,),
    summary="Schedule a shoot: 409 on a hard conflict, warnings returned",
)
def create_shoot(body: ShootIn):
    authorize("conflicts.check")
    production = shoot_ops.known_production(db.session, body.production_id)
    user = authorize("productions.edit", production)
    shoot, findings = shoot_ops.create_shoot(db.session, user, body)
    response = _shoot_response(shoot, findings, 201)
    response[0].headers["Location"] = url_for("shoots_api.get_shoot", shoot_id=shoot.id)
    return response


@bp.get("/shoots")
@validated(
    query=ShootQuery,
    response=ShootPage,
    summary="Shoots filtered by period, bbox, production, commune (GeoJSON, paged)",
)
def list_shoots(query: ShootQuery):
    viewer = authorize("shoots.read")
    starts, ends = shoot_ops.period_filter(query.from_, query.to)
    bbox = parse_bbox(query.bbox) if query.bbox else None
    select = shoot_ops.shoots_query(
        starts=starts, ends=ends, bbox=bbox, production_id=query.production, commune=query.commune
    )
    page = shoot_ops.shoot_page(db.session, select, viewer, limit=query.limit, offset=query.offset)
    body = {
        "type": "FeatureCollection",
        "numberMatched": page.matched,
        "numberReturned": len(page.features),
        "features": page.features,
        "links": page_links(query.offset, query.limit, page.matched),
    }
    return jsonify(body), 200, {"Content-Type": GEOJSON}


@bp.get("/shoots/<int:shoot_id>")
@validated(response=ShootOut, summary="One shoot with its current conflicts and warnings")
def get_shoot(shoot_id: int):
    authorize("shoots.read")
    shoot = shoot_ops.get_shoot(db.session, shoot_id)
    return _shoot_response(shoot, shoot_ops.findings_for(db.session, shoot))


@bp.patch("/shoots/<int:shoot_id>")
@validated(
    body=ShootPatch,
    response=ShootOut,
    answers=(Answer(202, AmendedShoot),),
    errors=(409,),
    summary="Edit a shoot (checked again; send `version`). A shoot a commune has before it "
    "(a submitted or decided permit request) stays as it is: 202, the edit is an amendment",
)
def patch_shoot(shoot_id: int, body: ShootPatch):
    shoot = shoot_ops.get_shoot(db.session, shoot_id)
    user = authorize("productions.edit", shoot.production)
    edit = shoot_ops.update_shoot(db.session, user, shoot, body)
    if edit.amendment is None:
        return _shoot_response(shoot, edit.findings)
    response, _status = _shoot_response(shoot, edit.findings, 202)
    body = {**response.get_json(), "amendment": edit.amendment}
    return jsonify(body), 202


@bp.delete("/shoots/<int:shoot_id>")
@validated(answers=(Answer(204),), errors=(409,), summary="Delete a shoot")
def delete_shoot(shoot_id: int):
    shoot = shoot_ops.get_shoot(db.session, shoot_id)
    authorize("productions.edit", shoot.production)
    shoot_ops.delete_shoot(db.session, shoot)
    return "", 204


@bp.post("/shoots/<int:shoot_id>/overrides")
@validated(
    body=OverrideIn,
    response=ShootOut,
    summary="Keep a shoot despite a warning, with a recorded reason",
)
def override_warning(shoot_id: int, body: OverrideIn):
    shoot = shoot_ops.get_shoot(db.session, shoot_id)
    user = authorize("productions.edit", shoot.production)
    shoot_ops.override_warning(db.session, user, shoot, body.rule, body.other, body.reason)
    return _shoot_response(shoot, shoot_ops.findings_for(db.session, shoot), 201)


# ---- series ----------------------------------------------------------------------------------


def _series_created(series, occurrences):
    viewer = acting_user()
    body = {
        "series": series_ops.series_json(db.session, viewer, series),
        "occurrences": series_ops.series_report(db.session, viewer, occurrences),
    }
    response = jsonify(body)
    response.headers["Location"] = url_for("shoots_api.get_series", series_id=series.id)
    return response, 201


@bp.post("/shoot-series")
@validated(
    body=SeriesIn,
    answers=(Answer(201, SeriesCreated),),
    errors=(404, 409),
    summary="Schedule a shoot on several days (weekdays until a date, or dates), all or nothing: "
    "201 with each day's findings; 409 (a clash) or 400 (a day that cannot be) with the report",
)
def create_series(body: SeriesIn):
    production = shoot_ops.known_production(db.session, body.production_id)
    user = authorize("productions.edit", production)
    return _series_created(*series_ops.create_series(db.session, user, body))


@bp.post("/shoot-series/check")
@db.read_only
@validated(
    body=SeriesIn,
    answers=(Answer(200, SeriesCheck),),
    errors=(404,),
    summary="Dry run of a series: each day's findings; stores nothing",
)
def check_series(body: SeriesIn):
    production = shoot_ops.known_production(db.session, body.production_id)
    viewer = authorize("productions.edit", production)
    report = series_ops.check_series(db.session, viewer, body)
    ok = all(day["status"] in ("ok", "warning") for day in report)
    return jsonify({"ok": ok, "occurrences": report})


@bp.post("/shoots/<int:shoot_id>/copies")
@validated(
    body=CopiesIn,
    answers=(Answer(201, SeriesCreated),),
    errors=(404, 409),
    summary="Copy a shoot to other days: it and its copies form a series",
)
def copy_shoot(shoot_id: int, body: CopiesIn):
    shoot = shoot_ops.get_shoot(db.session, shoot_id)
    user = authorize("productions.edit", shoot.production)
    return _series_created(*series_ops.copy_shoot(db.session, user, shoot, body.repeat))


def _series(series_id: int):
    series = series_ops.get_series(db.session, series_id)
    authorize("productions.view", series.production, hide=True)  # another production's: 404
    return series


@bp.get("/shoot-series/<int:series_id>")
@validated(answers=(Answer(200, SeriesOut),), errors=(404,), summary="A series and its shoots")
def get_series(series_id: int):
    viewer = authorize("shoots.read")
    return jsonify(series_ops.series_json(db.session, viewer, _series(series_id)))


@bp.patch("/shoot-series/<int:series_id>")
@validated(
    body=SeriesPatch,
    answers=(Answer(200, SeriesChanged),),
    errors=(404, 409),
    summary="Change or cancel every planned shoot of a series (send the series' `version`); "
    "shoots a commune has before it become amendments (send `reason`); all or nothing",
)
def patch_series(series_id: int, body: SeriesPatch):
    series = _series(series_id)
    user = authorize("productions.edit", series.production)
    changes = series_ops.update_series(db.session, user, series, body)
    return jsonify(
        {
            "series": series_ops.series_json(db.session, user, series),
            "shoots": [series_ops.change_json(db.session, user, c) for c in changes],
        }
    )


@bp.delete("/shoot-series/<int:series_id>")
@validated(
    answers=(Answer(204),),
    errors=(404, 409),
    summary="Delete a series and its shoots (409 when one is in a live permit request)",
)
def delete_series(series_id: int):
    series = _series(series_id)
    authorize("productions.edit", series.production)
    series_ops.delete_series(db.session, series)
    return "", 204


# ---- conflicts -------------------------------------------------------------------------------


@bp.post("/conflicts/check")
@db.read_only
@validated(
    body=CheckIn,
    answers=(Answer(200, CheckResult),),
    errors=(404,),
    summary="Dry run: what a shoot would clash with; stores nothing",
)
def check_conflicts(body: CheckIn):
    viewer = authorize("conflicts.check")
    _candidate, findings = shoot_ops.dry_run(db.session, body)
    return jsonify({"ok": not findings.conflicts, **findings_json(db.session, viewer, findings)})


@bp.get("/conflicts")
@validated(
    query=ReportQuery,
    response=ConflictReport,
    summary="Every conflicting or nearby pair of shoots in a period",
)
def conflict_report(query: ReportQuery):
    viewer = authorize("conflicts.report")
    starts, ends = shoot_ops.period_filter(query.from_, query.to)
    pairs = report.conflict_report(db.session, starts, ends, query.commune)  # type: ignore[arg-type]
    return jsonify({"pairs": report_json(db.session, viewer, pairs)})


# ---- blackouts -------------------------------------------------------------------------------


@bp.get("/blackouts")
@validated(response=BlackoutList, summary="Municipal blackouts")
def list_blackouts():
    authorize("blackouts.read")
    found = blackout_ops.blackouts_with_areas(db.session)
    return jsonify({"blackouts": [blackout_json(*pair) for pair in found]})


def _blackout_response(blackout, status: int = 200):
    (pair,) = blackout_ops.blackouts_with_areas(db.session, blackout.id)
    return jsonify(blackout_json(*pair)), status


@bp.post("/blackouts")
@validated(
    body=BlackoutIn,
    response=BlackoutOut,
    summary="Declare a blackout (admins, the commune's officers)",
)
def create_blackout(body: BlackoutIn):
    user = authorize("blackouts.manage", body.commune)
    blackout = blackout_ops.save_blackout(db.session, user, body)
    return _blackout_response(blackout, 201)


@bp.put("/blackouts/<int:blackout_id>")
@validated(body=BlackoutIn, response=BlackoutOut, summary="Replace a blackout")
def replace_blackout(blackout_id: int, body: BlackoutIn):
    blackout = blackout_ops.get_blackout(db.session, blackout_id)
    user = authorize("blackouts.manage", blackout.commune_nis)
    authorize("blackouts.manage", body.commune)
    blackout_ops.save_blackout(db.session, user, body, blackout)
    return _blackout_response(blackout)


@bp.delete("/blackouts/<int:blackout_id>")
@validated(answers=(Answer(204),), summary="Delete a blackout")
def delete_blackout(blackout_id: int):
    blackout = blackout_ops.get_blackout(db.session, blackout_id)
    authorize("blackouts.manage", blackout.commune_nis)
    db.session.delete(blackout)
    return "", 204


@bp.get("/shoot-settings/<nis>")
@validated(
    response=CommuneSettingsOut,
    summary="A commune's thresholds for the nearby and saturation warnings",
)
def get_settings(nis: str):
    authorize("conflicts.report")
    _commune(nis)
    return jsonify({"commune": nis, **conflicts.settings_of(db.session, nis)})


@bp.put("/shoot-settings/<nis>")
@validated(
    body=CommuneSettingsIn,
    response=CommuneSettingsOut,
    summary="Set a commune's thresholds (admins, its officers)",
)
def put_settings(nis: str, body: CommuneSettingsIn):
    authorize("communes.configure", nis)
    _commune(nis)
    values = conflicts.save_settings(db.session, nis, body.model_dump())
    return jsonify({"commune": nis, **values})


def _commune(nis: str) -> Commune:
    commune = db.session.get(Commune, nis)
    if commune is None:
        raise NotFound(f"No commune {nis}.")
    return commune


# ---- calendars -------------------------------------------------------------------------------


def _calendar(scope: FeedScope, target: str, viewer) -> Response:
    """The feed of SCOPE/TARGET as VIEWER may read it (authorised before: a 304 is never a way
    around the checks), with its validators: private to the caller, and asked again at each
    read (core.caching)."""
    subject = _feed_subject(scope, target)
    name, select = _feed_contents(scope, subject)
    shoots = [row[0] for row in db.session.execute(select)]
    body = calendars.shoots_calendar(name, shoots, viewer)
    response = Response(body, mimetype=CALENDAR)
    return conditional(response, private=True, last_modified=_last_change(subject, shoots))


def _feed_subject(scope: FeedScope, target: str) -> Production | Location | Commune:
    """What a feed shows: a production, a location or a commune; 404 when there is none."""
    if scope is FeedScope.PRODUCTION:
        return productions.get_production(db.session, _int(target))
    if scope is FeedScope.LOCATION:
        location = db.session.get(Location, _int(target))
        if location is None:
            raise NotFound(f"No location {target}.")
        return location
    return _commune(target)


def _feed_contents(scope: FeedScope, subject: Any) -> tuple[str, Any]:
    if scope is FeedScope.PRODUCTION:
        return subject.title, shoot_ops.shoots_query(production_id=subject.id)
    if scope is FeedScope.LOCATION:
        return subject.name, shoot_ops.shoots_query(location_id=subject.id)
    return f"Tournages {subject.nis}", shoot_ops.shoots_query(commune=subject.nis)


def _last_change(subject: Any, shoots: list[Any]) -> datetime | None:
    """When the feed last changed: its shoots, its subject, and any deletion or change of
    access (shoots.operations.holds.last_change); unknown without the latter."""
    recorded = holds.last_change(db.session)
    if recorded is None:
        return None
    updated = [s.updated_at for s in shoots] + [getattr(subject, "updated_at", None)]
    return max([recorded, *(moment for moment in updated if moment is not None)])


def _int(raw: str) -> int:
    return parse_database_id("target", raw)


def _feed_target(scope: FeedScope, target: str) -> Any:
    """What a feed shows, for the policy: a production, a location or a commune's NIS code."""
    subject = _feed_subject(scope, target)
    return target if scope is FeedScope.COMMUNE else subject


def may_read_feed(user, scope: FeedScope, target: str) -> bool:
    """The one rule of who may read a calendar feed; a private feed is asked again at every
    read, as its creator (who may have left the production, or been disabled)."""
    subject = _feed_target(scope, target)
    if scope is FeedScope.PRODUCTION:
        return allowed(user, "productions.edit", subject)
    if scope is FeedScope.LOCATION:
        return allowed(user, "shoots.read") and allowed(user, "locations.view", subject)
    return allowed(user, "calendars.commune")


def _authorize_feed(scope: FeedScope, target: str):
    user = acting_user()
    if may_read_feed(user, scope, target):
        return user
    if scope is FeedScope.LOCATION and user is not None and allowed(user, "shoots.read"):
        raise NotFound(f"No location {target}.")  # a draft's existence is private
    rule = {FeedScope.PRODUCTION: "productions.edit", FeedScope.COMMUNE: "calendars.commune"}
    return authorize(rule.get(scope, "shoots.read"), _feed_target(scope, target))


@bp.get("/calendars/<any(production,location,commune):scope>/<target>.ics")
@validated(
    answers=(Answer(200, media_type=CALENDAR, description="The shoots as VEVENTs."),),
    summary="iCalendar feed for a signed-in client (ETag, Last-Modified: 304 when unchanged)",
)
def calendar(scope: str, target: str):
    viewer = _authorize_feed(FeedScope(scope), target)
    return _calendar(FeedScope(scope), target, viewer)


@bp.post("/calendars/feeds")
@validated(
    body=FeedIn,
    response=FeedCreated,
    errors=(404,),
    summary="A private feed URL to subscribe to (token shown once)",
)
def create_feed(body: FeedIn):
    user = _authorize_feed(body.scope, body.target)  # 404 for an unknown target
    feed, token = calendars.create_feed(db.session, user, body.scope, body.target)
    url = url_for("shoots_api.private_calendar", token=token, _external=True)
    return jsonify({**feed_json(feed), "url": url}), 201


@bp.get("/calendars/feeds")
@validated(response=FeedList, summary="My private feeds (their tokens are not shown again)")
def list_feeds():
    user = authorize("shoots.read")
    return jsonify({"feeds": [feed_json(f) for f in calendars.feeds_of(db.session, user)]})


@bp.delete("/calendars/feeds/<int:feed_id>")
@validated(answers=(Answer(204),), summary="Revoke a private feed")
def revoke_feed(feed_id: int):
    user = authorize("shoots.read")
    feed = next((f for f in calendars.feeds_of(db.session, user) if f.id == feed_id), None)
    if feed is None:
        raise NotFound(f"No feed {feed_id} of yours.")
    calendars.revoke_feed(db.session, feed)
    return "", 204


@bp.get("/calendars/private/<token>.ics")
@validated(
    answers=(Answer(200, media_type=CALENDAR, description="The shoots as VEVENTs."),),
    access=Access.URL,
    summary="A private feed: the unguessable token is the credential (304 when unchanged)",
)
def private_calendar(token: str):
    feed = calendars.feed_for_token(db.session, token)
    creator = feed.created_by
    active = creator is not None and getattr(creator, "is_enabled", True)
    if not active or not may_read_feed(creator, feed.scope, feed.target):
        raise NotFound(_("No such calendar feed (it may have been revoked)."))
    return _calendar(feed.scope, feed.target, creator)  # as its creator may see it
