"""The map builder: self-hosted assets, escaping, compact payloads, data helpers."""

from __future__ import annotations

import json
import re
from html import unescape as html_text

import folium
import pytest
from folium.plugins import Draw, Fullscreen
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from core.config import DEFAULT_TILES_ORTHO, DEFAULT_TILES_OSM
from core.db import db
from core.geo import as_geojson
from core.mapping import builder
from core.mapping.assets import UnhostedAsset
from core.mapping.safety import escape_text, script_json
from locations.models import Location
from tests.hostile import EVALUATED, TEMPLATE_PROBES

HOSTILE = "</script><script>window.pwned=1</script><img src=x onerror=alert(1)> `${alert(2)}` \\"
URL = re.compile(r"""(?:https?:)?//[^\s"'<>)]+""")
TILES = {
    "TOURNAGES_TILES_OSM": "https://tiles.example.test/osm/{z}/{x}/{y}.png",
    "TOURNAGES_TILES_ORTHO": "https://ortho.example.test/{z}/{y}/{x}.jpg",
}


@pytest.fixture
def page_context(app):
    with app.test_request_context("/"):
        yield app


def point(lon: float, lat: float, **properties) -> dict:
    return {"type": "Feature", "geometry": {"type": "Point", "coordinates": [lon, lat]},
            "properties": properties}  # fmt: skip


def square(lon: float, lat: float, size: float = 0.01, **properties) -> dict:
    ring = [[lon, lat], [lon + size, lat], [lon + size, lat + size], [lon, lat + size], [lon, lat]]
    return {"type": "Feature", "geometry": {"type": "Polygon", "coordinates": [ring]},
            "properties": properties}  # fmt: skip


def full_map(name: str = "Citadelle", points: int = 3) -> folium.Map:
    m = builder.base_map()
    builder.add_polygons(
        m,
        builder.feature_collection([square(4.86, 50.46, name=name)]),
        f"Zones {name}",
        {"color": "#1565c0"},
        popup_fields=[("name", "Name")],
    )
    features = [point(4.8 + i / 10_000, 50.4, name=f"{name} {i}") for i in range(points)]
    builder.add_clustered_points(m, features, "Locations", popup_fields=["name"])
    builder.add_legend(m, [builder.LegendEntry(name, "#c62828", "hatched")], title=name)
    return m


def test_rendered_map_references_no_outside_host_but_the_tiles(page_context, client):
    saved = {key: page_context.config[key] for key in TILES}
    page_context.config.update(TILES)
    try:
        m = full_map()
        Draw().add_to(m)  # a folium plugin with CDN defaults: served locally too
        html = str(builder.render(m))
    finally:
        page_context.config.update(saved)
    assert set(URL.findall(html)) == set(TILES.values())
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert "/static/vendor/leaflet/leaflet.js" in assets
    assert "/static/vendor/leaflet-draw/leaflet.draw.js" in assets
    for asset in assets:
        assert asset.startswith("/"), asset
        with client.get(asset) as response:  # closes the static file
            assert response.status_code == 200, asset


def test_default_tiles_are_the_only_urls(page_context):
    html = str(builder.render(full_map()))
    assert set(URL.findall(html)) == {DEFAULT_TILES_OSM, DEFAULT_TILES_ORTHO}


def test_unvendored_plugin_is_refused(page_context):
    m = builder.base_map()
    Fullscreen().add_to(m)
    with pytest.raises(UnhostedAsset, match="fullscreen"):
        builder.render(m)


@pytest.mark.parametrize("element", [folium.Popup("<b>x</b>"), folium.Tooltip("x")])
def test_folium_popups_and_tooltips_are_refused(page_context, element):
    m = builder.base_map()
    marker = folium.Marker([50.4, 4.8]).add_to(m)
    element.add_to(marker)
    with pytest.raises(UnhostedAsset, match="popup_fields"):
        builder.render(m)


def test_hostile_names_stay_data(page_context):
    html = str(builder.render(full_map(HOSTILE)))
    script_tags = len(re.findall(r"<script\b", html))
    assert html.count("</script>") == script_tags  # the name closes no element
    for fragment in ("<img", "<script>window", "</script><script>"):
        assert fragment not in html
    # Leaflet's layer control reads names as HTML: the name arrives as escaped text.
    assert '"Zones \\u0026lt;/script\\u0026gt;\\u0026lt;script\\u0026gt;window' in html
    # The data reaches the browser intact, as JSON.
    payload = re.search(r"TournagesMaps\.polygons\(\s*(\{.*?\}), \{", html, re.S).group(1)
    assert json.loads(payload)["features"][0]["properties"]["name"] == HOSTILE


def test_script_json_round_trips_and_cannot_close_a_script():
    value = {"name": HOSTILE, "line": "a\u2028b", "quote": "it's & <b>"}
    text = str(script_json(value))
    assert not set(text) & set("<>&'\u2028")
    assert json.loads(text) == value


