"""The permits maps (inbox and public page), drawn with the shared maps builder."""

from __future__ import annotations

import json
from typing import Any

from flask_babel import format_datetime
from flask_babel import gettext as _
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.communes.operations import commune_with_geojson
from core.geo import as_geojson, feature
from core.mapping.builder import (
    LegendEntry,
    add_legend,
    add_polygons,
    base_map,
    feature_bounds,
    feature_collection,
    render,
)
from permits.models import STATUS_LABELS, PermitRequest, PermitShoot, PermitStatus

STATUS_COLOURS = {
    PermitStatus.DRAFT: "#9e9e9e",
    PermitStatus.SUBMITTED: "#f9a825",
    PermitStatus.IN_REVIEW: "#ef6c00",
    PermitStatus.CHANGES_REQUESTED: "#8e24aa",
    PermitStatus.APPROVED: "#2e7d32",
    PermitStatus.APPROVED_WITH_CONDITIONS: "#558b2f",
    PermitStatus.REJECTED: "#c62828",
    PermitStatus.WITHDRAWN: "#616161",
}


def when(start: Any, end: Any) -> str:
    return f"{format_datetime(start, 'd MMM yyyy HH:mm')} – {format_datetime(end, 'HH:mm')}"


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
    outline = [feature(boundary[1], {"name": boundary[0].name_fr}, commune_nis)] if boundary else []
    m = base_map(bounds=feature_bounds(outline + parts))
    if outline:
        add_polygons(
            m,
            feature_collection(outline),
            _("Commune"),
            {"color": "#333", "weight": 2, "fillOpacity": 0.03},
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


BEFORE_COLOUR, AFTER_COLOUR = "#616161", "#d62728"


def amendment_map(before: dict[str, Any], after: dict[str, Any]) -> Markup:
    """An amendment on one map: the approved footprint and parking (grey, dashed) under the
    proposed ones (red and blue)."""
    layers = [
        (_("Approved footprint"), before["footprint"], BEFORE_COLOUR, "6 4", 0.15),
        (_("Approved parking"), before["parking"], BEFORE_COLOUR, "2 4", 0.05),
        (_("Proposed footprint"), after["footprint"], AFTER_COLOUR, None, 0.4),
        (_("Proposed parking"), after["parking"], "#1f77b4", None, 0.3),
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
            LegendEntry(_("proposed parking"), "#1f77b4"),
        ],
    )
    return render(m)


def public_map(shoots: list[dict[str, Any]]) -> Markup:
    """Approved upcoming shoots' footprints, with the public fields only."""
    features = [
        feature(
            shoot["geometry"],
            {
                "title": shoot["title"] or _("A production (title not published)"),
                "when": when(shoot["start"], shoot["end"]),
                "place": shoot["place"],
            },
            number,
        )
        for number, shoot in enumerate(shoots, start=1)
    ]
    m = base_map(bounds=feature_bounds(features))
    add_polygons(
        m,
        feature_collection(features),
        _("Approved shoots"),
        {"color": "#2e7d32", "fillColor": "#2e7d32", "weight": 2, "fillOpacity": 0.45},
        popup_fields=[("title", _("Production")), ("when", _("When")), ("place", _("Where"))],
    )
    add_legend(m, [LegendEntry(_("Approved shoot"), "#2e7d32")])
    return render(m)
