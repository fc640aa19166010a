"""Build every Tournages map from plain data: one base map, layers, legends and popups.

Usage in a view::

    m = base_map(bounds=feature_bounds(features))
    add_polygons(m, feature_collection(features), _("Footprints"), {"color": FOOTPRINT},
                 popup_fields=[("title", _("Production")), ("when", _("When"))])
    add_clustered_points(m, points, _("Locations"), popup_fields=[("name", _("Name"))])
    add_legend(m, [LegendEntry(_("Footprint"), FOOTPRINT)])    # core.mapping.palette
    return render_template("page.html", map_html=render(m))     # {{ map_html }} in the page

Data goes to the browser as JSON and the runtime (core/mapping/static/tournages-maps.js) builds
popups and legends with textContent, so user text is never interpreted as HTML or JavaScript.
`render` calls each element's template macros once and joins their output, so no text (user
text least of all) is ever compiled as a template. Scripts and styles come from our static files
(core.mapping.assets). Coordinates follow GeoJSON: (lon, lat).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

import folium
from branca.element import Element, MacroElement
from flask import current_app
from flask_babel import gettext as _
from folium.elements import ElementAddToElement, JSCSSMixin
from folium.map import Class, Layer, LayerControl
from folium.template import Template
from markupsafe import Markup
from pydantic import BaseModel

from core.geo import feature
from core.mapping.assets import self_host
from core.mapping.safety import escape_text, script_json
from core.security import with_script_nonces

# (min_lon, min_lat, max_lon, max_lat), as a GeoJSON bbox
BBox = tuple[float, float, float, float]
# a property name, or (property name, label shown in the popup)
PopupField = str | tuple[str, Any]

WALLONIA_BBOX: BBox = (2.84, 49.48, 6.41, 50.82)
MIN_ZOOM = 7  # all of Wallonia on a phone screen
COORDINATE_DECIMALS = 5  # about 1 m: enough to place a marker, and a compact payload
_COLOUR = re.compile(r"^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")


class _Map(folium.Map):
    """folium's Map without its full-page styles (html, body and #map at 100 %): the map sits in
    a page of ours, sized by the .tm-map class, and keeps its runtime's assets."""

    default_js: ClassVar[list[tuple[str, str]]] = [
        *folium.Map.default_js,
        ("tournages_maps_js", ""),
    ]
    default_css: ClassVar[list[tuple[str, str]]] = [
        *folium.Map.default_css,
        ("tournages_maps_css", ""),
    ]

    def __init__(self, **kwargs: Any) -> None:
        # Leaflet's own zoom buttons are titled in English: ours, in the page's language.
        super().__init__(zoom_control=False, **kwargs)
        self.zoom_texts = {"zoomInTitle": _("Zoom in"), "zoomOutTitle": _("Zoom out")}

    _template = Template(
        """
        {% macro html(this, kwargs) %}
            <div class="folium-map tm-map" id={{ this.get_name()|tojson }}></div>
        {% endmacro %}
        {% macro script(this, kwargs) %}
            var {{ this.get_name() }} = L.map({{ this.get_name()|tojson }}, {
                center: {{ this.location|tojson }},
                crs: L.CRS.{{ this.crs }},
                ...{{ this.options|tojavascript }}
            });
            L.control.zoom({{ this.zoom_texts|tojson }}).addTo({{ this.get_name() }});
            L.control.scale({imperial: false}).addTo({{ this.get_name() }});
        {% endmacro %}
        """
    )


class _DataLayer(JSCSSMixin, Layer):
    """A layer made by one call of the runtime with JSON arguments (an overlay in the control)."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            var {{ this.get_name() }} = TournagesMaps.{{ this.factory }}(
                {{ this.data }}, {{ this.options }});
        {% endmacro %}
        """
    )

    def __init__(self, factory: str, data: Any, options: dict[str, Any], name: str) -> None:
        # Leaflet's layer control shows layer names with innerHTML: the name goes in as HTML text.
        super().__init__(name=str(escape_text(name)), overlay=True, control=True, show=True)
        self._name = "DataLayer"
        self.factory = factory
        self.data = script_json(data)
        self.options = script_json(options)