def test_escape_text_neutralises_html_and_template_strings():
    text = str(escape_text(HOSTILE))
    for dangerous in ("<", ">", "`", "${", "\\", "{", "}"):
        assert dangerous not in text
    assert "&lt;/script&gt;" in text and "&#96;&#36;&#123;alert(2)&#125;&#96;" in text
    assert str(escape_text(None)) == ""


def _script_lines(html: str) -> int:
    script = re.split(r"<script[^>]*>", html)[-1]
    return len([line for line in script.splitlines() if line.strip()])


def test_points_payload_grows_linearly_without_statements_per_marker(page_context):
    small = str(builder.render(full_map(points=100)))
    large = str(builder.render(full_map(points=10_000)))
    assert _script_lines(small) == _script_lines(large)
    per_point = (len(large) - len(small)) / 9_900
    assert per_point < 40, per_point  # [lat,lon,"Citadelle 1234"], about 32 bytes
    assert "L.marker(" not in large


def test_compact_points_rounds_and_keeps_popup_values():
    payload = builder.compact_points(
        [point(4.8617234, 50.4596789, name="Citadelle", commune="Namur", secret="x")],
        popup_fields=[("name", "Name"), ("commune", "Commune")],
    )
    assert payload == {"fields": ["Name", "Commune"], "points": [[50.45968, 4.86172, "Citadelle",
                                                                   "Namur"]]}  # fmt: skip


def test_clustered_points_need_features_or_url(page_context):
    m = builder.base_map()
    with pytest.raises(ValueError, match="either"):
        builder.add_clustered_points(m, None, "Locations")
    with pytest.raises(ValueError, match="either"):
        builder.add_clustered_points(m, [], "Locations", url="/x")
    builder.add_clustered_points(m, None, "Locations", url="/maps/data.json?a=1&b=2")
    html = str(builder.render(m))
    assert '{"url":"/maps/data.json?a=1\\u0026b=2"}' in html
    # fetched while the scripts load, and fetched once: the runtime's fetch matches the preload
    assert '<link rel="preload" href="/maps/data.json?a=1&amp;b=2" as="fetch"' in html


def test_legend_refuses_colours_that_are_not_colours(page_context):
    m = builder.base_map()
    with pytest.raises(ValueError, match="colour"):
        builder.add_legend(m, [builder.LegendEntry("x", "red;background:url(//evil)")])
    with pytest.raises(ValueError, match="shape"):
        builder.add_legend(m, [builder.LegendEntry("x", "#fff", "star")])


def test_base_map_view(page_context):
    centred = str(builder.render(builder.base_map(center=(4.86, 50.46), zoom=15)))
    fitted = str(builder.render(builder.base_map(bounds=(4.8, 50.4, 4.9, 50.5))))
    assert "center: [50.46, 4.86]" in centred and '"zoom": 15' in centred
    assert "fitBounds(\n                [[50.4, 4.8], [50.5, 4.9]]" in fitted


def test_features_from_rows_of_a_postgis_query(app, create_location):
    create_location(4.8617, 50.4596, name="Citadelle")
    create_location(5.5718, 50.6326, name="Liège-Guillemins")
    rows = db.session.execute(
        select(Location.id, Location.name, as_geojson(Location.point).label("geometry")).order_by(
            Location.id
        )
    ).mappings()
    features = builder.features_from_rows(rows)
    assert [f["properties"] for f in features] == [{"name": "Citadelle"},
                                                   {"name": "Liège-Guillemins"}]  # fmt: skip
    assert features[0]["geometry"]["type"] == "Point"
    assert features[0]["geometry"]["coordinates"] == pytest.approx([4.8617, 50.4596], abs=1e-6)
    assert builder.feature_bounds(features) == pytest.approx((4.8617, 50.4596, 5.5718, 50.6326))


def test_feature_bounds_of_polygons_and_nothing():
    assert builder.feature_bounds([square(4.0, 50.0, 0.5)]) == (4.0, 50.0, 4.5, 50.5)
    assert builder.feature_bounds([]) is None


# ---- no user text is ever a template ---------------------------------------------------------
# branca compiles the text each element renders as a new Jinja template and renders it again:
# user text with Jinja syntax once ran on the server (`Probe {{ 7*191 }}` showed `Probe 1337`).


def _layer_data(html: str, factory: str) -> object:
    """The first JSON argument of the runtime's FACTORY call, parsed as the browser would."""
    found = re.search(rf"TournagesMaps\.{factory}\(\s*", html)
    assert found, factory
    return json.JSONDecoder().raw_decode(html, found.end())[0]


@pytest.mark.parametrize("probe", TEMPLATE_PROBES)
def test_template_syntax_in_names_is_text_not_a_template(page_context, probe):
    html = str(builder.render(full_map(probe)))  # no TemplateSyntaxError for "Broken {{ x"
    for evaluated in EVALUATED:
        assert evaluated not in html
    for syntax in ("{{", "{%", "{#"):
        assert syntax not in html
    polygons = _layer_data(html, "polygons")
    assert polygons["features"][0]["properties"]["name"] == probe
    points = _layer_data(html, "clusteredPoints")
    assert points["points"][0][2] == f"{probe} 0"


