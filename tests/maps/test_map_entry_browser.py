"""Every geometry entered on a map, with the mouse, in Chromium: the location's point (clicked,
dragged) and outline, a shoot's footprint and parking zones, a blackout's area, each drawn,
edited (a corner dragged) and deleted; the live check shows a clash before saving, drawn and
linked; a series of ten days made from the form. What the forms store is read back from the
database (core/mapping/drawing.py, shoots/static/shoot-form.js)."""

from __future__ import annotations

import json
import math
from datetime import UTC, date, datetime, timedelta

from geoalchemy2.shape import to_shape
from shapely.geometry import Point, shape
from sqlalchemy import func, select

from core.config import BRUSSELS
from core.db import db
from core.geo import to_lambert, to_wgs84
from locations.models import Location
from maps.browser import sign_in
from shoots.models import Blackout, Production, ProductionType, Shoot
from tests.conftest import PASSWORD
from tests.maps.conftest import HOSTILE, add_shoot

NAMUR = (50.4596, 4.8617)  # (lat, lon), as Leaflet takes them
CLASHING = (50.4600, 4.8650)
FREE = (50.4600, 4.8720)  # 500 m east of the clash, nobody there


# ---- driving the map ---------------------------------------------------------------------------


def focus(page, at: tuple[float, float], zoom: int = 17) -> None:
    """Bring the form's map into view and centre it on AT, without animation."""
    page.locator(".tm-map").scroll_into_view_if_needed()
    page.evaluate(
        """([lat, lon, zoom]) => {
            var name = Object.keys(window).find(k => k.startsWith("drawing_"));
            window[name].map.setView([lat, lon], zoom, {animate: false});
        }""",
        [at[0], at[1], zoom],
    )


def on_page(page, at: tuple[float, float], dx: float = 0, dy: float = 0) -> tuple[float, float]:
    """Where the point AT of the map is on the page (plus DX, DY pixels)."""
    x, y = page.evaluate(
        """([lat, lon]) => {
            var name = Object.keys(window).find(k => k.startsWith("drawing_"));
            var map = window[name].map;
            var point = map.latLngToContainerPoint([lat, lon]);
            var box = map.getContainer().getBoundingClientRect();
            return [box.left + point.x, box.top + point.y];
        }""",
        [at[0], at[1]],
    )
    return x + dx, y + dy


def drag(page, start: tuple[float, float], end: tuple[float, float]) -> None:
    page.mouse.move(*start)
    page.mouse.down()
    page.mouse.move(*end, steps=8)
    page.mouse.up()


def draw_rectangle(page, at: tuple[float, float], half: float = 25) -> None:
    page.click(".leaflet-draw-draw-rectangle")
    drag(page, on_page(page, at, -half, -half), on_page(page, at, half, half))


def draw_polygon(page, at: tuple[float, float], half: float = 30) -> None:
    page.click(".leaflet-draw-draw-polygon")
    corners = [(-half, -half), (half, -half), (half, half), (-half, half), (-half, -half)]
    for dx, dy in corners:  # the last click, on the first corner, closes the shape
        page.mouse.click(*on_page(page, at, dx, dy))
        page.wait_for_timeout(120)


def drag_a_corner(page, by: tuple[float, float] = (-25, -25)) -> None:
    """Edit mode, the first corner dragged, the change kept."""
    page.click(".leaflet-draw-edit-edit")
    handle = page.locator(".leaflet-editing-icon").first.bounding_box()
    x, y = handle["x"] + handle["width"] / 2, handle["y"] + handle["height"] / 2
    drag(page, (x, y), (x + by[0], y + by[1]))
    page.locator(".leaflet-draw-actions a:visible").first.click()  # keep the changes


def delete_shape_at(page, at: tuple[float, float]) -> None:
    page.click(".leaflet-draw-edit-remove")
    page.mouse.click(*on_page(page, at))
    page.locator(".leaflet-draw-actions a:visible").first.click()


