"""The permits maps (inbox, request page, public page), drawn with core.mapping."""

from __future__ import annotations

import json
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.auth.models import User
from core.communes.operations import commune_with_geojson
from core.dates import period
from core.geo import as_geojson, feature
from core.mapping import palette
from core.mapping.builder import (
    LegendEntry,
    add_clustered_points,
    add_legend,
    add_polygons,
    base_map,
    feature_bounds,
    feature_collection,
    render,
)
from permits.models import STATUS_LABELS, PermitRequest, PermitShoot, PermitStatus
from permits.public import public_fields_json
from shoots.map_layers import (
    SEVERITY_COLOURS,
    add_overlays,
    finding_blackouts,
    neighbouring_shoots,
    street_impacts,
    worst_severity,
)
from shoots.operations.conflicts import Findings

# A request's status as a colour of its meaning (core.mapping.palette): waiting for the commune
# amber, changes asked orange, approved green, rejected red, not in force grey. Drafts and
# withdrawals differ by the dash of their outline (INACTIVE_DASH), not by their colour.
STATUS_COLOURS = {
    PermitStatus.DRAFT: palette.INACTIVE,
    PermitStatus.SUBMITTED: palette.AWAITING,
    PermitStatus.IN_REVIEW: palette.AWAITING,
    PermitStatus.CHANGES_REQUESTED: palette.WARNING,
    PermitStatus.APPROVED: palette.APPROVED,
    PermitStatus.APPROVED_WITH_CONDITIONS: palette.APPROVED,
    PermitStatus.REJECTED: palette.CONFLICT,
    PermitStatus.WITHDRAWN: palette.INACTIVE,
}


PUBLIC_FOOTPRINT = {
    "color": palette.APPROVED, "fillColor": palette.APPROVED, "weight": 2, "fillOpacity": 0.45
}  # fmt: skip
PUBLIC_PARKING = {"color": palette.PARKING, "weight": 2, "fillOpacity": 0.25, "dashArray": "4 4"}
PUBLIC_MAX_ZOOM = 15  # fitted to the shoots, but never closer than a few streets
PUBLIC_POPUP = [
    ("title", _l("Production")),
    ("when", _l("When")),
    ("where", _l("Where")),
    ("impacts", _l("Impact")),
]


def inbox_map(session: Session, permits: list[PermitRequest], commune_nis: str | None) -> Markup:
    """The requests' footprint parts coloured by status, on the officer's commune."""
    rows = session.execute(
        select(PermitShoot.request_id, PermitShoot.shoot_id, as_geojson(PermitShoot.footprint_part))
        .where(
            PermitShoot.request_id.in_([p.id for p in permits]),
            PermitShoot.footprint_part.is_not(None),
        )
        .order_by(PermitShoot.request_id, PermitShoot.shoot_id)
    )
    by_id = {p.id: p for p in permits}
    parts = []
    for request_id, shoot_id, geometry in rows:
        permit = by_id[request_id]
        colour = STATUS_COLOURS[permit.status]
        properties = {
            "title": _("Request no. %(id)s", id=request_id),
            "production": permit.production.title,
            "shoot": shoot_id,
            "status": str(STATUS_LABELS[permit.status]),
            "style": {"color": colour, "fillColor": colour},
        }
        parts.append(feature(json.loads(geometry), properties, f"{request_id}-{shoot_id}"))
    boundary = commune_with_geojson(session, commune_nis) if commune_nis else None
    outline = [feature(boundary[1], {"name": boundary[0].name()}, commune_nis)] if boundary else []
    m = base_map(bounds=feature_bounds(outline + parts))
    if outline:
        add_polygons(
            m,
            feature_collection(outline),
            _("Commune"),
            {"color": palette.BOUNDARY, "weight": 2, "fillOpacity": 0.03},
        )
    add_polygons(
        m,
        feature_collection(parts),
        _("Requested footprints"),
        {"weight": 2, "fillOpacity": 0.45},
        popup_fields=[
            ("title", _("Request")),
            ("production", _("Production")),
            ("shoot", _("Shoot")),
            ("status", _("Status")),
        ],
    )
    shown = sorted({p.status for p in permits}, key=list(PermitStatus).index)
    add_legend(m, [LegendEntry(STATUS_LABELS[s], STATUS_COLOURS[s]) for s in shown])
    return render(m)


BEFORE_COLOUR, AFTER_COLOUR = palette.INACTIVE, palette.PROPOSED


