"""What the issue's integrator found, each against the description and the server."""

from __future__ import annotations

import pytest
from shapely.geometry import shape

from tests.shoots.conftest import NAMUR, circle


@pytest.fixture
def description(client):
    return client.get("/api/v1/openapi.json").get_json()


def test_a_production_with_shoots_is_a_409_to_delete_and_one_without_goes(
    client, token_for, make_user, create_production, create_shoot
):
    headers = token_for(make_user("admin"))
    busy = create_production()
    create_shoot(production=busy)
    refused = client.delete(f"/api/v1/productions/{busy.id}", headers=headers)
    assert refused.status_code == 409 and "cancel" in refused.json["detail"]
    empty = create_production()
    assert client.delete(f"/api/v1/productions/{empty.id}", headers=headers).status_code == 204


@pytest.mark.parametrize("position", [False, "3", None, 1.5, 10_001, -1])
def test_a_category_position_is_a_whole_number(client, token_for, make_user, position):
    headers = token_for(make_user("admin"))
    body = {
        "code": "test_pit",
        "label_fr": "Carrière",
        "label_en": "Quarry",
        "label_de": "Steinbruch",
    }
    created = client.post(
        "/api/v1/locations/categories", json={**body, "position": 10_000}, headers=headers
    )
    assert created.status_code == 201  # just inside
    for method, url, sent in (
        (
            "POST",
            "/api/v1/locations/categories",
            {**body, "code": "test_mine", "position": position},
        ),
        ("PATCH", "/api/v1/locations/categories/test_pit", {"position": position}),
    ):
        response = client.open(url, method=method, json=sent, headers=headers)
        assert response.status_code == 400 and response.json["field"] == "position", response.json


@pytest.mark.parametrize("capacity", [False, True, "3", 1.5, 10_001, -1])
def test_a_truck_parking_capacity_is_a_whole_number(client, token_for, make_user, capacity):
    """Found by schemathesis: `false` was taken as 0 spaces."""
    headers = token_for(make_user("admin"))
    created = client.post(
        "/api/v1/locations",
        json={
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [4.8659, 50.4596]},
            "properties": {"name": "Quai", "truck_parking_capacity": 10_000},
        },
        headers=headers,
    )
    assert created.status_code == 201, created.json  # just inside
    url = f"/api/v1/locations/{created.json['id']}"
    patch = {"type": "Feature", "properties": {"truck_parking_capacity": capacity, "version": 1}}
    response = client.patch(url, json=patch, headers=headers)
    assert response.status_code == 400, response.json
    assert response.json["field"].endswith("truck_parking_capacity"), response.json


@pytest.mark.parametrize(
    ("schema", "field", "method", "url", "body"),
    [
        ("ProductionIn", "status", "POST", "/api/v1/productions", {"status": None}),
        ("ProductionPatch", "type", "PATCH", "/api/v1/productions/{production}", {"type": None}),
        ("ShootPatch", "starts_at", "PATCH", "/api/v1/shoots/{shoot}", {"starts_at": None}),
    ],
)
def test_fields_not_nullable_in_the_description_are_refused_as_null(
    client, description, token_for, make_user, create_production, create_shoot,
    schema, field, method, url, body,
):  # fmt: skip
    admin = make_user("admin")
    production = create_production()
    shoot = create_shoot(production=production)
    assert not description["components"]["schemas"][schema]["properties"][field].get("nullable")
    sent = {"title": "T", "type": "feature", "company": "C", **body} if method == "POST" else body
    path = url.format(production=production.id, shoot=shoot.id)
    response = client.open(path, method=method, json=sent, headers=token_for(admin))
    assert response.status_code == 400 and response.json["field"] == field


@pytest.mark.parametrize(
    ("query", "status"),
    [("to=0", 400), ("to=2027-13-01", 400), ("to=2027-06-01", 200), ("to=9999-12-31", 200)],
)
def test_permit_dates_are_days(client, token_for, make_user, query, status):
    response = client.get(f"/api/v1/permits?{query}", headers=token_for(make_user("officer")))
    assert response.status_code == status
    if status == 400:
        assert response.json["field"] == "to"


@pytest.mark.parametrize("target", ["abc", "00000", "0000000000000000000"])
def test_unknown_calendar_communes_are_404_like_productions(client, token_for, make_user, target):
    headers = token_for(make_user("officer"))
    assert client.get(f"/api/v1/calendars/commune/{target}.ics", headers=headers).status_code == 404
    assert client.get("/api/v1/calendars/production/999999.ics", headers=headers).status_code == 404


def test_calendar_feeds_answer_304_and_are_private(
    client, token_for, make_user, create_production, create_shoot
):
    coordinator = make_user("coordinator")
    production = create_production(coordinators=[coordinator])
    create_shoot(production=production)
    headers = token_for(coordinator)
    url = f"/api/v1/calendars/production/{production.id}.ics"
    first = client.get(url, headers=headers)
    assert first.status_code == 200 and first.mimetype == "text/calendar"
    assert first.headers["Cache-Control"] in ("private, no-cache", "no-cache, private")
    etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
    assert client.get(url, headers={**headers, "If-None-Match": etag}).status_code == 304
    assert client.get(url, headers={**headers, "If-Modified-Since": modified}).status_code == 304
    # A new shoot changes the feed: a new ETag, a 200.
    create_shoot(*NAMUR, production=production, radius_m=10)
    changed = client.get(url, headers={**headers, "If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag
    # Another coordinator's copy is no way in: the 304 comes after the access check.
    other = token_for(make_user("coordinator"))
    assert client.get(url, headers={**other, "If-None-Match": etag}).status_code == 403


def test_a_revoked_private_feed_is_gone_even_for_a_cached_copy(
    client, token_for, make_user, create_production
):
    coordinator = make_user("coordinator")
    production = create_production(coordinators=[coordinator])
    headers = token_for(coordinator)
    feed = client.post(
        "/api/v1/calendars/feeds",
        json={"scope": "production", "target": str(production.id)},
        headers=headers,
    ).json
    path = "/api/v1/calendars/private/" + feed["url"].rsplit("/", 1)[-1]
    first = client.get(path)
    assert first.status_code == 200 and "private" in first.headers["Cache-Control"]
    assert client.get(path, headers={"If-None-Match": first.headers["ETag"]}).status_code == 304
    client.delete(f"/api/v1/calendars/feeds/{feed['id']}", headers=headers)
    assert client.get(path, headers={"If-None-Match": first.headers["ETag"]}).status_code == 404


def test_shoot_footprints_posted_clockwise_come_back_counter_clockwise(
    client, token_for, make_user, create_production
):
    coordinator = make_user("coordinator")
    production = create_production(coordinators=[coordinator])
    ring = circle(*NAMUR, 30)["coordinates"][0]
    body = {
        "production_id": production.id,
        "footprint": {"type": "Polygon", "coordinates": [ring[::-1]]},
        "starts_at": "2027-06-14T07:00",
        "ends_at": "2027-06-14T17:00",
    }
    shoot = client.post("/api/v1/shoots", json=body, headers=token_for(coordinator)).json
    (polygon,) = shape(shoot["footprint"]).geoms
    assert polygon.exterior.is_ccw