class _MarkerClusterLayer(_DataLayer):
    """Clustered points; a payload fetched from a URL is preloaded while the scripts load."""

    default_js: ClassVar[list[tuple[str, str]]] = [("markerclusterjs", "")]
    default_css: ClassVar[list[tuple[str, str]]] = [
        ("markerclustercss", ""),
        ("markerclusterdefaultcss", ""),
    ]
    _template = Template(
        """
        {% macro header(this, kwargs) %}
            {% if this.url %}
            <link rel="preload" href="{{ this.url|e }}" as="fetch" crossorigin="anonymous">
            {% endif %}
        {% endmacro %}
        {% macro script(this, kwargs) %}
            var {{ this.get_name() }} = TournagesMaps.{{ this.factory }}(
                {{ this.data }}, {{ this.options }});
        {% endmacro %}
        """
    )

    def __init__(self, data: Any, url: str | None, name: str) -> None:
        super().__init__("clusteredPoints", data, {"url": url}, name)
        self.url = url


class _Legend(folium.MacroElement):
    _template = Template(
        """
        {% macro script(this, kwargs) %}
            TournagesMaps.legend({{ this.entries }}, {{ this.options }})
                .addTo({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self, entries: list[dict[str, str]], options: dict[str, str]) -> None:
        super().__init__()
        self._name = "Legend"
        self.entries = script_json(entries)
        self.options = script_json(options)


@dataclass(frozen=True)
class LegendEntry:
    label: Any  # str or lazy string: shown as text, never as HTML
    color: str  # "#rgb" or "#rrggbb"
    shape: str = "square"  # square, circle, line or hatched

    def as_json(self) -> dict[str, str]:
        if not _COLOUR.match(self.color):
            raise ValueError(f"legend colour must be #rgb or #rrggbb, got {self.color!r}")
        if self.shape not in {"square", "circle", "line", "hatched"}:
            raise ValueError(f"unknown legend shape {self.shape!r}")
        return {"label": str(self.label), "color": self.color, "shape": self.shape}


# ---- the map -----------------------------------------------------------------------------------


def base_map(
    bounds: BBox | None = None,
    center: tuple[float, float] | None = None,
    zoom: int | None = None,
) -> folium.Map:
    """A map with OpenStreetMap and the SPW orthophotos as switchable base layers.

    BOUNDS (min_lon, min_lat, max_lon, max_lat) is fitted, zooming in no further than ZOOM
    (default 17); else CENTER (lon, lat) is shown at ZOOM (default 14); else all of Wallonia.
    Tile URL templates come from the config keys TOURNAGES_TILES_OSM and TOURNAGES_TILES_ORTHO.
    Tiles that cannot be fetched leave the vector layers drawn.
    """
    config = current_app.config
    if center is not None:
        m = _Map(location=(center[1], center[0]), zoom_start=zoom or 14, tiles=None)
    else:
        m = _Map(location=(50.35, 4.8), zoom_start=8, tiles=None)
        west, south, east, north = bounds or WALLONIA_BBOX
        m.fit_bounds([[south, west], [north, east]], max_zoom=zoom or 17)
    # Nobody needs the world: fewer zoom levels also mean less clustering work. (folium's
    # min_zoom argument only reaches the tile layer.)
    m.options["min_zoom"] = MIN_ZOOM
    folium.TileLayer(
        config["TOURNAGES_TILES_OSM"],
        attr="© OpenStreetMap contributors",
        name=_("Map (OpenStreetMap)"),
        max_zoom=19,
    ).add_to(m)
    folium.TileLayer(
        config["TOURNAGES_TILES_ORTHO"],
        attr="© Service public de Wallonie",
        name=_("Aerial photos (SPW)"),
        max_zoom=20,
        max_native_zoom=19,
        show=False,
    ).add_to(m)
    return m


def add_polygons(
    m: folium.Map,
    feature_collection: Mapping[str, Any],
    name: Any,
    style: Mapping[str, Any] | None = None,
    popup_fields: Sequence[PopupField] = (),
) -> Layer:
    """Draw a GeoJSON FeatureCollection (polygons or lines) as one overlay named NAME.

    STYLE holds Leaflet path options (color, weight, fillColor, fillOpacity, dashArray,
    className). A feature's ``properties["style"]`` overrides them for that feature: this is how
    later layers mark conflicts in red or blackout periods (className "tm-hatched").
    POPUP_FIELDS lists the properties shown on click, the first one as the title.
    """
    options = {"style": dict(style or {}), "fields": _popup_fields(popup_fields)}
    return _DataLayer("polygons", dict(feature_collection), options, str(name)).add_to(m)


def add_clustered_points(
    m: folium.Map,
    features: Iterable[Mapping[str, Any]] | None,
    name: Any,
    popup_fields: Sequence[PopupField] = (),
    *,
    url: str | None = None,
) -> Layer:
    """Point features as markers clustered in the browser (leaflet.markercluster).

    The points travel as one compact JSON payload (`compact_points`), inline in the page, or
    fetched from URL (features then None) when the set is large: the page stays small and no
    JavaScript statement is written per marker.
    """
    if (features is None) == (url is None):
        raise ValueError("give either features or url")
    payload = None if features is None else compact_points(features, popup_fields)
    layer = _MarkerClusterLayer(payload, url, str(name))
    return layer.add_to(m)


def add_legend(m: folium.Map, entries: Sequence[LegendEntry], title: Any = None) -> None:
    """A legend in the lower right corner; labels are shown as text."""
    options = {"title": str(title)} if title else {}
    _Legend([entry.as_json() for entry in entries], options).add_to(m)


def render(m: folium.Map) -> Markup:
    """The map as a snippet for a Jinja page: its links, its element and its script.

    Put it once in the page body (``{{ map_html }}``); scripts load in order, so nothing else is
    needed in the page head. Raises core.mapping.assets.UnhostedAsset if an element needs an asset
    we do not serve ourselves, UnsupportedElement if it renders in a way `render` does not
    reproduce.

    branca's own rendering wraps each macro's output in ``Element(text)``, which compiles TEXT as
    a new Jinja template and renders it again: data embedded in a layer (a location called
    ``{{ 7*191 }}``) would be evaluated, and ``{{ x`` would raise. Here every macro is called
    once and its output is only concatenated.
    """
    if not any(isinstance(child, LayerControl) for child in m._children.values()):
        LayerControl(collapsed=False).add_to(m)
    figure = m.get_root()
    self_host(figure)
    sections = _Sections()
    for child in figure._children.values():
        _render_once(child, sections)
    html = (
        f"{sections.joined('header')}\n{sections.joined('html')}\n"
        f"<script>\n{sections.joined('script')}\n</script>"
    )
    return Markup(with_script_nonces(html))  # the CSP runs only scripts with this request's nonce


class UnsupportedElement(RuntimeError):
    """A map element whose render() does something `render` does not reproduce."""


# The render() methods whose effects _render_once reproduces; any other override could do
# something we would silently leave out, so its element is refused.
_REPRODUCED_RENDERS = frozenset(
    {
        MacroElement.render,  # the header, html and script macros, then the children
        JSCSSMixin.render,  # links to the element's scripts and styles
        Class.render,  # Leaflet class includes (refused below when there are any)
        Layer.render,  # a shown layer is added to its parent
        LayerControl.render,  # the control lists its siblings that are layers
        ElementAddToElement.render,
    }
)


@dataclass
class _Sections:
    """The page parts branca's Figure collects, in its order: a name given twice keeps its first
    place and its last text (an asset two elements need is linked once)."""

    header: dict[str, str] = field(default_factory=dict)
    html: dict[str, str] = field(default_factory=dict)
    script: dict[str, str] = field(default_factory=dict)

    def joined(self, section: str) -> str:
        return "\n".join(getattr(self, section).values())


def _render_once(element: Element, sections: _Sections) -> None:
    """ELEMENT and its children into SECTIONS, in the order of branca's MacroElement.render."""
    _check_reproducible(element)
    if isinstance(element, JSCSSMixin):
        for name, url in element.default_js:
            sections.header[name] = Markup('<script src="{}"></script>').format(url)
        for name, url in element.default_css:
            sections.header[name] = Markup('<link rel="stylesheet" href="{}"/>').format(url)
    if isinstance(element, Layer) and element.show:
        adding = ElementAddToElement(element.get_name(), element._parent.get_name())
        element.add_child(adding, name=element.get_name() + "_add")
    if isinstance(element, LayerControl):
        _list_layers(element)
    macros = element._template.module.__dict__
    for section in ("header", "html", "script"):
        if (macro := macros.get(section)) is not None:
            getattr(sections, section)[element.get_name()] = str(macro(element, {}))
    for child in element._children.values():
        _render_once(child, sections)


def _check_reproducible(element: Element) -> None:
    kind = type(element)
    if not isinstance(element, MacroElement):
        raise UnsupportedElement(f"{kind.__name__} is not a folium MacroElement")
    overrides = kind.__mro__[: kind.__mro__.index(MacroElement) + 1]
    unknown = [cls for cls in overrides if vars(cls).get("render", MacroElement.render)
               not in _REPRODUCED_RENDERS]  # fmt: skip
    if unknown or (isinstance(element, Class) and element.includes):
        raise UnsupportedElement(
            f"{kind.__name__} renders in a way core.mapping.builder.render does not reproduce: "
            "draw it with the builder's functions, or teach render its render() first."
        )


def _list_layers(control: LayerControl) -> None:
    """What folium's LayerControl.render does before its macros: list its siblings."""
    control.reset()
    for item in control._parent._children.values():
        if isinstance(item, Layer) and item.control:
            listing = control.overlays if item.overlay else control.base_layers
            listing[item.layer_name] = item.get_name()


# ---- data ------------------------------------------------------------------------------------


def _popup_fields(fields: Sequence[PopupField]) -> list[list[str]]:
    pairs = [(field, field) if isinstance(field, str) else field for field in fields]
    return [[str(key), str(label)] for key, label in pairs]


class PointsPayload(BaseModel):
    """Compact points: labels of the popup values, then [lat, lon, *values] per point."""

    fields: list[str]
    points: list[list[float | str | None]]


def compact_points(
    features: Iterable[Mapping[str, Any]], popup_fields: Sequence[PopupField] = ()
) -> dict[str, Any]:
    """Point features as ``{"fields": [labels], "points": [[lat, lon, *values], …]}``.

    About 25 bytes per point plus the popup values: a tenth of the same data as GeoJSON.
    """
    fields = _popup_fields(popup_fields)
    points = []
    for item in features:
        lon, lat = item["geometry"]["coordinates"][:2]
        properties = item.get("properties") or {}
        points.append(
            [
                round(lat, COORDINATE_DECIMALS),
                round(lon, COORDINATE_DECIMALS),
                *(properties.get(key) for key, _label in fields),
            ]
        )
    return {"fields": [label for _key, label in fields], "points": points}


def features_from_rows(
    rows: Iterable[Mapping[str, Any]], geometry: str = "geometry", id_key: str = "id"
) -> list[dict[str, Any]]:
    """GeoJSON features from query rows (mappings, e.g. ``session.execute(…).mappings()``).

    The GEOMETRY column holds GeoJSON text, as core.geo.as_geojson produces it; the other
    columns become properties.
    """
    features = []
    for row in rows:
        properties = {k: v for k, v in row.items() if k not in (geometry, id_key)}
        shape = row[geometry]
        features.append(feature(json.loads(shape) if shape else None, properties, row.get(id_key)))
    return features


def feature_collection(features: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    return {"type": "FeatureCollection", "features": list(features)}


def feature_bounds(features: Iterable[Mapping[str, Any]]) -> BBox | None:
    """The bbox of the features' geometries, or None when there are none."""
    lons: list[float] = []
    lats: list[float] = []
    for item in features:
        for lon, lat in _positions((item.get("geometry") or {}).get("coordinates")):
            lons.append(lon)
            lats.append(lat)
    if not lons:
        return None
    return (min(lons), min(lats), max(lons), max(lats))


def _positions(coordinates: Any) -> Iterable[tuple[float, float]]:
    if not coordinates:
        return
    if isinstance(coordinates[0], int | float):
        yield coordinates[0], coordinates[1]
        return
    for part in coordinates:
        yield from _positions(part)
