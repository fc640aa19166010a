"""The hostile catalogue in Chromium: map pages and the list and detail pages that show the
hostile world, as the roles that see them. Nothing runs (no dialog, window.pwned stays unset,
no console error) and the text is shown literally, in the DOM and in the maps' data."""

from __future__ import annotations

from sqlalchemy import delete

from core.db import db
from locations.models import LocationPhoto
from maps.browser import sign_in, wait_until_drawn
from tests.conftest import PASSWORD
from tests.hostile import EVALUATED, HOSTILE_STRINGS
from tests.interfaces.hostile_world import HostileWorld, build_world, map_data, strings_in
from tests.maps.conftest import add_location, add_shoot

# In one text (one world keeps the pass short): what would run in a browser (script endings,
# handlers, template literals) and the template probe a server would evaluate.
BROWSER_STRING = " ".join(
    s for s in HOSTILE_STRINGS if s.startswith(("</script>", "<img", "`", "Probe"))
)
# (path, reader, field shown in the page's text, field in its map data or None)
PAGES = (
    ("/maps/locations", "scout", None, None),  # its points come from points.json
    ("/maps/communes/{nis}", "officer", None, "production.title"),
    ("/maps/productions/{production_id}", "coordinator", None, "production.title"),
    ("/maps/public", None, None, "location.address"),  # the public fields (permits.public)
    ("/locations/{location_id}", "scout", "location.description", "location.name"),
    ("/productions/{production_id}", "coordinator", "production.title", "production.title"),
    ("/permits/{request_id}", "officer", "permit.decision_comment", None),
    ("/permits/{request_id}", "officer", "override.reason", "blackout.title"),  # the findings
    ("/permits/public", None, "location.address", "location.address"),  # title unpublished
    ("/blackouts", "officer", "blackout.title", None),
)


def _location(lon: float, lat: float, **columns):
    location = add_location(lon, lat, columns.pop("name"), **columns)
    db.session.flush()
    return location


def _shoot(lon: float, lat: float, *, production, start, **columns):
    shoot = add_shoot(production, lon, lat, days_ahead=60)
    for name, value in columns.items():
        setattr(shoot, name, value)
    db.session.flush()
    return shoot


def _committed_world(hostile: str) -> HostileWorld:
    world = build_world(hostile, _location, _shoot)
    # The world stores no photo file: the page's <img> would log a 404 as a console error.
    db.session.execute(delete(LocationPhoto))
    db.session.commit()
    return world


def _visit(page, server: str, path: str, email: str | None) -> None:
    page.context.clear_cookies()
    if email:
        sign_in(page, server, email, PASSWORD)
    page.goto(f"{server}{path}")
    if "/maps/" in path:
        wait_until_drawn(page)
    page.wait_for_load_state("networkidle")


def test_hostile_world_is_shown_literally_in_chromium(page, server, committed_app):
    world = _committed_world(BROWSER_STRING)
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    for path, reader, text_field, data_field in PAGES:
        url = path.format(**world.ids)
        email = world.users[reader].email if reader else None
        _visit(page, server, url, email)
        where = f"{url} as {reader or 'anonymous'}"
        shown = page.inner_text("body")
        assert page.evaluate("window.pwned") is None, where
        assert not any(evaluated in shown for evaluated in EVALUATED), where
        if text_field:
            assert world.values[text_field] in shown, f"{where}: {text_field} not shown"
        if data_field:
            texts = strings_in(map_data(page.content()))
            assert any(world.values[data_field] in text for text in texts), where
    assert dialogs == []
    assert page.log.console_errors == []
    assert page.log.outside == []