def geometry_in(page, field: str) -> dict | None:
    text = page.input_value(f"#{field}")
    return json.loads(text) if text else None


def choose_drawing(page, key: str) -> None:
    page.check(f"input[name=tm-draw-choice][value={key}]")


def wait_for_check(page, after: int) -> None:
    """Until the live check answered once more than AFTER times."""
    page.wait_for_function(
        """(after) => {
            var form = document.getElementById("shoot-form");
            return Number(form.getAttribute("data-checked") || 0) > after
                && !form.hasAttribute("data-checking");
        }""",
        arg=after,
    )


def checks(page) -> int:
    return int(page.get_attribute("#shoot-form", "data-checked") or 0)


def assert_clean(page) -> None:
    assert page.log.console_errors == []
    assert page.log.outside == []
    assert page.evaluate("window.pwned") is None


def local(moment: datetime) -> str:
    return moment.astimezone(BRUSSELS).strftime("%Y-%m-%dT%H:%M")


def wgs84(geometry) -> object:
    return to_wgs84(to_shape(geometry))


def same_area(stored, drawn) -> bool:
    """The stored area is the one drawn (to the rounding of its coordinates to 6 decimals)."""
    return stored.symmetric_difference(drawn).area < drawn.area / 1000


# ---- the location --------------------------------------------------------------------------


def test_a_locations_point_and_outline_are_placed_drawn_edited_and_deleted(page, server, world):
    sign_in(page, server, world.scout, PASSWORD)
    page.goto(f"{server}/locations/new")
    page.fill("#name", "Moulin dessiné")
    focus(page, NAMUR)
    page.mouse.click(*on_page(page, NAMUR))  # the point: a click
    assert abs(float(page.input_value("#lon")) - NAMUR[1]) < 0.0001
    assert abs(float(page.input_value("#lat")) - NAMUR[0]) < 0.0001
    marker = page.locator(".leaflet-marker-icon[draggable], .leaflet-marker-draggable").first
    box = marker.bounding_box()
    tip = (box["x"] + box["width"] / 2, box["y"] + box["height"] - 3)
    drag(page, tip, (tip[0] + 60, tip[1]))  # dragged 60 px east
    lon, lat = float(page.input_value("#lon")), float(page.input_value("#lat"))
    assert lon > NAMUR[1] + 0.0002 and abs(lat - NAMUR[0]) < 0.0001
    point = (lat, lon)

    choose_drawing(page, "outline")
    draw_polygon(page, point)
    drawn = geometry_in(page, "outline")
    assert drawn["type"] == "Polygon" and len(drawn["coordinates"][0]) == 5
    drag_a_corner(page)
    edited = geometry_in(page, "outline")
    assert edited["type"] == "Polygon" and edited != drawn
    assert shape(edited).area > shape(drawn).area  # a corner pulled outwards
    delete_shape_at(page, point)
    assert page.input_value("#outline") == ""
    draw_rectangle(page, point)
    kept = geometry_in(page, "outline")
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    assert "/locations/" in page.url and "/new" not in page.url
    location = db.session.scalars(select(Location).where(Location.name == "Moulin dessiné")).one()
    stored = wgs84(location.point)
    assert abs(stored.x - lon) < 1e-5 and abs(stored.y - lat) < 1e-5
    assert same_area(wgs84(location.outline), shape(kept))
    assert_clean(page)


def test_the_drawing_tools_speak_german_and_french(page, server, world):
    sign_in(page, server, world.scout, PASSWORD)
    for lang, button, tooltip in [
        ("de", "Ein Polygon zeichnen", "Klicken Sie, um mit der Form zu beginnen."),
        ("fr", "Dessiner un polygone", "Cliquez pour commencer la forme."),
    ]:
        page.goto(f"{server}/locations/new?lang={lang}")
        choose_drawing(page, "outline")
        tool = page.locator(".leaflet-draw-draw-polygon")
        assert tool.get_attribute("title") == button
        tool.click()
        focus(page, NAMUR)
        page.mouse.move(*on_page(page, NAMUR))
        assert page.locator(".leaflet-draw-tooltip").inner_text().strip() == tooltip
    assert_clean(page)