def amendment_map(before: dict[str, Any], after: dict[str, Any]) -> Markup:
    """An amendment on one map: the approved footprint and parking (grey, dashed) under the
    proposed ones (magenta, and teal for the parking)."""
    layers = [
        (_("Approved footprint"), before["footprint"], BEFORE_COLOUR, "6 4", 0.15),
        (_("Approved parking"), before["parking"], BEFORE_COLOUR, "2 4", 0.05),
        (_("Proposed footprint"), after["footprint"], AFTER_COLOUR, None, 0.4),
        (_("Proposed parking"), after["parking"], palette.PARKING, None, 0.3),
    ]
    drawn = [
        (name, feature(geometry, {"name": str(name)}, number), colour, dash, fill)
        for number, (name, geometry, colour, dash, fill) in enumerate(layers)
        if geometry is not None
    ]
    m = base_map(bounds=feature_bounds([f for _name, f, _c, _d, _o in drawn]))
    for name, shape, colour, dash, fill in drawn:
        style = {"color": colour, "fillColor": colour, "weight": 2, "fillOpacity": fill}
        if dash:
            style["dashArray"] = dash
        add_polygons(m, feature_collection([shape]), name, style, popup_fields=[("name", name)])
    add_legend(
        m,
        [
            LegendEntry(_("approved (in force)"), BEFORE_COLOUR, "line"),
            LegendEntry(_("proposed footprint"), AFTER_COLOUR),
            LegendEntry(_("proposed parking"), palette.PARKING),
        ],
    )
    return render(m)


REQUEST_FOOTPRINT = {
    "color": palette.FOOTPRINT, "fillColor": palette.FOOTPRINT, "weight": 2, "fillOpacity": 0.35
}  # fmt: skip


def request_map(
    session: Session, viewer: User | None, permit: PermitRequest, found: dict[int, Findings]
) -> Markup:
    """PERMIT's footprint parts, coloured by their shoot's worst current finding, with the
    neighbouring shoots and the blackouts those findings name (shoots.map_layers)."""
    rows = session.execute(
        select(PermitShoot.shoot_id, as_geojson(PermitShoot.footprint_part))
        .where(PermitShoot.request_id == permit.id, PermitShoot.footprint_part.is_not(None))
        .order_by(PermitShoot.shoot_id)
    )
    parts = []
    for shoot_id, geometry in rows:
        findings = found.get(shoot_id)
        severity = worst_severity(f.as_json() for f in findings.items) if findings else None
        colour = SEVERITY_COLOURS.get(severity, REQUEST_FOOTPRINT["color"])
        properties = {
            "title": _("Shoot %(id)s", id=shoot_id),
            "severity": _finding_words(findings),
            "style": {"color": colour, "fillColor": colour},
        }
        parts.append(feature(json.loads(geometry), properties, shoot_id))
    neighbours = neighbouring_shoots(session, viewer, found.values())
    # Framed on the shoots: a commune-wide blackout would zoom out to the whole commune.
    near = [f for overlay in neighbours for f in overlay.feature_collection["features"]]
    m = base_map(bounds=feature_bounds(parts + near))
    add_polygons(m, feature_collection(parts), _("This request's footprints"), REQUEST_FOOTPRINT,
                 popup_fields=[("title", _("Shoot")), ("severity", _("Findings"))])  # fmt: skip
    legend = [
        LegendEntry(_("This request's footprint"), REQUEST_FOOTPRINT["color"]),
        LegendEntry(_("with a warning"), SEVERITY_COLOURS["warning"]),
        LegendEntry(_("with a conflict"), SEVERITY_COLOURS["conflict"]),
    ]
    overlays = neighbours + finding_blackouts(session, found.values())
    add_legend(m, legend + add_overlays(m, overlays))
    return render(m)


def _finding_words(findings: Findings | None) -> str:
    if findings is None:
        return _("not live: no finding")
    return _(
        "%(conflicts)s conflict(s), %(warnings)s warning(s)",
        conflicts=len(findings.conflicts),
        warnings=len(findings.warnings),
    )


def public_map(shoots: list[dict[str, Any]]) -> Markup:
    """The public shoots (permits.public.public_shoots): footprints and parking zones, and a
    clustered marker per shoot to find them from afar. Each footprint carries the public
    fields as the OGC API serves them, and their wording for the popup."""
    footprints, parking, spots = [], [], []
    for shoot in shoots:
        shown = public_fields_json(shoot)
        popup = {
            "title": shoot["production"] or _("A production (title not published)"),
            "when": period(shoot["start"], shoot["end"]),
            "where": ", ".join(p for p in (shoot["place"], ", ".join(shoot["communes"])) if p),
            "impacts": street_impacts(
                shoot["road_closure"], shoot["parking_suspension"], shoot["night_shoot"]
            ),
        }
        del shown["parking"]  # drawn as the parking layer
        footprints.append(feature(shoot["footprint"], {**shown, **popup}, shoot["id"]))
        spots.append(feature(shoot["spot"], popup, shoot["id"]))
        if shoot["parking"]:
            parking.append(feature(shoot["parking"], popup, shoot["id"]))
    m = base_map(bounds=feature_bounds(footprints), zoom=PUBLIC_MAX_ZOOM)
    add_polygons(m, feature_collection(footprints), _("Approved shoots"), PUBLIC_FOOTPRINT,
                 popup_fields=PUBLIC_POPUP)  # fmt: skip
    legend = [LegendEntry(_("Approved shoot"), PUBLIC_FOOTPRINT["color"])]
    if parking:
        add_polygons(m, feature_collection(parking), _("Parking"), PUBLIC_PARKING, PUBLIC_POPUP)
        legend.append(LegendEntry(_("Parking"), PUBLIC_PARKING["color"]))
    add_clustered_points(m, spots, _("Shoots"), PUBLIC_POPUP)
    add_legend(m, legend)
    return render(m)
