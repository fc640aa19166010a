"""The hostile catalogue: each hostile string in every user-writable text field, then every GET
page, map, export, feed, OGC page, permit document and e-mail that shows it, as each role.

Nothing may answer 5xx, no template may be evaluated, and every field must come back literally
(HTML-escaped in pages, decoded in map data, JSON, CSV, iCalendar and PDF) somewhere.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from flask import Flask

from core.auth.models import Role
from ogc.collections import COLLECTIONS
from tests.conftest import PASSWORD, RequestPerContextClient
from tests.hostile import EVALUATED, HOSTILE_VALUES
from tests.interfaces.hostile_world import HostileWorld, build_world, outbox_bodies, read

# GET rules the catalogue does not read, and why.
SKIPPED = {
    "static": "files shipped with the app, no user text",
    "mapping.static": "files shipped with the app, no user text",
    "shoots.static": "files shipped with the app, no user text",
    "place_picker.static": "files shipped with the app, no user text",
    "choose_language": "a redirect setting a cookie",
    "locations.photo_file": "image bytes (the test world stores no file)",
    "permits.insurance": "the applicant's own PDF, served as an attachment",
    "apidocs.docs": "the static Swagger UI page",
    "apidocs.openapi_json": "the API description, no user text",
}
# Users the crawl reads as: None is anonymous.
READERS = (None, Role.ADMIN.value, Role.COORDINATOR.value, Role.OFFICER.value, Role.SCOUT.value)
# Fields no page shows to anyone, and why.
NEVER_SHOWN = {
    "token.label": "API tokens are not listed on any page yet (issue 10, item 3)",
    "location.external_ref": "the key of imports (demo, iRail), kept for them, never shown",
}
PARAMETER = re.compile(r"<(?:[^:<>]+:)?([^<>]+)>")


def _urls(app: Flask, ids: dict) -> Iterator[str]:
    """Every GET rule of the URL map, its parameters filled from the hostile world."""
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if "GET" not in rule.methods or rule.endpoint in SKIPPED:
            continue
        if rule.endpoint == "shoots_api.calendar":
            yield f"/api/v1/calendars/production/{ids['production_id']}.ics"
            yield f"/api/v1/calendars/location/{ids['location_id']}.ics"
            yield "/api/v1/calendars/commune/92094.ics"
        elif "<collection_id>" in rule.rule:
            for collection in COLLECTIONS:
                path = rule.rule.replace("<collection_id>", collection)
                yield path.replace("<fid>", str(ids["location_id"]))
        else:
            yield PARAMETER.sub(lambda m: str(ids[m.group(1)]), rule.rule)
    yield "/api/v1/locations/export?format=csv"
    yield "/api/v1/locations/export?format=geojson"
    yield "/ogc/collections/locations/items?f=html&has_power=false"  # a queryable
    yield "/locations?q=F"
    yield "/api/v1/places?q=F&kind=location"  # the place pickers' suggestions
    day = ids["shoot_day"]  # the shoot form's map around the hostile shoot, its period
    yield (
        f"/productions/{ids['production_id']}/shoots/surroundings?starts_at={day}T00:00"
        f"&ends_at={day}T23:00&bbox=4.80,50.40,4.95,50.50&zoom=15"
    )


def _client(app: Flask, world: HostileWorld, reader: str | None):
    app.test_client_class = RequestPerContextClient
    client = app.test_client()
    if reader:
        email = world.users[reader].email
        response = client.post("/login", data={"email": email, "password": PASSWORD})
        assert response.status_code == 302, response.data
    return client


def _assert_not_evaluated(where: str, body: str) -> None:
    for evaluated in EVALUATED:
        assert evaluated not in body, f"{where}: template evaluated ({evaluated!r})"


def _assert_no_raw_html(where: str, html: str) -> None:
    for code in ("<script>window.pwned", "<img src=x onerror"):
        assert code not in html, f"{where}: raw HTML {code!r} in the page"


@pytest.mark.parametrize("hostile", HOSTILE_VALUES, ids=lambda s: s[:24])
def test_hostile_text_in_every_field_comes_back_literally_everywhere(
    app, create_location, create_shoot, hostile
):
    world = build_world(hostile, create_location, create_shoot)
    urls = list(_urls(app, world.ids))
    shown: dict[str, list[str]] = {name: [] for name in world.values}
    for reader in READERS:
        client = _client(app, world, reader)
        for url in urls:
            response = client.get(url)
            where = f"{url} as {reader or 'anonymous'}"
            assert response.status_code < 500, f"{where}: {response.status_code}"
            if response.status_code != 200:
                continue
            reading = read(response)
            _assert_not_evaluated(where, reading.raw)
            if reading.kind == "html":
                _assert_no_raw_html(where, reading.raw)
            for name, value in world.values.items():
                if reading.shows(value):
                    shown[name].append(where)
    for body in outbox_bodies():
        _assert_not_evaluated("outbox", body)
    bodies = "\n".join(outbox_bodies())
    for name in ("production.title", "event.submit", "permit.decision_comment", "amendment.reason"):
        assert world.values[name] in bodies, f"{name} not literally in the e-mails"
    missing = {name for name, pages in shown.items() if not pages} - NEVER_SHOWN.keys()
    assert missing == set(), f"fields shown literally nowhere: {sorted(missing)}"