# ---- shoots --------------------------------------------------------------------------------


def other_productions_shoot(days_ahead: int = 20) -> Shoot:
    rival = Production(title="Projet secret", type=ProductionType.FEATURE, company="Rivaux")
    shoot = add_shoot(rival, CLASHING[1], CLASHING[0], days_ahead)
    db.session.commit()
    return shoot


def test_the_live_check_shows_a_clash_before_saving_then_a_free_place_is_saved(page, server, world):
    rival = other_productions_shoot()
    sign_in(page, server, world.coordinator, PASSWORD)
    page.goto(f"{server}/productions/{world.production_id}/shoots/new")
    page.fill("#starts_at", local(rival.period.lower + timedelta(hours=1)))
    page.fill("#ends_at", local(rival.period.upper + timedelta(hours=1)))
    page.dispatch_event("#ends_at", "change")
    focus(page, CLASHING)
    page.wait_for_function(
        "() => Number(document.querySelector('.tm-map').dataset.surroundings) >= 1"
    )
    before = checks(page)
    draw_rectangle(page, CLASHING)
    wait_for_check(page, before)
    panel = page.locator("#live-check")
    clash = panel.locator(".finding-conflict")
    assert clash.count() == 1, panel.inner_text()
    assert "une autre production" in clash.inner_text()
    assert "Projet secret" not in page.content()  # another production's file stays its own
    named = page.evaluate(
        """() => Array.from(document.querySelectorAll('.tm-map path'))
                  .filter(p => p.getAttribute('stroke') === '#c62828').length"""
    )
    assert named == 1  # the clashing shoot drawn in red
    panel.locator(".show-on-map").first.click()
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for()
    assert "une autre production" in popup.inner_text() and str(rival.id) in popup.inner_text()

    delete_shape_at(page, CLASHING)
    focus(page, FREE)
    before = checks(page)
    draw_rectangle(page, FREE)
    wait_for_check(page, before)
    assert panel.locator(".finding-conflict").count() == 0
    assert panel.locator(".flash-success").count() == 1
    choose_drawing(page, "parking")
    draw_rectangle(page, (FREE[0] + 0.0006, FREE[1]), half=12)
    draw_rectangle(page, (FREE[0] - 0.0006, FREE[1]), half=12)
    assert geometry_in(page, "parking")["type"] == "MultiPolygon"  # parking zones add up
    assert len(geometry_in(page, "parking")["coordinates"]) == 2
    delete_shape_at(page, (FREE[0] - 0.0006, FREE[1]))
    assert geometry_in(page, "parking")["type"] == "Polygon"
    footprint = geometry_in(page, "footprint")
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    assert page.url.endswith(f"/productions/{world.production_id}")
    saved = db.session.scalars(
        select(Shoot).where(Shoot.production_id == world.production_id).order_by(Shoot.id.desc())
    ).first()
    assert same_area(wgs84(saved.footprint), shape(footprint))
    assert len(wgs84(saved.parking).geoms) == 1
    assert not wgs84(saved.footprint).intersects(wgs84(rival.footprint))
    assert_clean(page)