def test_template_syntax_in_property_names_and_extra_members(page_context):
    """A footprint pasted with extra members reaches the map as it was typed."""
    feature = square(4.86, 50.46, name="x")
    feature["properties"]["{{ 6*7 }}"] = "{{ 6*7 }}"
    feature["junk"] = "{{ 6*7 }}"
    m = builder.base_map()
    builder.add_polygons(m, builder.feature_collection([feature]), "Zones")
    data = _layer_data(str(builder.render(m)), "polygons")
    assert data["features"][0]["junk"] == "{{ 6*7 }}"
    assert data["features"][0]["properties"]["{{ 6*7 }}"] == "{{ 6*7 }}"


def test_script_json_leaves_no_template_syntax():
    value = {"{{a}}": ["{% x %}", "{# y #}", "100%", "#1", {"nested": "}}{{"}]}
    text = str(script_json(value))
    for char in "%#":
        assert char not in text
    for syntax in ("{{", "{%", "{#"):
        assert syntax not in text
    assert json.loads(text) == value


# Any unicode text, with pieces of template, script and HTML syntax drawn often.
_SYNTAX = ["{{", "}}", "{%", "%}", "{#", "#}", "</script>", "<!--", "`", "${", "\\", "'", "&"]
_TEXT = st.lists(
    st.one_of(
        st.sampled_from([*_SYNTAX, "\u2028", "\u2029"]),
        st.text(st.characters(exclude_categories=("Cs",)), max_size=6),
    ),
    max_size=12,
).map("".join)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=_TEXT)
def test_any_text_comes_back_unchanged_from_the_map_data(page_context, text):
    m = builder.base_map()
    builder.add_polygons(
        m, builder.feature_collection([square(4.86, 50.46, name=text)]), text, popup_fields=["name"]
    )
    # (a distinct name: the layer control lists layers by name)
    builder.add_clustered_points(m, [point(4.8, 50.4, name=text)], f"Points {text}", ["name"])
    builder.add_legend(m, [builder.LegendEntry(text, "#c62828")], title=text)
    html = str(builder.render(m))
    assert _layer_data(html, "polygons")["features"][0]["properties"]["name"] == text
    assert _layer_data(html, "clusteredPoints")["points"][0][2] == text
    legend = _layer_data(html, "legend")
    assert legend[0]["label"] == text
    assert _overlay_names(html) == [text, f"Points {text}"]  # shown as typed by the control


def _overlay_names(html: str) -> list[str]:
    """The overlay names of the layer control, as its innerHTML shows them (text)."""
    found = re.search(r"overlays :\s*\{(.*?)\},\s*\};", html, re.S)
    assert found
    keys = re.findall(r'^\s*("(?:[^"\\]|\\.)*") : [\w]+,$', found.group(1), re.M)
    return [html_text(json.loads(key)) for key in keys]


class _RawScript(folium.MacroElement):
    """An element whose macro output holds template syntax: not escaped by the builder."""

    _template = folium.template.Template(
        "{% macro script(this, kwargs) %}var raw = {{ this.text|tojson }};{% endmacro %}"
    )

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text


@pytest.mark.parametrize("probe", TEMPLATE_PROBES)
def test_render_never_renders_an_elements_output_again(page_context, probe):
    """The root fix: what a macro writes is the page, even if an element forgot to escape."""
    m = builder.base_map()
    _RawScript(probe).add_to(m)
    html = str(builder.render(m))  # branca would compile it: "Broken {{ x" raised
    written = html.index("var raw = ") + len("var raw = ")
    assert json.JSONDecoder().raw_decode(html, written)[0] == probe


def test_render_keeps_brancas_order_and_links_each_asset_once(page_context):
    html = str(builder.render(full_map()))
    head, script = re.split(r'<script nonce="[^"]+">', html)  # the inline script has no src
    links = re.findall(r'(?:src|href)="([^"]+)"', head)
    assert len(links) == len(set(links))
    assert links.index("/static/vendor/leaflet/leaflet.js") < links.index(
        "/maps/static/tournages-maps.js"
    )
    calls = ["L.map(", "TournagesMaps.polygons(", "TournagesMaps.clusteredPoints(",
             "TournagesMaps.legend(", "L.control.layers("]  # fmt: skip
    order = [script.index(call) for call in calls]
    assert order == sorted(order)
    assert html.count('<div class="folium-map tm-map"') == 1


@pytest.mark.parametrize(
    "element",
    [folium.Marker([50.4, 4.8]), folium.GeoJson({"type": "FeatureCollection", "features": []})],
)
def test_elements_whose_rendering_is_not_reproduced_are_refused(page_context, element):
    m = builder.base_map()
    element.add_to(m)
    with pytest.raises(builder.UnsupportedElement, match=type(element).__name__):
        builder.render(m)
