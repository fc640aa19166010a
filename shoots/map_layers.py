"""What the conflict engine adds to the map pages (maps/ calls these): footprints coloured by
their worst finding, and blackout periods hatched."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import folium
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, exists, func, select
from sqlalchemy.orm import Session

from core.auth.models import User
from core.auth.policy import production_label
from core.communes.models import Commune
from core.dates import period
from core.geo import as_geojson, envelope_3812, feature
from core.mapping import palette
from core.mapping.builder import LegendEntry, add_polygons, feature_collection
from shoots.models import Blackout, Production, Shoot
from shoots.operations.conflicts import Findings
from shoots.operations.shoots import findings_for, shoots_query

SEVERITY_COLOURS = {"conflict": palette.CONFLICT, "warning": palette.WARNING}
BLACKOUT_COLOUR = palette.BLACKOUT
BLACKOUT_STYLE = {"color": BLACKOUT_COLOUR, "weight": 2, "className": "tm-hatched"}


@dataclass
class Overlay:
    """An extra layer of a map page, with its legend entry."""

    name: str
    feature_collection: dict[str, Any]
    style: dict[str, Any] = field(default_factory=dict)
    popup_fields: list[tuple[str, Any]] = field(default_factory=list)
    legend: LegendEntry | None = None


def add_overlays(m: folium.Map, overlays: list[Overlay]) -> list[LegendEntry]:
    """Draw OVERLAYS on M; their legend entries, for the map's legend."""
    legend = []
    for overlay in overlays:
        add_polygons(
            m, overlay.feature_collection, overlay.name, overlay.style, overlay.popup_fields
        )
        if overlay.legend is not None:
            legend.append(overlay.legend)
    return legend


def street_impacts(road_closure: bool, parking_suspension: bool, night_shoot: bool) -> str:
    """What a shoot changes in the street, in words (map popups, public and planning)."""
    flags = [
        (road_closure, _l("road closed")),
        (parking_suspension, _l("parking suspended")),
        (night_shoot, _l("night shoot")),
    ]
    return ", ".join(str(label) for flag, label in flags if flag)


def worst_severity(findings: Iterable[dict[str, Any]]) -> str | None:
    """ "conflict", else "warning", else None; overridden warnings no longer count."""
    severities = {f["severity"] for f in findings if not f["override"]}
    return next((s for s in ("conflict", "warning") if s in severities), None)


def shoot_severity(session: Session, shoot: Shoot) -> str | None:
    """The worst of SHOOT's open findings now, as its page lists them."""
    return worst_severity(f.as_json() for f in findings_for(session, shoot).items)


def footprint_severity_styles(session: Session, shoot_ids: list[int]) -> dict[int, dict]:
    """Conflicting footprints in red, warned ones in orange."""
    styles = {}
    for shoot in session.scalars(select(Shoot).where(Shoot.id.in_(shoot_ids))):
        severity = shoot_severity(session, shoot)
        if severity:
            colour = SEVERITY_COLOURS[severity]
            styles[shoot.id] = {"color": colour, "fillColor": colour}
    return styles


_BLACKOUT_AREA = func.coalesce(Blackout.area, Commune.boundary)
NEIGHBOUR_COLOUR = palette.OTHER_SHOOT
NEIGHBOUR_STYLE = {"color": NEIGHBOUR_COLOUR, "weight": 2, "fillOpacity": 0.3, "dashArray": "3 3"}


def _others(findings: Iterable[Findings], kind: str) -> list[Any]:
    """The ids of the other side of FINDINGS of one KIND ("shoot", "blackout"), sorted."""
    ids = {f.other["id"] for found in findings for f in found.items if f.other["type"] == kind}
    return sorted(ids)


SHOOT_POPUP = [("title", _l("Production")), ("shoot", _l("Shoot")), ("when", _l("When"))]


def neighbouring_shoots(
    session: Session, viewer: User | None, findings: Iterable[Findings]
) -> list[Overlay]:
    """The shoots FINDINGS name, as VIEWER may see them: occupancy (footprint, period and
    production_label: "another production" unless the policy lets VIEWER read it)."""
    features = named_shoots(session, viewer, _others(findings, "shoot"))
    if not features:
        return []
    return [
        Overlay(
            name=str(_l("Neighbouring shoots")),
            feature_collection=feature_collection(features),
            style=NEIGHBOUR_STYLE,
            popup_fields=SHOOT_POPUP,
            legend=LegendEntry(_l("Neighbouring shoot"), NEIGHBOUR_COLOUR),
        )
    ]


def named_shoots(
    session: Session, viewer: User | None, shoot_ids: Iterable[int]
) -> list[dict[str, Any]]:
    """The footprints of SHOOT_IDS as VIEWER may see them (occupancy: production_label)."""
    ids = sorted(set(shoot_ids))
    if not ids:
        return []
    rows = session.execute(
        select(Shoot, as_geojson(Shoot.footprint)).where(Shoot.id.in_(ids)).order_by(Shoot.id)
    )
    return [
        feature(
            json.loads(geometry),
            {
                "title": production_label(viewer, shoot.production),
                "shoot": shoot.id,
                "when": period(shoot.period.lower, shoot.period.upper),
            },
            shoot.id,
        )
        for shoot, geometry in rows
    ]


