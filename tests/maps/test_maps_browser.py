"""Every map page in Chromium, as a new visitor would open it with no network beyond the app:
no console error, no outside request, its layers drawn, and hostile names shown as text."""

from __future__ import annotations

import pytest

from core.mapping.builder import LegendEntry, feature_collection
from maps import views
from maps.browser import sign_in, wait_until_drawn
from shoots.map_layers import Overlay
from tests.conftest import PASSWORD
from tests.maps.conftest import HOSTILE

MARKERS = ".leaflet-marker-icon"  # single markers and cluster icons
PATHS = "path.leaflet-interactive"  # polygons drawn by Leaflet's SVG renderer


def open_map(page, server: str, path: str, email: str | None = None) -> None:
    if email:
        sign_in(page, server, email, PASSWORD)
    page.goto(f"{server}{path}")
    wait_until_drawn(page)
    page.wait_for_load_state("networkidle")  # late requests (icons, tiles) are counted too


def assert_clean(page) -> None:
    assert page.log.console_errors == []
    assert page.log.outside == []
    assert page.evaluate("window.pwned") is None  # no hostile name ran


@pytest.mark.parametrize(
    ("path", "role", "markers", "paths"),
    [
        ("/maps/locations", "scout", 3, 0),  # three far-apart locations: three markers
        ("/maps/communes/92094", "officer", 1, 1 + 2 + 2),  # boundary, footprints, parking
        ("/maps/productions/{id}", "coordinator", 0, 2 + 2),
        ("/maps/public", None, 2, 2 + 2),  # fitted to the two shoots: a marker each
    ],
)
def test_map_page_draws_its_layers_with_nothing_from_outside(
    page, server, world, path, role, markers, paths
):
    open_map(page, server, path.format(id=world.production_id), getattr(world, role or "", None))
    assert page.locator(MARKERS).count() == markers
    assert page.locator(PATHS).count() == paths
    assert page.locator(".leaflet-control-layers").count() == 1
    assert_clean(page)
    assert any("/static/vendor/leaflet/leaflet.js" in url for url in page.log.requests)


def test_hostile_location_name_is_shown_as_text(page, server, world):
    open_map(page, server, "/maps/locations", world.scout)
    # Tournai, Namur, Arlon from west to east: Namur is the middle one.
    boxes = sorted((page.locator(MARKERS).nth(i).bounding_box()["x"], i) for i in range(3))
    page.locator(MARKERS).nth(boxes[1][1]).click()
    popup = page.locator(".leaflet-popup-content .tm-popup")
    popup.wait_for()
    assert popup.locator("strong").text_content() == HOSTILE
    assert popup.locator("img, script").count() == 0
    assert_clean(page)


def test_hostile_production_title_is_shown_as_text(page, server, world):
    open_map(page, server, f"/maps/productions/{world.production_id}", world.coordinator)
    page.locator(PATHS).first.click(force=True)
    popup = page.locator(".leaflet-popup-content .tm-popup")
    popup.wait_for()
    assert popup.locator("strong").text_content() == HOSTILE
    assert "route fermée" in popup.text_content()
    assert_clean(page)


@pytest.mark.parametrize(
    "tiles_config",
    [{"TOURNAGES_TILES_OSM": "/maps/no-tiles/{z}/{x}/{y}.png",
      "TOURNAGES_TILES_ORTHO": "/maps/no-tiles/{z}/{x}/{y}.png"}],
)  # fmt: skip
def test_vector_layers_stay_drawn_when_tiles_fail(page, server, world, tiles_config):
    open_map(page, server, "/maps/public")
    assert page.locator(PATHS).count() == 4
    assert page.log.console_errors  # the tiles did fail…
    assert all("/maps/no-tiles/" in error for error in page.log.console_errors)  # …and only they
    assert page.log.outside == []


def test_hostile_layer_and_legend_names_are_shown_as_text(page, server, world, monkeypatch):
    """Leaflet's layer control writes layer names with innerHTML: an overlay named by a later
    package (a blackout's title, say) must still show as typed."""
    overlay = Overlay(HOSTILE, feature_collection([]), legend=LegendEntry(HOSTILE, "#6a1b9a"))
    monkeypatch.setattr(views, "production_blackouts", lambda session, production: [overlay])
    open_map(page, server, f"/maps/productions/{world.production_id}", world.coordinator)
    labels = page.locator(".leaflet-control-layers-overlays label").all_text_contents()
    assert HOSTILE in [label.strip() for label in labels]
    assert HOSTILE in page.locator(".tm-legend").text_content()
    assert page.locator(".leaflet-control-layers img, .tm-legend img").count() == 0
    assert_clean(page)
