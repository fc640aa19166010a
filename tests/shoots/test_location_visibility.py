"""Draft and archived locations reach only those who may see them (scouts, coordinators,
admins): not officers, of this commune or another, in schedules, calendars, search, export or
OGC (the commune map and the private feeds: test_shoot_calendars.py)."""

from __future__ import annotations

import pytest
from icalendar import Calendar

from locations.models import LocationStatus
from tests.shoots.conftest import NAMUR


@pytest.fixture
def draft(create_location):
    return create_location(*NAMUR, name="Villa Hidden Draft", status=LocationStatus.DRAFT)


@pytest.fixture
def draft_shoot(post_shoot, draft):
    response = post_shoot(location_id=draft.id, footprint=None)
    assert response.status_code == 201, response.json
    return response.json


@pytest.fixture(params=["92094", "63023"], ids=["officer-of-namur", "officer-of-eupen"])
def officer(request, make_user):
    return make_user("officer", commune=request.param)


@pytest.mark.parametrize("status", [LocationStatus.DRAFT, LocationStatus.ARCHIVED])
def test_officers_do_not_get_the_schedule_or_calendar_of_an_unpublished_location(
    client, login, token_for, officer, create_location, status
):
    hidden = create_location(*NAMUR, name="Villa Hidden", status=status)
    api = token_for(officer)
    calendar = client.get(f"/api/v1/calendars/location/{hidden.id}.ics", headers=api)
    assert calendar.status_code == 404 and b"Villa Hidden" not in calendar.data
    feed = {"scope": "location", "target": str(hidden.id)}
    assert client.post("/api/v1/calendars/feeds", json=feed, headers=api).status_code == 404
    login(officer)
    page = client.get(f"/schedule/locations/{hidden.id}")
    assert page.status_code == 404 and "Villa Hidden" not in page.text


def test_commune_calendar_and_schedule_do_not_name_a_draft_to_an_officer(
    client, login, make_user, token_for, draft_shoot
):
    officer = make_user("officer", commune="92094")
    calendar = client.get("/api/v1/calendars/commune/92094.ics", headers=token_for(officer))
    (event,) = Calendar.from_ical(calendar.data).walk("VEVENT")
    assert str(event["UID"]) == f"shoot-{draft_shoot['id']}@tournages.wallonie.be"
    assert "LOCATION" not in event
    login(officer)
    page = client.get("/schedule/communes?commune=92094&month=2027-06")
    assert page.status_code == 200 and "Villa Hidden Draft" not in page.text


def test_ogc_and_search_show_the_public_published_locations_only(
    client, create_location, draft, make_user, token_for
):
    create_location(4.8700, 50.4650, name="Published Square")
    items = client.get("/ogc/collections/locations/items?f=json").json
    assert [f["properties"]["name"] for f in items["features"]] == ["Published Square"]
    officer = token_for(make_user("officer", commune="92094"))
    found = client.get("/api/v1/locations", headers=officer).json
    assert [f["properties"]["name"] for f in found["features"]] == ["Published Square"]
    assert client.get("/api/v1/locations?status=draft", headers=officer).status_code == 403
    export = client.get("/api/v1/locations/export?format=csv", headers=officer)
    assert "Published Square" in export.text and "Villa Hidden Draft" not in export.text