def clashing_shoots(
    session: Session, viewer: User | None, findings: Iterable[dict[str, Any]]
) -> dict[str, Any]:
    """The shoots FINDINGS (as JSON: a check's, a refusal's) name, coloured by their severity:
    what the shoot form's map draws in red (a conflict) or orange (a warning)."""
    worst: dict[int, str] = {}
    for found in findings:
        if found["other"].get("type") == "shoot":
            shoot_id = found["other"]["id"]
            if worst.get(shoot_id) != "conflict":
                worst[shoot_id] = found["severity"]
    features = named_shoots(session, viewer, worst)
    for item in features:
        colour = SEVERITY_COLOURS[worst[item["id"]]]
        item["properties"]["style"] = {"color": colour, "fillColor": colour, "dashArray": ""}
    return feature_collection(features)


def finding_blackouts(session: Session, findings: Iterable[Findings]) -> list[Overlay]:
    """The blackouts FINDINGS name, hatched."""
    blackout_ids = _others(findings, "blackout")
    return _blackout_overlay(session, Blackout.id.in_(blackout_ids)) if blackout_ids else []


def _blackout_overlay(session: Session, *conditions: Any) -> list[Overlay]:
    rows = session.execute(
        select(Blackout, as_geojson(_BLACKOUT_AREA))
        .join(Commune, Commune.nis == Blackout.commune_nis)
        .where(*conditions)
        .order_by(func.lower(Blackout.period))
    ).all()
    if not rows:
        return []
    features = [
        feature(
            json.loads(geometry),
            {"title": blackout.title, "when": period(blackout.period.lower, blackout.period.upper)},
            blackout.id,
        )
        for blackout, geometry in rows
    ]
    return [
        Overlay(
            name=str(_l("Blackout periods")),
            feature_collection=feature_collection(features),
            style=BLACKOUT_STYLE,
            popup_fields=[("title", _l("Blackout")), ("when", _l("When"))],
            legend=LegendEntry(_l("Blackout period"), BLACKOUT_COLOUR, shape="hatched"),
        )
    ]


def production_blackouts(session: Session, production: Production) -> list[Overlay]:
    """Blackouts that meet one of the production's live shoots in space and time."""
    meets_a_shoot = exists().where(
        Shoot.production_id == production.id,
        Shoot.is_live,
        Shoot.period.overlaps(Blackout.period),
        func.ST_Intersects(Shoot.footprint, _BLACKOUT_AREA),
    )
    return _blackout_overlay(session, meets_a_shoot)


def commune_blackouts(session: Session, nis: str) -> list[Overlay]:
    """The commune's blackouts that are not over yet."""
    return _blackout_overlay(
        session, and_(Blackout.commune_nis == nis, func.upper(Blackout.period) > func.now())
    )


# ---- the shoot form's map: what else takes the ground in the period drawn -------------------

SURROUNDINGS_MAX = 300  # shoots drawn at most (a busy month in a town's streets)
PARKING_PART = {"dashArray": "4 4", "fillOpacity": 0.15}


def period_shoots(
    session: Session,
    viewer: User | None,
    starts: datetime,
    ends: datetime,
    bbox: tuple[float, float, float, float],
    exclude_id: int | None = None,
) -> tuple[dict[str, Any], bool]:
    """The live shoots overlapping [STARTS, ENDS) in the map window BBOX, footprints and
    parking zones, as VIEWER may see them (occupancy: production_label), and whether more
    than SURROUNDINGS_MAX were left out. EXCLUDE_ID: the shoot being edited."""
    query = shoots_query(starts=starts, ends=ends, bbox=bbox).where(Shoot.is_live)
    if exclude_id is not None:
        query = query.where(Shoot.id != exclude_id)
    rows = session.execute(query.limit(SURROUNDINGS_MAX + 1)).all()
    features = []
    for shoot, footprint, parking in rows[:SURROUNDINGS_MAX]:
        properties = {
            "title": production_label(viewer, shoot.production),
            "shoot": shoot.id,
            "when": period(shoot.period.lower, shoot.period.upper),
        }
        features.append(feature(json.loads(footprint), properties, shoot.id))
        if parking:
            parked = {**properties, "part": str(_l("parking")), "style": PARKING_PART}
            features.append(feature(json.loads(parking), parked, shoot.id))
    return feature_collection(features), len(rows) > SURROUNDINGS_MAX


def period_blackouts(
    session: Session, starts: datetime, ends: datetime, bbox: tuple[float, float, float, float]
) -> dict[str, Any]:
    """The blackouts of [STARTS, ENDS) whose area (else their commune) meets the map window
    (weekly ones for their whole period: the conflict check says which days they bite)."""
    envelope = envelope_3812(bbox)
    if envelope is None:
        return feature_collection([])
    window = func.tstzrange(starts, ends, "[)")
    overlays = _blackout_overlay(
        session, Blackout.period.op("&&")(window), func.ST_Intersects(_BLACKOUT_AREA, envelope)
    )
    return overlays[0].feature_collection if overlays else feature_collection([])
