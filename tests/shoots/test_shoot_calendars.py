"""iCalendar feeds: RFC 5545 content, stable UIDs, Brussels times, private revocable URLs."""

from __future__ import annotations

from icalendar import Calendar

from locations.models import LocationStatus


def test_production_calendar(client, headers, post_shoot, production):
    shoot = post_shoot(notes="Plan large sur la gare").json
    response = client.get(f"/api/v1/calendars/production/{production.id}.ics", headers=headers)
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    calendar = Calendar.from_ical(response.data)
    (event,) = calendar.walk("VEVENT")
    assert str(event["UID"]) == f"shoot-{shoot['id']}@tournages.wallonie.be"
    assert event.decoded("DTSTART").isoformat() == "2027-06-14T07:00:00+02:00"
    assert event["DTSTART"].params["TZID"] == "Europe/Brussels"
    assert calendar.walk("VTIMEZONE")[0]["TZID"] == "Europe/Brussels"
    again = Calendar.from_ical(
        client.get(f"/api/v1/calendars/production/{production.id}.ics", headers=headers).data
    )
    assert [str(e["UID"]) for e in again.walk("VEVENT")] == [str(event["UID"])]


def test_private_feed_url_works_without_login_until_revoked(
    client, headers, post_shoot, production
):
    post_shoot()
    created = client.post(
        "/api/v1/calendars/feeds",
        json={"scope": "production", "target": str(production.id)},
        headers=headers,
    )
    assert created.status_code == 201, created.json
    url = created.json["url"]
    assert len(url.rsplit("/", 1)[1]) > 40  # unguessable
    feed = client.get(url)
    assert feed.status_code == 200 and b"BEGIN:VEVENT" in feed.data
    assert (
        client.delete(f"/api/v1/calendars/feeds/{created.json['id']}", headers=headers).status_code
        == 204
    )
    assert client.get(url).status_code == 404


def test_strangers_cannot_create_a_feed_of_someone_elses_production(
    client, make_user, token_for, production
):
    stranger = token_for(make_user("coordinator"))
    body = {"scope": "production", "target": str(production.id)}
    assert client.post("/api/v1/calendars/feeds", json=body, headers=stranger).status_code == 403
    assert client.get(f"/api/v1/calendars/production/{production.id}.ics").status_code == 401


def test_location_and_commune_calendars(client, headers, post_shoot, create_location):
    location = create_location(name="Gare de Namur")
    shoot = post_shoot(location_id=location.id, footprint=None).json
    post_shoot(starts_at="2027-06-15T07:00", ends_at="2027-06-15T09:00")
    by_location = Calendar.from_ical(
        client.get(f"/api/v1/calendars/location/{location.id}.ics", headers=headers).data
    )
    assert [str(e["UID"]) for e in by_location.walk("VEVENT")] == [
        f"shoot-{shoot['id']}@tournages.wallonie.be"
    ]
    assert str(by_location.walk("VEVENT")[0]["LOCATION"]) == "Gare de Namur"
    by_commune = Calendar.from_ical(
        client.get("/api/v1/calendars/commune/92094.ics", headers=headers).data
    )
    assert len(by_commune.walk("VEVENT")) == 2
    eupen = Calendar.from_ical(
        client.get("/api/v1/calendars/commune/63023.ics", headers=headers).data
    )
    assert eupen.walk("VEVENT") == []


def _private_feed(client, headers, scope: str, target: str) -> str:
    created = client.post(
        "/api/v1/calendars/feeds", json={"scope": scope, "target": target}, headers=headers
    )
    assert created.status_code == 201, created.json
    return created.json["url"]


def test_a_private_feed_ends_when_its_creator_leaves_the_production(
    client, headers, post_shoot, production, coordinator, make_user
):
    """Found on e55319c: the feed kept working after its creator lost access."""
    post_shoot()
    url = _private_feed(client, headers, "production", str(production.id))
    assert client.get(url).status_code == 200
    production.coordinators = [make_user("coordinator")]  # the creator is no longer one
    assert client.get(url).status_code == 404
    production.coordinators = [coordinator]
    assert client.get(url).status_code == 200
    coordinator.is_enabled = False  # a disabled account's feeds end too
    assert client.get(url).status_code == 404


def test_draft_locations_reach_only_the_librarys_editors(
    client, headers, make_user, token_for, login, create_location
):
    """Found on e55319c: an officer of any commune read a draft's schedule and calendar."""
    draft = create_location(name="Brouillon secret", status=LocationStatus.DRAFT)
    officer = make_user("officer", commune="92094")
    officer_headers = token_for(officer)
    calendar = f"/api/v1/calendars/location/{draft.id}.ics"
    assert client.get(calendar, headers=officer_headers).status_code == 404
    assert client.get(calendar, headers=headers).status_code == 200  # a coordinator
    feed = _private_feed(client, headers, "location", str(draft.id))
    assert client.get(feed).status_code == 200
    refused = client.post(
        "/api/v1/calendars/feeds",
        json={"scope": "location", "target": str(draft.id)},
        headers=officer_headers,
    )
    assert refused.status_code == 404
    login(officer)
    assert client.get(f"/schedule/locations/{draft.id}").status_code == 404
    page = client.get("/maps/communes/92094")
    assert page.status_code == 200 and "Brouillon secret" not in page.get_data(as_text=True)
    published = create_location(name="Gare publiée")
    assert client.get(f"/schedule/locations/{published.id}").status_code == 200
    assert "Gare publiée" in client.get("/maps/communes/92094").get_data(as_text=True)


def test_an_officers_private_location_feed_ends_when_the_location_is_unpublished(
    client, make_user, token_for, create_location
):
    location = create_location(name="Gare de Namur")
    url = _private_feed(client, token_for(make_user("officer")), "location", str(location.id))
    assert client.get(url).status_code == 200
    location.status = LocationStatus.DRAFT
    gone = client.get(url)
    assert gone.status_code == 404 and b"Gare de Namur" not in gone.data
