"""Issue 10, item 6–8: hostile input is a 400 naming the field (never a 500), stored absurd
dates do not break pages, CSV cells cannot become formulas, limits tested on both sides."""

from __future__ import annotations

import json
from datetime import datetime

import pytest
from shapely.geometry import Polygon, mapping

from core.config import BRUSSELS
from core.geo import MAX_VERTICES
from core.spreadsheets import safe_cell
from core.validation import MAX_JSON_DEPTH
from tests.shoots.conftest import NAMUR, circle

TOO_BIG_ID = 2**31


def ring_of(vertices: int) -> dict:
    """A GeoJSON polygon around Namur with exactly VERTICES coordinates (closing one counted)."""
    polygon = Polygon(json.loads(json.dumps(circle(*NAMUR, 30)))["coordinates"][0])
    points = [
        polygon.exterior.interpolate(i / (vertices - 1), normalized=True)
        for i in range(vertices - 1)
    ]
    coordinates = [[p.x, p.y] for p in points]
    return {"type": "Polygon", "coordinates": [[*coordinates, coordinates[0]]]}


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"production_id": TOO_BIG_ID}, "production_id"),
        ({"location_id": TOO_BIG_ID}, "location_id"),
        ({"starts_at": "9999-12-31T10:00", "ends_at": "9999-12-31T20:00"}, "starts_at"),
        ({"starts_at": "0001-01-01T00:00", "ends_at": "0001-01-01T10:00"}, "starts_at"),
        ({"starts_at": "1999-12-31T20:00", "ends_at": "2000-01-01T02:00"}, "starts_at"),
        ({"starts_at": "2099-12-31T20:00", "ends_at": "2100-01-01T02:00"}, "ends_at"),
        ({"footprint": ring_of(MAX_VERTICES + 1)}, "footprint"),
    ],
)
def test_hostile_shoot_fields_are_400s(post_shoot, fields, field):
    response = post_shoot(**fields)
    assert response.status_code == 400, response.json
    assert response.json["field"] == field


def test_just_inside_the_limits_is_accepted(post_shoot):
    assert post_shoot(footprint=ring_of(MAX_VERTICES)).status_code == 201
    inside = post_shoot(starts_at="2099-12-31T10:00", ends_at="2099-12-31T20:00")
    assert inside.status_code == 201, inside.json


@pytest.mark.parametrize("coordinate", ["NaN", "1e308", "-Infinity"])
def test_non_finite_or_absurd_coordinates_are_400s(client, headers, production, coordinate):
    footprint = json.loads(json.dumps(circle(*NAMUR, 30)))
    body = json.dumps(
        {
            "production_id": production.id,
            "footprint": footprint,
            "starts_at": "2027-06-14T07:00",
            "ends_at": "2027-06-14T17:00",
        }
    ).replace(str(footprint["coordinates"][0][1][0]), coordinate, 1)
    response = client.post(
        "/api/v1/shoots", data=body, headers={**headers, "Content-Type": "application/json"}
    )
    assert response.status_code == 400, response.json
    assert response.json["field"] == "footprint"


def test_ids_beyond_the_integer_range_in_queries_and_targets(client, headers):
    listed = client.get(f"/api/v1/shoots?production={TOO_BIG_ID}", headers=headers)
    assert listed.status_code == 400 and listed.json["field"] == "production"
    feed = client.get(f"/api/v1/calendars/production/{TOO_BIG_ID}.ics", headers=headers)
    assert feed.status_code == 400 and feed.json["field"] == "target"
    assert client.get(f"/api/v1/shoots/{TOO_BIG_ID}", headers=headers).status_code == 404


def nested(depth: int) -> str:
    return '{"a": ' * depth + "1" + "}" * depth


@pytest.mark.parametrize("depth", [MAX_JSON_DEPTH, MAX_JSON_DEPTH + 1])
def test_json_depth_limit(client, headers, depth):
    response = client.post(
        "/api/v1/shoots",
        data=nested(depth),
        headers={**headers, "Content-Type": "application/json"},
    )
    assert response.status_code == 400
    # Just inside, the schema answers (a missing field); just outside, the depth check.
    assert (response.json["field"] == "body") is (depth > MAX_JSON_DEPTH)


def test_json_nested_50000_deep_is_a_400(client, headers):
    deep = "[" * 50_000 + "]" * 50_000
    response = client.post(
        "/api/v1/shoots", data=deep, headers={**headers, "Content-Type": "application/json"}
    )
    assert response.status_code == 400 and response.json["field"] == "body"


def test_like_metacharacters_are_literal(client):
    for province in ("\\", "%", "_", "Nam_r"):
        response = client.get("/api/v1/locations", query_string={"province": province})
        assert response.status_code == 400, (province, response.json)
        assert response.json["field"] == "province"
    assert client.get("/api/v1/locations?province=Namur").status_code == 200


def test_pages_survive_shoots_stored_in_year_9999_and_0001(
    client, login, make_user, production, create_shoot
):
    create_shoot(production=production, start=datetime(9999, 12, 31, 10, tzinfo=BRUSSELS), hours=13)
    create_shoot(production=production, start=datetime(1, 1, 1, 10, tzinfo=BRUSSELS), hours=3)
    admin = make_user("admin")
    login(admin)
    for url in (
        f"/productions/{production.id}",
        "/schedule/communes?commune=92094",
        "/schedule/communes?month=9999-12",
        "/schedule/communes?month=0001-01",
        f"/api/v1/calendars/production/{production.id}.ics",
        "/api/v1/calendars/commune/92094.ics",
    ):
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize(
    ("typed", "cell"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
        ("-2+3", "'-2+3"),
        ("@sum(1+1)", "'@sum(1+1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("Château", "Château"),
        (-4.5, -4.5),
    ],
)
def test_csv_cells_never_start_a_formula(typed, cell):
    assert safe_cell(typed) == cell


def test_csv_export_neutralises_formulas(client, create_location):
    create_location(name='=HYPERLINK("http://evil")', address="@sum(1+1)")
    text = client.get("/api/v1/locations/export?format=csv").get_data(as_text=True)
    assert "'=HYPERLINK" in text and "'@sum(1+1)" in text
    assert ",=HYPERLINK" not in text and ",@sum" not in text


def test_outline_size_and_tags_limits(client, make_user, token_for):
    admin = token_for(make_user("admin"))
    lon, lat = NAMUR

    def post(**properties):
        feature = {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [lon, lat]},
            "properties": {"name": "Limites", **properties},
        }
        return client.post("/api/v1/locations", json=feature, headers=admin)

    assert post(tags=[f"t{i}" for i in range(50)]).status_code == 201
    too_many = post(tags=[f"t{i}" for i in range(51)])
    assert too_many.status_code == 400 and too_many.json["field"] == "properties.tags"
    small = dict(mapping(Polygon.from_bounds(lon - 0.01, lat - 0.01, lon + 0.01, lat + 0.01)))
    huge = dict(mapping(Polygon.from_bounds(lon - 0.75, lat - 0.75, lon + 0.75, lat + 0.75)))
    small = json.loads(json.dumps(small))
    huge = json.loads(json.dumps(huge))
    assert post(outline=small).status_code == 201
    refused = post(outline=huge)
    assert refused.status_code == 400 and refused.json["field"] == "properties.outline"
