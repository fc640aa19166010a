"""Map pages (the map library and its runtime are core.mapping)."""

from __future__ import annotations

import gzip
import json
from datetime import date
from typing import Any

import folium
from flask import Blueprint, Response, redirect, render_template, request, url_for
from flask_babel import get_locale, get_timezone
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from pydantic import BaseModel, model_validator
from sqlalchemy import func, select

from core.auth.models import Role
from core.auth.policy import (
    ProductionView,
    acting_user,
    allowed,
    authorize,
    production_label,
    production_view,
)
from core.communes.operations import active_communes, commune_with_geojson
from core.dates import period
from core.db import db
from core.errors import InvalidInput, NotFound
from core.geo import feature
from core.mapping import palette
from core.mapping.builder import (
    LegendEntry,
    PointsPayload,
    add_clustered_points,
    add_legend,
    add_polygons,
    base_map,
    feature_bounds,
    feature_collection,
    render,
)
from core.validation import parse, query_data, validated
from locations.models import Location, LocationStatus
from maps import operations
from maps.operations import ShootShapes
from permits.mapping import public_map
from permits.public import public_shoots
from shoots.map_layers import (
    add_overlays,
    commune_blackouts,
    footprint_severity_styles,
    production_blackouts,
    street_impacts,
)
from shoots.models import Production

bp = Blueprint("maps", __name__, url_prefix="/maps")

FOOTPRINT = {"color": palette.FOOTPRINT, "weight": 2, "fillOpacity": 0.25}
PARKING = {"color": palette.PARKING, "weight": 2, "fillOpacity": 0.25, "dashArray": "4 4"}
BOUNDARY = {"color": palette.BOUNDARY, "weight": 2, "fillOpacity": 0.03}
LOCATION_STATUS = {
    LocationStatus.DRAFT.value: _l("draft"),
    LocationStatus.PUBLISHED.value: _l("published"),
}


def _locale() -> str:
    return str(get_locale() or "fr")


def _map_page(template: str, m: folium.Map, **context: Any) -> str:
    """TEMPLATE with the rendered map as ``map_html`` ."""
    return render_template(template, map_html=render(m), **context)


# ---- explore map of the location library ------------------------------------------------------


@bp.get("/locations")
def locations():
    authorize("maps.locations")
    count = db.session.scalar(
        select(func.count()).where(Location.status == LocationStatus.PUBLISHED)
    )
    m = base_map()
    add_clustered_points(m, None, _("Locations"), url=url_for(".location_points"))
    intro = _("Published locations: %(count)d, grouped by area. Zoom in or click a group.",
              count=count)  # fmt: skip
    return _map_page("maps/map.html", m, title=_("Locations map"), intro=intro)


@bp.get("/locations/points.json")
@validated(response=PointsPayload, summary="Published locations as compact map points.")
def location_points():
    authorize("maps.locations")
    points = operations.published_location_points_json(db.session, _locale())
    fields = json.dumps([_("Name"), _("Commune")], ensure_ascii=False)
    body = f'{{"fields":{fields},"points":{points}}}'.encode()
    response = Response(body, mimetype="application/json")
    response.vary.add("Accept-Encoding")
    if "gzip" in request.accept_encodings:
        # 2.5 MB for 50,000 places become 0.6 MB in about 15 ms (level 1): worth it on
        # municipal networks, whether or not a proxy in front compresses.
        response.set_data(gzip.compress(body, compresslevel=1))
        response.headers["Content-Encoding"] = "gzip"
    return response


# ---- shoots as map features -------------------------------------------------------------------


def _planning_properties(shapes: ShootShapes) -> dict[str, Any]:
    """What a planner sees: another production's shoot is occupancy (no title unless listed,
    no crew or vehicles; core.auth.policy.production_view)."""
    shoot = shapes.shoot
    viewer = acting_user()
    shown = shoot.location is not None and allowed(viewer, "locations.view", shoot.location)
    location = shoot.location.name if shown else None
    properties = {
        "title": production_label(viewer, shapes.production),
        "when": period(shapes.shoot.period.lower, shapes.shoot.period.upper),
        "impacts": street_impacts(shoot.road_closure, shoot.parking_suspension, shoot.night_shoot),
        "location": location,
    }
    if production_view(viewer, shapes.production) is ProductionView.FULL:
        properties.update(crew=shoot.crew_size, vehicles=shoot.vehicle_count)
    return properties


PLANNING_POPUP = [
    ("title", _l("Production")),
    ("when", _l("When")),
    ("location", _l("Location")),
    ("crew", _l("Crew")),
    ("vehicles", _l("Vehicles")),
    ("impacts", _l("Impact")),
]


