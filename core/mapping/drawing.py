"""Geometries entered on a map: a form's point, outline, footprint, parking or blackout area is
drawn, edited (vertices dragged) and deleted with the mouse, and the map writes the form's
fields. The fields stay the form's (core.forms.GeoJSONField, DecimalCommaField): the server
validates what they hold (core.geo), exactly as when GeoJSON is pasted.

Usage in a view::

    m = base_map(center=NAMUR)
    add_drawing(m, [DrawnLayer("footprint", _("Footprint"), "footprint", geometry)])
    html = render(m)

The browser side is `TournagesMaps.drawing` (core/mapping/static/tournages-maps.js), on
leaflet-draw (vendored, core.mapping.assets). Every label, and leaflet-draw's own tooltips and
buttons, reach the page as JSON data in the page's language, never as template or HTML source.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import folium
from flask_babel import gettext as _
from folium.elements import JSCSSMixin
from folium.template import Template

from core.mapping import palette
from core.mapping.safety import script_json

# What people draw, in the colours it has on every map (core.mapping.palette).
DRAWING_STYLES: dict[str, dict[str, Any]] = {
    "footprint": {"color": palette.FOOTPRINT, "weight": 3, "fillOpacity": 0.25},
    "parking": {"color": palette.PARKING, "weight": 3, "fillOpacity": 0.25, "dashArray": "6 4"},
    "point": {"color": palette.MARKER},
    "outline": {"color": palette.LOCATION, "weight": 3, "fillOpacity": 0.15},
    "area": {"color": palette.BLACKOUT, "weight": 3, "fillOpacity": 0.2},
}
# How far the map zooms in on a place chosen in its search box, or on a point given.
PLACE_ZOOM = 16


@dataclass(frozen=True)
class DrawnLayer:
    """One geometry of a form, drawn on the map.

    KEY names it (and picks its style in DRAWING_STYLES); FIELD is the id of the form field the
    map writes: a GeoJSON text field for an area, or, for KIND "point", the ids of the
    longitude and latitude fields as ``"lon lat"``. GEOMETRY is the current value (GeoJSON,
    WGS84). MULTIPLE: each shape drawn is added (several parking zones); otherwise a new shape
    replaces the old one, so what the map shows is what is saved.
    """

    key: str
    label: Any
    field: str
    geometry: dict[str, Any] | None = None
    kind: str = "area"  # or "point"
    multiple: bool = False

    def as_json(self) -> dict[str, Any]:
        if self.kind not in ("area", "point"):
            raise ValueError(f"unknown drawing kind {self.kind!r}")
        return {
            "key": self.key,
            "label": str(self.label),
            "field": self.field,
            "geometry": self.geometry,
            "kind": self.kind,
            "multiple": self.multiple,
            "style": DRAWING_STYLES.get(self.key, DRAWING_STYLES["area"]),
        }


class _Drawing(JSCSSMixin, folium.MacroElement):
    default_js: ClassVar[list[tuple[str, str]]] = [("leaflet_draw_js", "")]
    default_css: ClassVar[list[tuple[str, str]]] = [("leaflet_draw_css", "")]
    _template = Template(
        """
        {% macro script(this, kwargs) %}
            var {{ this.get_name() }} = TournagesMaps.drawing(
                {{ this._parent.get_name() }}, {{ this.data }});
        {% endmacro %}
        """
    )

    def __init__(self, data: dict[str, Any]) -> None:
        super().__init__()
        self._name = "Drawing"
        self.data = script_json(data)


def add_drawing(m: folium.Map, layers: list[DrawnLayer], place_box: str | None = None) -> str:
    """Let people draw LAYERS on M; returns the JavaScript name of the drawing (its controller).

    With several layers a switch on the map says which one is being drawn. PLACE_BOX is the id
    of a place picker (locations.picker) whose chosen place the map zooms to.
    """
    data = {
        "layers": [layer.as_json() for layer in layers],
        "texts": drawing_texts(),
        "placeBox": place_box,
        "placeZoom": PLACE_ZOOM,
    }
    drawing = _Drawing(data)
    drawing.add_to(m)
    return drawing.get_name()


def drawing_texts() -> dict[str, Any]:
    """leaflet-draw's texts (its L.drawLocal) and the drawing switch's, in the page's language.
    Plain text: the runtime escapes them before leaflet-draw writes them as HTML."""
    return {
        "choose": _("Draw on the map:"),
        "point": _("Click on the map to place the point, or drag the marker."),
        "around": {
            # %(layer)s, %(size)s and %(place)s are filled in by the runtime (as text)
            "done": _("%(layer)s drawn: %(size)s m around %(place)s."),
            "noPlace": _("First find a place in the box above and choose it in the list."),
        },
        "draw": {
            "toolbar": {
                "actions": {"title": _("Cancel drawing"), "text": _("Cancel")},
                "finish": {"title": _("Finish drawing"), "text": _("Finish")},
                "undo": {"title": _("Delete the last point drawn"), "text": _("Delete last point")},
                "buttons": {"polygon": _("Draw a polygon"), "rectangle": _("Draw a rectangle")},
            },
            "handlers": {
                "polygon": {
                    "tooltip": {
                        "start": _("Click to start drawing the shape."),
                        "cont": _("Click to continue drawing the shape."),
                        "end": _("Click the first point to close the shape."),
                    }
                },
                "polyline": {"error": _("The shape's edges cannot cross.")},
                "rectangle": {"tooltip": {"start": _("Click and drag to draw a rectangle.")}},
                "simpleshape": {"tooltip": {"end": _("Release the mouse to finish drawing.")}},
            },
        },
        "edit": {
            "toolbar": {
                "actions": {
                    "save": {"title": _("Keep the changes"), "text": _("Done")},
                    "cancel": {"title": _("Cancel editing, undo the changes"), "text": _("Cancel")},
                    "clearAll": {"title": _("Delete every shape"), "text": _("Delete all")},
                },
                "buttons": {
                    "edit": _("Edit the shapes (move their corners)"),
                    "editDisabled": _("Nothing to edit"),
                    "remove": _("Delete shapes"),
                    "removeDisabled": _("Nothing to delete"),
                },
            },
            "handlers": {
                "edit": {
                    "tooltip": {
                        "text": _("Drag the corners to change the shape."),
                        "subtext": _("Cancel undoes the changes."),
                    }
                },
                "remove": {"tooltip": {"text": _("Click a shape to delete it.")}},
            },
        },
    }
