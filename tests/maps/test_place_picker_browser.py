"""The place pickers in Chromium, used with the keyboard only: the search page's "near" and
commune boxes and the shoot form's library location (locations/static/place-picker.js)."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from core.db import db
from maps.browser import sign_in
from tests.conftest import PASSWORD
from tests.maps.conftest import HOSTILE, add_location

OPTIONS = "#{box}-places [role=option]"


def type_and_wait(page, box: str, text: str) -> None:
    page.focus(f"#{box}")
    page.keyboard.type(text, delay=40)
    page.locator(OPTIONS.format(box=box)).first.wait_for()


def choose_with_arrows(page, box: str, label: str) -> None:
    """Down arrow until LABEL is the active suggestion, then Enter."""
    options = page.locator(OPTIONS.format(box=box))
    labels = [options.nth(i).locator(".place-label").text_content() for i in range(options.count())]
    assert label in labels, labels
    for _step in range(labels.index(label) + 1):
        page.keyboard.press("ArrowDown")
    active = page.get_attribute(f"#{box}", "aria-activedescendant")
    assert page.locator(f"#{active} .place-label").text_content() == label
    assert page.get_attribute(f"#{box}", "aria-expanded") == "true"
    page.keyboard.press("Enter")
    assert page.get_attribute(f"#{box}", "aria-expanded") == "false"
    assert page.input_value(f"#{box}") == label


def result_names(page) -> list[str]:
    return page.locator("article.result h3 a").all_text_contents()


def assert_clean(page) -> None:
    assert page.log.console_errors == []
    assert page.log.outside == []
    assert page.evaluate("window.pwned") is None


def test_typing_nam_and_choosing_namur_with_the_keyboard_runs_the_search(page, server, world):
    add_location(4.8720, 50.4620, "Citadelle de Namur")
    add_location(4.9005, 50.4717, "Moulin de Beez")
    db.session.commit()
    page.goto(f"{server}/locations")
    type_and_wait(page, "near", "Nam")
    choose_with_arrows(page, "near", "Namur")
    with page.expect_navigation():
        page.keyboard.press("Enter")  # the list is closed: Enter sends the form
    assert parse_qs(urlsplit(page.url).query)["near"] == ["Namur"]
    assert page.input_value("#near") == "Namur"
    # The same as searching around Namur's point, which the API gives.
    (namur,) = page.request.get(f"{server}/api/v1/places?q=Namur&kind=commune").json()["places"]
    lon, lat = namur["point"]
    around = page.request.get(f"{server}/api/v1/locations?near={lon},{lat}").json()["features"]
    expected = [feature["properties"]["name"] for feature in around]
    assert len(expected) == 3 and expected[0] == "Citadelle de Namur"
    assert result_names(page) == expected
    assert any("/api/v1/places?q=Nam" in url for url in page.log.requests)
    assert_clean(page)


def test_escape_closes_the_list_and_a_commune_is_chosen_by_name(page, server, world):
    page.goto(f"{server}/locations")
    type_and_wait(page, "commune", "Eup")
    page.keyboard.press("Escape")
    assert page.get_attribute("#commune", "aria-expanded") == "false"
    assert page.locator("#commune-places").is_hidden()
    page.keyboard.press("ArrowDown")  # opens it again on the first suggestion
    highlighted = page.locator("#commune-places [aria-selected=true]")
    assert highlighted.locator(".place-label").text_content() == "Eupen"
    page.keyboard.press("Enter")
    assert page.input_value("#commune") == "Eupen"
    assert page.input_value("input[type=hidden][name=commune]") == "63023"
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert parse_qs(urlsplit(page.url).query)["commune"] == ["63023"]
    assert page.input_value("#commune") == "Eupen"  # shown by name again
    assert_clean(page)


def test_hostile_location_names_are_suggested_as_text(page, server, world):
    sign_in(page, server, world.scout, PASSWORD)
    page.goto(f"{server}/locations")
    type_and_wait(page, "near", "script")
    labels = page.locator("#near-places .place-label").all_text_contents()
    assert HOSTILE in labels
    assert page.locator("#near-places img").count() == 0
    assert_clean(page)


def test_the_shoot_forms_location_is_chosen_by_name_and_fills_the_id(page, server, world):
    citadel = add_location(4.8720, 50.4620, "Citadelle de Namur")
    db.session.commit()
    sign_in(page, server, world.coordinator, PASSWORD)
    page.goto(f"{server}/productions/{world.production_id}/shoots/new")
    hidden = "input[type=hidden][name=location_id]"
    assert page.locator("#location_id").get_attribute("name") is None  # the id is sent
    assert page.input_value(hidden) == ""
    type_and_wait(page, "location_id", "Citad")
    kinds = page.locator("#location_id-places small").all_text_contents()
    assert kinds and all("lieu de la bibliothèque" in kind for kind in kinds), kinds
    choose_with_arrows(page, "location_id", "Citadelle de Namur")
    assert page.input_value(hidden) == str(citadel.id)
    page.keyboard.type(" (autre)")  # typed, no longer the chosen place: no id
    assert page.input_value(hidden) == ""
    page.click("main form button[type=submit]")  # stopped in the browser, with a message
    assert page.url.endswith("/shoots/new")
    message = page.evaluate("document.getElementById('location_id').validationMessage")
    assert "liste" in message or "suggestions" in message, message
    assert_clean(page)