def _add_shoots(m: folium.Map, shots: list[ShootShapes]) -> None:
    """Footprints (coloured by their worst finding) and parking areas, for planners."""
    styles = footprint_severity_styles(db.session, [s.shoot.id for s in shots])
    footprints, parking = [], []
    for shapes in shots:
        props = _planning_properties(shapes)
        style = {"style": styles[shapes.shoot.id]} if shapes.shoot.id in styles else {}
        footprints.append(feature(shapes.footprint, {**props, **style}, shapes.shoot.id))
        if shapes.parking:
            parking.append(feature(shapes.parking, props, shapes.shoot.id))
    add_polygons(
        m, feature_collection(footprints), _("Shoot footprints"), FOOTPRINT, PLANNING_POPUP
    )
    if parking:
        add_polygons(m, feature_collection(parking), _("Parking"), PARKING, PLANNING_POPUP)


def _bounds(shots: list[ShootShapes]) -> tuple[float, float, float, float] | None:
    return feature_bounds({"geometry": shapes.footprint} for shapes in shots)


def _shoot_legend() -> list[LegendEntry]:
    return [
        LegendEntry(_("Shoot footprint"), FOOTPRINT["color"]),
        LegendEntry(_("Parking"), PARKING["color"]),
    ]


# ---- commune dashboard ------------------------------------------------------------------------


@bp.get("/communes")
def communes():
    """Officers go to their commune's map; admins choose one."""
    user = authorize("maps.commune")
    if user.role is Role.OFFICER:
        return redirect(url_for(".commune", nis=user.commune_nis))
    return render_template("maps/communes.html", communes=active_communes(db.session))


@bp.get("/communes/<nis>")
def commune(nis: str):
    found = commune_with_geojson(db.session, nis)
    if found is None:
        raise NotFound(f"No commune with NIS code {nis!r}.")
    viewer = authorize("maps.commune", nis)
    commune, boundary = found
    shoots = operations.commune_shoots(db.session, nis)
    points = operations.commune_location_points(db.session, nis, viewer)
    for point in points:
        point["properties"]["status"] = str(LOCATION_STATUS[point["properties"]["status"]])
    m = base_map(bounds=feature_bounds([{"geometry": boundary}]))
    name = commune.name()
    add_polygons(m, feature_collection([feature(boundary, {"name": name}, nis)]), name, BOUNDARY)
    _add_shoots(m, shoots)
    add_clustered_points(m, points, _("Locations"), [("name", _("Name")), ("status", _("Status"))])
    legend = [LegendEntry(name, BOUNDARY["color"], "line"), *_shoot_legend()]
    add_legend(m, legend + add_overlays(m, commune_blackouts(db.session, nis)))
    return _map_page(
        "maps/commune.html", m, commune=commune, name=name, shoots=shoots,
        location_count=len(points),
    )  # fmt: skip


# ---- production planning ---------------------------------------------------------------------


class PlanningQuery(BaseModel):
    """Days to show (inclusive, Europe/Brussels); both optional."""

    start: date | None = None
    end: date | None = None

    @model_validator(mode="after")
    def ordered(self) -> PlanningQuery:
        if self.start and self.end and self.end < self.start:
            raise InvalidInput("end", "must not be before start")
        return self


@bp.get("/productions")
def productions():
    user = authorize("maps.production")
    query = select(Production).order_by(Production.title)
    if user.role is not Role.ADMIN:
        query = query.where(Production.coordinators.any(id=user.id))
    return render_template("maps/productions.html", productions=db.session.scalars(query).all())


@bp.get("/productions/<int:production_id>")
def production(production_id: int):
    found = db.session.get(Production, production_id)
    authorize("maps.production", found, hide=True)
    if found is None:
        raise NotFound(f"No production {production_id}.")
    period = parse(PlanningQuery, query_data(PlanningQuery))
    shoots = operations.production_shoots(
        db.session, found.id, period.start, period.end, get_timezone()
    )
    m = base_map(bounds=_bounds(shoots))
    _add_shoots(m, shoots)
    add_legend(m, _shoot_legend() + add_overlays(m, production_blackouts(db.session, found)))
    return _map_page("maps/production.html", m, production=found, shoots=shoots, planning=period)


# ---- public map ------------------------------------------------------------------------------


@bp.get("/public")
def public():
    authorize("maps.public")
    shoots = public_shoots(db.session)  # the public page's and OGC's query and fields
    intro = _(
        "Approved shoots to come in Wallonia: %(count)d. Click a shoot to see when it happens "
        "and what it changes in the street.",
        count=len(shoots),
    )
    return render_template(
        "maps/map.html", map_html=public_map(shoots), title=_("Upcoming shoots"), intro=intro
    )