def test_editing_a_shoot_moves_a_corner_and_a_new_shape_replaces_the_old(page, server, world):
    production = db.session.get(Production, world.production_id)
    shoot = add_shoot(production, FREE[1], FREE[0], 30)  # in no permit request: edited in place
    db.session.commit()
    sign_in(page, server, world.coordinator, PASSWORD)
    page.goto(f"{server}/shoots/{shoot.id}/edit")
    stored = geometry_in(page, "footprint")
    focus(page, FREE)
    drag_a_corner(page, by=(-30, 0))
    moved = geometry_in(page, "footprint")
    assert moved["type"] == "Polygon" and moved != stored
    elsewhere = (FREE[0] + 0.0015, FREE[1])
    draw_rectangle(page, elsewhere)
    replaced = geometry_in(page, "footprint")
    assert replaced["type"] == "Polygon" and len(replaced["coordinates"][0]) == 5
    assert not shape(replaced).intersects(shape(stored))  # nothing of the old one is left
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    db.session.expire_all()
    again = db.session.get(Shoot, shoot.id)
    assert len(wgs84(again.footprint).geoms) == 1
    assert same_area(wgs84(again.footprint), shape(replaced))
    assert_clean(page)


def test_a_library_location_is_taken_from_the_map_and_named_as_text(page, server, world):
    sign_in(page, server, world.coordinator, PASSWORD)
    page.goto(f"{server}/productions/{world.production_id}/shoots/new")
    start = datetime.now(UTC) + timedelta(days=50)
    page.fill("#starts_at", local(start))
    page.fill("#ends_at", local(start + timedelta(hours=8)))
    page.dispatch_event("#ends_at", "change")
    focus(page, NAMUR, zoom=16)
    # The map asks for the period's surroundings again after each move and redraws them, which
    # would close a popup opened meanwhile: wait until it has drawn its last answer.
    page.wait_for_function(
        """() => { const m = document.querySelector('.tm-map');
                   return m.dataset.surroundingsAsked === m.dataset.surroundingsDrawn; }"""
    )
    marker = page.locator(".tm-map path.leaflet-interactive[fill='#2a81cb']").first
    marker.wait_for()
    marker.click()
    popup = page.locator(".leaflet-popup-content")
    assert HOSTILE in popup.inner_text()  # the name as typed, as text
    before = checks(page)
    popup.locator("button.tm-take-location").click()
    assert page.input_value("#location_id") == HOSTILE
    hostile = db.session.scalars(select(Location).where(Location.name == HOSTILE)).one()
    assert page.input_value("input[type=hidden][name=location_id]") == str(hostile.id)
    wait_for_check(page, before)  # checked with the 50 m around the location
    assert (
        page.evaluate(
            "() => document.querySelectorAll('.tm-map path[stroke-dasharray=\"2 6\"]').length"
        )
        == 1
    )
    assert_clean(page)


def test_a_ten_day_series_is_made_through_the_page(page, server, world):
    sign_in(page, server, world.coordinator, PASSWORD)
    page.goto(f"{server}/productions/{world.production_id}/shoots/new")
    first = (datetime.now(BRUSSELS) + timedelta(days=60)).date()
    page.fill("#starts_at", f"{first}T07:00")
    page.fill("#ends_at", f"{first}T17:00")
    page.dispatch_event("#ends_at", "change")
    focus(page, FREE)
    draw_rectangle(page, FREE)
    page.click("details.repeat summary")
    for box in page.locator("input[name=repeat_weekdays]").all():
        box.check()
    before = checks(page)
    page.fill("#repeat_until", (first + timedelta(days=9)).isoformat())
    page.dispatch_event("#repeat_until", "change")
    wait_for_check(page, before)
    report = page.locator("#live-check .series-report tbody tr")
    assert report.count() == 10
    assert "Les 10 jours sont sans conflit" in page.inner_text("#live-check")
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    assert "/series/" in page.url
    series_id = int(page.url.rsplit("/", 1)[1])
    shoots = db.session.scalars(
        select(Shoot).where(Shoot.series_id == series_id).order_by(func.lower(Shoot.period))
    ).all()
    days = [s.period.lower.astimezone(BRUSSELS).date() for s in shoots]
    assert days == [first + timedelta(days=n) for n in range(10)]
    hours = {(s.period.lower.astimezone(BRUSSELS).hour, s.period.upper.astimezone(BRUSSELS).hour)
             for s in shoots}  # fmt: skip
    assert hours == {(7, 17)}
    assert page.locator("table.series-report tbody tr").count() == 10
    assert_clean(page)


