"""Serve every script and style of a map from the app's own static files.

folium elements list their assets as ``default_js`` / ``default_css`` pairs ``(name, url)`` with
CDN URLs. Before a map is rendered, `self_host` rewrites them: a name we vendor
(core/static/vendor, see scripts/vendor-assets.sh and VERSIONS.txt) points to our static file, a
name we deliberately do without is dropped, and any other name stops the rendering with an error
naming it, so that a page can never quietly load something from the internet.
"""

from __future__ import annotations

from collections.abc import Iterator

from branca.element import Element
from flask import url_for
from folium.elements import JSCSSMixin
from folium.map import Popup, Tooltip

# folium's asset name -> (Flask endpoint, filename): files vendored from npm, pinned in
# package.json and recorded in core/static/vendor/VERSIONS.txt.
SELF_HOSTED: dict[str, tuple[str, str]] = {
    # folium.Map
    "leaflet": ("static", "vendor/leaflet/leaflet.js"),
    "leaflet_css": ("static", "vendor/leaflet/leaflet.css"),
    # folium.plugins.MarkerCluster, and our clustered points
    "markerclusterjs": ("static", "vendor/leaflet.markercluster/leaflet.markercluster.js"),
    "markerclustercss": ("static", "vendor/leaflet.markercluster/MarkerCluster.css"),
    "markerclusterdefaultcss": (
        "static",
        "vendor/leaflet.markercluster/MarkerCluster.Default.css",
    ),
    # folium.plugins.Draw (footprints and parking areas)
    "leaflet_draw_js": ("static", "vendor/leaflet-draw/leaflet.draw.js"),
    "leaflet_draw_css": ("static", "vendor/leaflet-draw/leaflet.draw.css"),
    # the maps package's own runtime: popups, legends and clustering built from JSON
    "tournages_maps_js": ("mapping.static", "tournages-maps.js"),
    "tournages_maps_css": ("mapping.static", "tournages-maps.css"),
}

# folium.Map's defaults we do without: jQuery and Bootstrap serve only folium.Popup (which the
# builder refuses, see `self_host`) and the awesome-markers icons, which we do not use.
NOT_NEEDED = frozenset(
    {
        "jquery",
        "bootstrap",
        "awesome_markers",
        "bootstrap_css",
        "glyphicons_css",
        "awesome_markers_font_css",
        "awesome_markers_css",
        "awesome_rotate_css",
    }
)


class UnhostedAsset(RuntimeError):
    """A map element needs a script or style that is not vendored."""


def _walk(element: Element) -> Iterator[Element]:
    yield element
    for child in element._children.values():
        yield from _walk(child)


def _local(pairs: list[tuple[str, str]], owner: Element) -> list[tuple[str, str]]:
    local = []
    for name, url in pairs:
        if name in NOT_NEEDED:
            continue
        if name not in SELF_HOSTED:
            raise UnhostedAsset(
                f"{type(owner).__name__} needs {name!r} ({url}), which is not vendored: add it "
                "to package.json and scripts/vendor-assets.sh, then to "
                "core.mapping.assets.SELF_HOSTED."
            )
        endpoint, filename = SELF_HOSTED[name]
        local.append((name, url_for(endpoint, filename=filename, _external=False)))
    return local


def self_host(root: Element) -> None:
    """Point every asset of ROOT's element tree at our static files (needs an app context).

    folium.Popup and folium.Tooltip are refused: they paste raw HTML into JavaScript template
    strings and need jQuery. Use the builder's ``popup_fields`` instead.
    """
    for element in _walk(root):
        if isinstance(element, Popup | Tooltip):
            raise UnhostedAsset(
                f"{type(element).__name__} is not allowed on Tournages maps: it embeds unescaped "
                "HTML in JavaScript. Pass popup_fields to the core.mapping.builder functions "
                "instead."
            )
        if isinstance(element, JSCSSMixin):
            # Instance attributes: folium's class-level lists stay untouched.
            element.default_js = _local(element.default_js, element)
            element.default_css = _local(element.default_css, element)
