"""The package's maps, built with core.mapping.builder: shoot footprints, and drawing one in
the form."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from folium.plugins import Draw
from markupsafe import Markup

from core.mapping.builder import (
    LegendEntry,
    add_legend,
    add_polygons,
    base_map,
    feature_bounds,
    feature_collection,
    render,
)

NAMUR = (4.8617, 50.4596)
COLOURS = {"conflict": "#c62828", "warning": "#ef6c00", None: "#1565c0"}


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


def drawing_map(footprint: dict[str, Any] | None) -> tuple[Markup, str]:
    """A map to draw the footprint on (polygons and rectangles), showing the current one.

    Returns the map and the name of its JavaScript variable, which shoots/static/shoot-form.js
    uses to copy a drawn shape into the footprint field.
    """
    features = [{"type": "Feature", "geometry": footprint, "properties": {}}] if footprint else []
    bounds = feature_bounds(features)
    m = base_map(bounds=bounds) if bounds else base_map(center=NAMUR, zoom=14)
    if features:
        add_polygons(m, feature_collection(features), _("Current footprint"), {"weight": 2})
    Draw(
        draw_options={
            "polyline": False,
            "circle": False,
            "circlemarker": False,
            "marker": False,
            "polygon": {"allowIntersection": False},
        },
        edit_options={"edit": False, "remove": False},
        show_geometry_on_click=False,
    ).add_to(m)
    return render(m), m.get_name()