# ---- blackouts -----------------------------------------------------------------------------


def test_an_officer_draws_edits_and_deletes_a_blackout_area(page, server, world):
    sign_in(page, server, world.officer, PASSWORD)
    page.goto(f"{server}/blackouts")
    assert page.input_value("#commune") == "Namur"  # the officer's commune, by name
    page.fill("#title", "Braderie")
    page.fill("#starts_at", "2027-09-04T06:00")
    page.fill("#ends_at", "2027-09-05T20:00")
    focus(page, NAMUR)
    draw_polygon(page, NAMUR)
    drawn = geometry_in(page, "area")
    drag_a_corner(page)
    assert geometry_in(page, "area") != drawn
    delete_shape_at(page, NAMUR)
    assert page.input_value("#area") == ""
    draw_rectangle(page, NAMUR, half=40)
    kept = geometry_in(page, "area")
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    blackout = db.session.scalars(select(Blackout).where(Blackout.title == "Braderie")).one()
    assert blackout.commune_nis == "92094"
    assert same_area(wgs84(blackout.area), shape(kept))
    assert blackout.period.lower.astimezone(BRUSSELS).date() == date(2027, 9, 4)
    assert_clean(page)


# ---- the keyboard alone ----------------------------------------------------------------------


def tab_to(page, selector: str, limit: int = 80) -> None:
    """Press Tab until SELECTOR has the focus, as a keyboard user moves through the page."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"{selector} is not reached with the Tab key")


def test_a_footprint_is_entered_with_the_keyboard_alone(page, server, world):
    """WCAG 2.1.1: a place found by typing, a size typed, a button pressed: the footprint is a
    circle that size around the place, announced, checked live and saved as drawn."""
    sign_in(page, server, world.coordinator, PASSWORD)
    page.goto(f"{server}/productions/{world.production_id}/shoots/new")
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(days=40)
    page.fill("#starts_at", local(start))
    page.fill("#ends_at", local(start + timedelta(hours=8)))
    status = page.locator("#map-place-drawn")

    tab_to(page, "[data-draw-around]")
    page.keyboard.press("Enter")  # no place yet: the status line says what to do first
    assert "Cherchez d'abord un lieu" in status.inner_text()

    tab_to(page, "#map-place")
    page.keyboard.type("Cathédrale de Tour", delay=20)
    page.locator("#map-place-places [role=option]").first.wait_for()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    assert page.input_value("#map-place") == "Cathédrale de Tournai"
    tab_to(page, "#map-place-size")
    page.keyboard.press("Control+A")
    page.keyboard.type("60")
    before = checks(page)
    page.keyboard.press("Enter")  # in the size box, Enter draws and does not send the form
    assert page.url.endswith("/shoots/new")
    assert "60 m autour de Cathédrale de Tournai" in status.inner_text()
    assert status.get_attribute("role") == "status"  # read out by screen readers
    wait_for_check(page, before)
    assert page.locator("#live-check .flash-success").count() == 1  # nothing in the way

    drawn = shape(geometry_in(page, "footprint"))
    tournai = to_lambert(Point(3.3878, 50.6056))
    circle = to_lambert(drawn)
    assert circle.centroid.distance(tournai) < 1
    assert abs(circle.area / (math.pi * 60**2) - 1) < 0.01  # a 32-gon inside the 60 m circle
    tab_to(page, "main form button[type=submit]")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith(f"/productions/{world.production_id}")
    saved = db.session.scalars(
        select(Shoot).where(Shoot.production_id == world.production_id).order_by(Shoot.id.desc())
    ).first()
    assert same_area(wgs84(saved.footprint), drawn)
    assert_clean(page)
