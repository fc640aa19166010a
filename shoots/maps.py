"""The package's maps, built with core.mapping.builder: shoot footprints, and drawing one in
the form."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from markupsafe import Markup
from sqlalchemy.orm import Session

from core.communes.operations import commune_with_geojson
from core.geo import feature
from core.mapping.builder import (
    LegendEntry,
    add_legend,
    add_polygons,
    base_map,
    feature_bounds,
    feature_collection,
    render,
)
from core.mapping.drawing import DRAWING_STYLES, DrawnLayer, add_drawing
from shoots.map_layers import (
    BLACKOUT_COLOUR,
    NEIGHBOUR_COLOUR,
    SEVERITY_COLOURS,
    Overlay,
    add_overlays,
)

NAMUR = (4.8617, 50.4596)
BOUNDARY_STYLE = {"color": NEIGHBOUR_COLOUR, "weight": 2, "fillOpacity": 0.03}
COLOURS = {**SEVERITY_COLOURS, None: DRAWING_STYLES["footprint"]["color"]}


def footprints_map(features: list[dict[str, Any]]) -> Markup:
    """Footprints (GeoJSON features with title, when, severity) coloured by their worst finding."""
    for item in features:
        item["properties"]["style"] = {"color": COLOURS[item["properties"].pop("severity")]}
    m = base_map(bounds=feature_bounds(features))
    add_polygons(
        m,
        feature_collection(features),
        _("Footprints"),
        {"weight": 2, "fillOpacity": 0.3},
        popup_fields=[("title", _("Shoot")), ("when", _("When"))],
    )
    add_legend(
        m,
        [
            LegendEntry(_("no finding"), COLOURS[None]),
            LegendEntry(_("warning"), COLOURS["warning"]),
            LegendEntry(_("conflict"), COLOURS["conflict"]),
        ],
    )
    return render(m)


@dataclass(frozen=True)
class DrawingMap:
    """The shoot form's map: its HTML and the JavaScript names of the map and its drawing."""

    html: Markup
    map_name: str
    drawing_name: str


PLACE_BOX = "map-place"  # the id of the form's "find a place" box


def drawing_legend() -> list[LegendEntry]:
    """What the shoot form's map shows, drawn or around (the colours of their owners)."""
    return [
        LegendEntry(_("Footprint"), DRAWING_STYLES["footprint"]["color"]),
        LegendEntry(_("Unit base / parking"), DRAWING_STYLES["parking"]["color"]),
        LegendEntry(_("Other shoots of the period"), NEIGHBOUR_COLOUR),
        LegendEntry(_("Clashes with the shoot drawn"), SEVERITY_COLOURS["conflict"]),
        LegendEntry(_("Blackout period"), BLACKOUT_COLOUR, shape="hatched"),
        LegendEntry(_("Library location"), DRAWING_STYLES["point"]["color"], shape="circle"),
    ]


def drawing_map(
    footprint: dict[str, Any] | None,
    parking: dict[str, Any] | None,
    overlays: list[Overlay],
) -> DrawingMap:
    """A map to draw the footprint (one area: a new shape replaces it) and the parking zones
    (added one by one) on, each shape editable and deletable, with OVERLAYS (what a refusal
    named) under them. shoots/static/shoot-form.js adds the period's other shoots, blackouts
    and library locations, and the live conflict check."""
    drawn = [
        {"type": "Feature", "geometry": g, "properties": {}} for g in (footprint, parking) if g
    ]
    bounds = feature_bounds(drawn)
    m = base_map(bounds=bounds, zoom=17) if bounds else base_map(center=NAMUR, zoom=14)
    add_overlays(m, overlays)
    drawing = add_drawing(
        m,
        [
            DrawnLayer("footprint", _("Footprint"), "footprint", footprint),
            DrawnLayer("parking", _("Unit base / parking"), "parking", parking, multiple=True),
        ],
        place_box=PLACE_BOX,
    )
    add_legend(m, drawing_legend())
    return DrawingMap(render(m), m.get_name(), drawing)


def blackout_map(session: Session, area: dict[str, Any] | None, nis: str) -> Markup:
    """The blackout form's map: the area drawn (empty: the whole commune), edited and deleted
    with the mouse, over the boundary of the commune NIS when there is one."""
    found = commune_with_geojson(session, nis) if nis.isdigit() and len(nis) == 5 else None
    boundary = [feature(found[1], {"title": found[0].name()}, nis)] if found else []
    drawn = [feature(area, {}, None)] if area else []
    bounds = feature_bounds(drawn or boundary)
    m = base_map(bounds=bounds) if bounds else base_map()
    if boundary:
        add_polygons(m, feature_collection(boundary), _("Commune"), BOUNDARY_STYLE)
    add_drawing(m, [DrawnLayer("area", _("Blackout area"), "area", area)], place_box=PLACE_BOX)
    return render(m)
