"""The maps of the location pages, drawn with core.mapping.builder (clustered points, outlines)."""

from __future__ import annotations

from typing import Any

from flask import url_for
from flask_babel import gettext as _
from markupsafe import Markup

from core.mapping import palette
from core.mapping.builder import (
    add_clustered_points,
    add_polygons,
    base_map,
    feature_bounds,
    feature_collection,
    render,
)
from core.mapping.drawing import DrawnLayer, add_drawing
from locations.api import MAP_POPUP_FIELDS
from locations.operations import Neighbour, SearchResult
from locations.schemas import LocationSearch

OUTLINE_STYLE = {"color": palette.LOCATION, "weight": 2, "fillOpacity": 0.15}


def _point(feature: dict[str, Any]) -> dict[str, Any]:
    properties = feature["properties"]
    return {
        "type": "Feature",
        "geometry": feature["geometry"],
        "properties": {"name": properties["name"], "commune": properties["commune"]["name"]},
    }


def search_map(criteria: LocationSearch, result: SearchResult, args: dict[str, Any]) -> Markup:
    """Every match, clustered. When they do not all fit on the page, the browser fetches them
    from the map-points API (the same filters), so the page stays small."""
    everything_on_page = result.matched <= len(result.features)
    bounds = criteria.bbox_values or (
        # With more matches than the page shows, the map frames Wallonia, unless the search is
        # around a point: then the page holds the nearest ones.
        feature_bounds(result.features) if everything_on_page or criteria.near else None
    )
    m = base_map(bounds=bounds, zoom=15)
    name = _("Locations")
    if everything_on_page:
        add_clustered_points(m, [_point(f) for f in result.features], name, MAP_POPUP_FIELDS)
    else:
        add_clustered_points(
            m, None, name, MAP_POPUP_FIELDS, url=url_for("locations_api.map_points", **args)
        )
    return render(m)


def detail_map(feature: dict[str, Any], nearby: list[Neighbour]) -> Markup:
    """The location's point and outline, and its published neighbours."""
    outline = feature["properties"]["outline"]
    shapes = [{"type": "Feature", "geometry": outline, "properties": {}}] if outline else []
    neighbours = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [n.lon, n.lat]},
            "properties": {"name": n.location.name, "commune": n.location.commune.name()},
        }
        for n in nearby
    ]
    m = base_map(bounds=feature_bounds([feature, *shapes, *neighbours[:2]]), zoom=16)
    if shapes:
        add_polygons(m, feature_collection(shapes), _("Site outline"), OUTLINE_STYLE)
    # A fixed layer name: Leaflet's layer control shows layer names as HTML, never user text.
    add_clustered_points(m, [_point(feature)], _("This location"), MAP_POPUP_FIELDS)
    if neighbours:
        add_clustered_points(m, neighbours, _("Nearby locations"), MAP_POPUP_FIELDS)
    return render(m)


ENTRY_PLACE_BOX = "map-place"  # the id of the form's "find a place" box (templates/locations)


def entry_map(point: tuple[float, float] | None, outline: dict[str, Any] | None) -> Markup:
    """The location form's map: the point is placed with a click and dragged, the site outline
    drawn and edited; the map writes the form's lon, lat and outline fields."""
    features = [{"type": "Feature", "geometry": outline, "properties": {}}] if outline else []
    if point is not None:
        features.append({"type": "Feature", "geometry": _point_geometry(point), "properties": {}})
    bounds = feature_bounds(features)
    m = base_map(bounds=bounds, zoom=17) if bounds else base_map()
    add_drawing(
        m,
        [
            DrawnLayer(
                "point",
                _("Point"),
                "lon lat",
                _point_geometry(point) if point else None,
                kind="point",
            ),
            DrawnLayer("outline", _("Site outline"), "outline", outline),
        ],
        place_box=ENTRY_PLACE_BOX,
    )
    return render(m)


def _point_geometry(point: tuple[float, float]) -> dict[str, Any]:
    return {"type": "Point", "coordinates": list(point)}
