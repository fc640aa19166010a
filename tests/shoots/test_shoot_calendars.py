"""iCalendar feeds: RFC 5545 content, stable UIDs, Brussels times, private revocable URLs."""

from __future__ import annotations

from icalendar import Calendar


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
