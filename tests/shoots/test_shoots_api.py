"""The shoots API: scheduling, validation, hard conflicts and warnings."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from core.db import db
from shoots.models import Shoot
from tests.shoots.conftest import NAMUR, circle, offset


def shoot_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Shoot))


def test_schedule_a_shoot_in_brussels_time(post_shoot):
    response = post_shoot(crew_size=40, night_shoot=True)
    assert response.status_code == 201, response.json
    body = response.json
    assert body["starts_at"] == "2027-06-14T07:00:00+02:00"
    assert body["ends_at"] == "2027-06-14T17:00:00+02:00"
    assert body["crew_size"] == 40 and body["night_shoot"] is True
    assert body["footprint"]["type"] == "MultiPolygon"
    assert body["conflicts"] == [] and body["warnings"] == []


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"ends_at": "2027-06-14T07:00"}, "ends_at"),
        ({"ends_at": "2027-06-14T06:00"}, "ends_at"),
        ({"ends_at": "2027-09-14T06:00"}, "ends_at"),
        ({"starts_at": "2027-03-28T02:30"}, "starts_at"),  # clocks jump 02:00 -> 03:00
        ({"starts_at": "2027-10-31T02:30", "ends_at": "2027-10-31T09:00"}, "starts_at"),
        ({"starts_at": "yesterday"}, "starts_at"),
        ({"footprint": {"type": "Polygon", "coordinates": []}}, "footprint"),
        (
            {
                "footprint": {  # a bow tie: self-intersecting
                    "type": "Polygon",
                    "coordinates": [
                        [[4.86, 50.46], [4.87, 50.47], [4.87, 50.46], [4.86, 50.47], [4.86, 50.46]]
                    ],
                }
            },
            "footprint",
        ),
        ({"footprint": circle(2.35, 48.85, 30)}, "footprint"),  # Paris
        ({"footprint": {"type": "Point", "coordinates": [4.86, 50.46]}}, "footprint"),
        ({"production_id": 999_999}, "production_id"),
        ({"location_id": 999_999}, "location_id"),
        ({"crew_size": -1}, "crew_size"),
    ],
)
def test_bad_input_is_refused_naming_the_field_and_stores_nothing(post_shoot, fields, field):
    before = shoot_count()
    response = post_shoot(**fields)
    assert response.status_code == 400, response.json
    assert response.json["field"] == field
    assert shoot_count() == before


def test_time_with_an_offset_disambiguates_the_autumn_hour(post_shoot):
    response = post_shoot(starts_at="2027-10-31T02:30+01:00", ends_at="2027-10-31T09:00")
    assert response.status_code == 201, response.json
    assert response.json["starts_at"] == "2027-10-31T02:30:00+01:00"


def test_only_the_productions_coordinators_may_schedule(post_shoot, make_user, token_for):
    stranger = token_for(make_user("coordinator"))
    assert post_shoot(headers=stranger).status_code == 403
    assert post_shoot(headers={}).status_code == 401
    admin = token_for(make_user("admin"))
    assert post_shoot(headers=admin).status_code == 201


def test_same_location_same_time_is_refused(post_shoot, create_location, create_production):
    location = create_location(*NAMUR)
    first = post_shoot(location_id=location.id, footprint=None)
    assert first.status_code == 201, first.json
    # another production, another footprint far away, but the same library location
    second = post_shoot(location_id=location.id, footprint=circle(*offset(*NAMUR, 2000), 20))
    assert second.status_code == 409
    (conflict,) = second.json["conflicts"]
    assert conflict["rule"] == "same_location"
    assert conflict["other"]["id"] == first.json["id"]
    # right after it ends ([) periods): fine
    after = post_shoot(
        location_id=location.id, starts_at="2027-06-14T17:00", ends_at="2027-06-14T20:00"
    )
    assert after.status_code == 201, after.json


def test_default_footprint_is_a_buffer_around_the_location(post_shoot, create_location):
    location = create_location(*NAMUR)
    response = post_shoot(location_id=location.id, footprint=None)
    assert response.status_code == 201
    area = db.session.scalar(
        select(func.ST_Area(Shoot.footprint)).where(Shoot.id == response.json["id"])
    )
    assert area == pytest.approx(3.1416 * 50**2, rel=0.02)


def test_intersecting_footprints_conflict_but_nearby_ones_only_warn(post_shoot, other_production):
    assert post_shoot().status_code == 201
    overlapping = post_shoot(footprint=circle(*offset(*NAMUR, 50), 30))
    assert overlapping.status_code == 409
    assert overlapping.json["conflicts"][0]["rule"] == "footprint_overlap"
    # 2 x 30 m circles 61 m apart: within 250 m, so another production's set warns
    nearby = post_shoot(
        production_id=other_production.id, footprint=circle(*offset(*NAMUR, 61), 30)
    )
    assert nearby.status_code == 201
    (warning,) = nearby.json["warnings"]
    assert warning["rule"] == "nearby_set" and warning["distance_m"] == pytest.approx(1, abs=0.5)


def test_circles_whose_boxes_overlap_but_shapes_do_not_are_only_nearby(
    post_shoot, other_production
):
    assert post_shoot().status_code == 201
    # diagonal neighbour 63.6 m away: the bounding boxes overlap, the circles do not
    diagonal = post_shoot(
        production_id=other_production.id, footprint=circle(*offset(*NAMUR, 45, 45), 30)
    )
    assert diagonal.status_code == 201, diagonal.json
    assert diagonal.json["warnings"][0]["rule"] == "nearby_set"


def test_a_duplicate_file_reference_is_a_400_also_when_coordinators_change(
    client, make_user, token_for, create_production
):
    """Found by schemathesis: replacing the coordinators loaded them, which flushed the
    duplicate reference outside the savepoint that names the field (a 500)."""
    admin = make_user("admin")
    create_production(file_reference="WFC-2027-001")
    production = create_production()
    body = {"file_reference": "WFC-2027-001", "coordinators": []}
    response = client.patch(
        f"/api/v1/productions/{production.id}", json=body, headers=token_for(admin)
    )
    assert response.status_code == 400 and response.get_json()["field"] == "file_reference"
    cleared = {"file_reference": "", "coordinators": []}  # an empty reference is no reference
    for other in (production, create_production()):
        response = client.patch(
            f"/api/v1/productions/{other.id}", json=cleared, headers=token_for(admin)
        )
        assert response.status_code == 200 and response.get_json()["file_reference"] is None
