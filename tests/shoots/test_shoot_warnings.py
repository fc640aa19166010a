"""Warnings: blackouts (one-off and weekly), saturation, overrides; the dry-run check."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select, text

from core.db import db
from shoots.models import CommuneSettings, Shoot, WarningOverride
from tests.shoots.conftest import NAMUR, circle, offset


@pytest.fixture
def officer_headers(make_user, token_for):
    return token_for(make_user("officer", commune="92094"))


def market(client, headers, **fields):
    body = {
        "commune": "92094",
        "kind": "market",
        "title": "Marché du samedi",
        "area": circle(*NAMUR, 300),
        "starts_at": "2027-01-01T00:00",
        "ends_at": "2028-01-01T00:00",
        "weekday": 6,
        "daily_start": "07:00",
        "daily_end": "13:00",
        **fields,
    }
    return client.post("/api/v1/blackouts", json=body, headers=headers)


def test_weekly_market_warns_on_saturdays_only(client, post_shoot, officer_headers):
    created = market(client, officer_headers)
    assert created.status_code == 201, created.json
    saturday = post_shoot(starts_at="2027-06-19T10:00", ends_at="2027-06-19T18:00")
    assert saturday.status_code == 201
    (warning,) = saturday.json["warnings"]
    assert warning["rule"] == "blackout"
    assert warning["other"]["id"] == created.json["id"]
    assert warning["overlap"] == {
        "starts_at": "2027-06-19T10:00:00+02:00",
        "ends_at": "2027-06-19T13:00:00+02:00",
    }
    saturday_afternoon = post_shoot(starts_at="2027-06-26T13:00", ends_at="2027-06-26T18:00")
    assert saturday_afternoon.json["warnings"] == []
    monday = post_shoot(starts_at="2027-06-21T07:00", ends_at="2027-06-21T18:00")
    assert monday.json["warnings"] == []


def test_commune_wide_blackout_warns_anywhere_in_the_commune(client, post_shoot, officer_headers):
    body = {
        "area": None,
        "kind": "festival",
        "weekday": None,
        "daily_start": None,
        "daily_end": None,
        "starts_at": "2027-06-14T00:00",
        "ends_at": "2027-06-15T00:00",
    }
    assert market(client, officer_headers, **body).status_code == 201
    far_in_namur = post_shoot(footprint=circle(*offset(*NAMUR, 3000, -2000), 20))
    assert [w["rule"] for w in far_in_namur.json["warnings"]] == ["blackout"]


def test_officers_manage_only_their_communes_blackouts(client, make_user, token_for):
    eupen = token_for(make_user("officer", commune="63023"))
    assert market(client, eupen).status_code == 403
    coordinator = token_for(make_user("coordinator"))
    assert market(client, coordinator).status_code == 403


def test_incomplete_weekly_rule_is_refused(client, officer_headers):
    response = market(client, officer_headers, daily_end=None)
    assert response.status_code == 400 and response.json["field"] == "weekday"


def test_saturation_counts_shoot_days_nearby(post_shoot, other_production):
    db.session.add(CommuneSettings(commune_nis="92094", saturation_days=3))
    for day in (1, 2, 3):  # three shoot-days at the same corner (sequential, no overlap)
        response = post_shoot(starts_at=f"2027-06-0{day}T07:00", ends_at=f"2027-06-0{day}T17:00")
        assert response.json["warnings"] == []
    fourth = post_shoot(
        production_id=other_production.id,
        footprint=circle(*offset(*NAMUR, 100), 20),
        starts_at="2027-06-10T07:00",
        ends_at="2027-06-10T17:00",
    )
    (warning,) = fourth.json["warnings"]
    assert warning["rule"] == "saturation"
    assert warning["other"]["shoot_days"] == 4 and warning["other"]["limit_days"] == 3
    assert len(warning["other"]["shoot_ids"]) == 3


def test_override_a_warning_with_a_reason(client, headers, post_shoot, other_production):
    first = post_shoot()
    nearby = post_shoot(
        production_id=other_production.id, footprint=circle(*offset(*NAMUR, 100), 20)
    )
    assert [w["rule"] for w in nearby.json["warnings"]] == ["nearby_set"]
    url = f"/api/v1/shoots/{nearby.json['id']}/overrides"
    wrong = client.post(
        url, json={"rule": "nearby_set", "other": "shoot:999", "reason": "ok"}, headers=headers
    )
    assert wrong.status_code == 400
    ref = f"shoot:{first.json['id']}"
    done = client.post(
        url,
        json={"rule": "nearby_set", "other": ref, "reason": "agreed with the other unit"},
        headers=headers,
    )
    assert done.status_code == 201, done.json
    (overridden,) = done.json["warnings"]
    assert overridden["override"]["reason"] == "agreed with the other unit"
    assert overridden["override"]["by"].startswith("coordinator")
    shown = client.get(f"/api/v1/shoots/{nearby.json['id']}", headers=headers).json
    assert shown["warnings"][0]["override"]["reason"] == "agreed with the other unit"
    assert db.session.scalar(select(func.count()).select_from(WarningOverride)) == 1


def test_dry_run_check_stores_nothing(client, headers, post_shoot, production):
    post_shoot()
    before = db.session.scalar(select(func.count()).select_from(Shoot))
    body = {
        "production_id": production.id,
        "footprint": circle(*NAMUR, 10),
        "starts_at": "2027-06-14T12:00",
        "ends_at": "2027-06-14T13:00",
    }
    response = client.post("/api/v1/conflicts/check", json=body, headers=headers)
    assert response.status_code == 200
    assert response.json["ok"] is False
    assert response.json["conflicts"][0]["rule"] == "footprint_overlap"
    assert db.session.scalar(select(func.count()).select_from(Shoot)) == before


def test_editing_a_shoot_rechecks_without_counting_itself(client, headers, post_shoot):
    first = post_shoot().json
    url = f"/api/v1/shoots/{first['id']}"
    later = client.patch(url, json={"ends_at": "2027-06-14T19:00", "version": 1}, headers=headers)
    assert later.status_code == 200, later.json
    assert later.json["ends_at"] == "2027-06-14T19:00:00+02:00" and later.json["version"] == 2
    stale = client.patch(url, json={"notes": "x", "version": 1}, headers=headers)
    assert stale.status_code == 409
    second = post_shoot(starts_at="2027-06-15T07:00", ends_at="2027-06-15T17:00").json
    clash = client.patch(
        f"/api/v1/shoots/{second['id']}", json={"starts_at": "2027-06-14T18:00"}, headers=headers
    )
    assert clash.status_code == 409
    assert clash.json["conflicts"][0]["other"]["id"] == first["id"]


def test_cancelled_shoots_free_the_place(client, headers, post_shoot):
    first = post_shoot().json
    cancel = client.patch(
        f"/api/v1/shoots/{first['id']}", json={"status": "cancelled"}, headers=headers
    )
    assert cancel.status_code == 200
    assert post_shoot().status_code == 201


def test_conflict_report_lists_pairs(client, headers, post_shoot, other_production):
    a = post_shoot().json
    b = post_shoot(
        production_id=other_production.id, footprint=circle(*offset(*NAMUR, 100), 20)
    ).json
    far = post_shoot(production_id=other_production.id, footprint=circle(*offset(*NAMUR, 2000), 20))
    assert far.status_code == 201
    report = client.get(
        "/api/v1/conflicts?from=2027-06-01T00:00&to=2027-07-01T00:00&commune=92094", headers=headers
    )
    assert report.status_code == 200
    (pair,) = report.json["pairs"]
    assert {s["id"] for s in pair["shoots"]} == {a["id"], b["id"]}
    assert pair["rule"] == "nearby_set" and pair["distance_m"] == pytest.approx(50, abs=1)
    elsewhere = client.get(
        "/api/v1/conflicts?from=2027-06-01T00:00&to=2027-07-01T00:00&commune=63023", headers=headers
    )
    assert elsewhere.json["pairs"] == []


def test_shoot_list_filters(client, headers, post_shoot, production):
    a = post_shoot().json
    post_shoot(starts_at="2027-07-14T07:00", ends_at="2027-07-14T17:00")
    june = client.get("/api/v1/shoots?from=2027-06-01T00:00&to=2027-07-01T00:00", headers=headers)
    assert june.mimetype == "application/geo+json" and june.json["type"] == "FeatureCollection"
    assert [f["id"] for f in june.json["features"]] == [a["id"]]
    assert june.json["features"][0]["geometry"]["type"] == "MultiPolygon"
    assert june.json["features"][0]["properties"]["starts_at"] == a["starts_at"]
    bbox = client.get("/api/v1/shoots?bbox=5.5,50.0,5.6,50.1", headers=headers)
    assert bbox.json["features"] == [] and bbox.json["numberMatched"] == 0
    by_commune = client.get(
        f"/api/v1/shoots?commune=92094&production={production.id}", headers=headers
    )
    assert by_commune.json["numberMatched"] == by_commune.json["numberReturned"] == 2
    bad = client.get("/api/v1/shoots?bbox=1,2,3", headers=headers)
    assert bad.status_code == 400 and bad.json["field"] == "bbox"
    not_a_number = client.get("/api/v1/shoots?bbox=1_0,2,3,4", headers=headers)
    assert not_a_number.status_code == 400 and not_a_number.json["field"] == "bbox"


def test_shoot_list_is_paged_with_links(client, headers, post_shoot):
    ids = [
        post_shoot(starts_at=f"2027-06-{day:02}T07:00", ends_at=f"2027-06-{day:02}T17:00").json[
            "id"
        ]
        for day in (14, 15, 16)
    ]
    first = client.get("/api/v1/shoots?limit=2", headers=headers).json
    assert [f["id"] for f in first["features"]] == ids[:2]
    assert (first["numberMatched"], first["numberReturned"]) == (3, 2)
    links = {link["rel"]: link["href"] for link in first["links"]}
    assert set(links) == {"self", "next"} and "offset=2" in links["next"]
    second = client.get(links["next"].split("localhost", 1)[-1], headers=headers).json
    assert [f["id"] for f in second["features"]] == ids[2:]
    assert {link["rel"] for link in second["links"]} == {"self", "prev"}


@pytest.mark.parametrize(("limit", "status"), [(1000, 200), (1001, 400), (0, 400)])
def test_shoot_pages_hold_at_most_a_thousand(client, headers, limit, status):
    response = client.get(f"/api/v1/shoots?limit={limit}", headers=headers)
    assert response.status_code == status
    if status == 400:
        assert response.json["field"] == "limit"


def test_a_search_period_beyond_the_dates_we_hold_is_open_ended(client, headers, post_shoot):
    shoot = post_shoot().json
    for query in ("from=2027-01-01T00:00&to=9999-12-31T00:00:00Z", "from=0001-01-01T00:00:00Z"):
        found = client.get(f"/api/v1/shoots?{query}", headers=headers)
        assert [f["id"] for f in found.json["features"]] == [shoot["id"]], query
    beyond = client.get("/api/v1/shoots?from=9000-01-01T00:00&to=9500-01-01T00:00", headers=headers)
    assert beyond.status_code == 200 and beyond.json["numberMatched"] == 0
    reversed_ = client.get(
        "/api/v1/shoots?from=2027-07-01T00:00&to=2027-06-01T00:00", headers=headers
    )
    assert reversed_.status_code == 400 and reversed_.json["field"] == "to"


def test_commune_settings_change_the_nearby_distance(
    client, post_shoot, other_production, officer_headers, make_user, token_for
):
    url = "/api/v1/shoot-settings/92094"
    body = {
        "nearby_distance_m": 40,
        "saturation_days": 10,
        "saturation_radius_m": 200,
        "saturation_window_days": 365,
    }
    eupen = token_for(make_user("officer", commune="63023"))
    assert client.put(url, json=body, headers=eupen).status_code == 403
    saved = client.put(url, json=body, headers=officer_headers)
    assert saved.status_code == 200 and saved.json["nearby_distance_m"] == 40
    post_shoot()
    at_100_m = post_shoot(
        production_id=other_production.id, footprint=circle(*offset(*NAMUR, 100), 20)
    )
    assert at_100_m.json["warnings"] == []  # 50 m apart: beyond Namur's 40 m


def test_report_command(runner, post_shoot, other_production):
    post_shoot()
    post_shoot(production_id=other_production.id, footprint=circle(*offset(*NAMUR, 100), 20))
    result = runner.invoke(
        args=["shoots", "report", "--from", "2027-06-01T00:00", "--to", "2027-07-01T00:00"]
    )
    assert result.exit_code == 0, result.output
    (line,) = result.output.splitlines()
    assert '"rule": "nearby_set"' in line
    bad = runner.invoke(args=["shoots", "report", "--from", "2027-03-28T02:30", "--to", "x"])
    assert bad.exit_code != 0 and "does not exist" in bad.output


def _area_reaching_beyond_namur(metres: float) -> dict:
    """A polygon inside Namur near its border with Profondeville that reaches METRES beyond
    Namur's boundary (EPSG:4326 GeoJSON)."""
    geojson = db.session.scalar(
        text(
            """
            WITH namur AS (SELECT boundary FROM communes WHERE nis = '92094'),
                 border AS (
                     SELECT ST_ClosestPoint(ST_Boundary(namur.boundary),
                                            ST_Centroid(p.boundary)) AS point
                     FROM namur, communes p WHERE p.nis = '92101')
            SELECT ST_AsGeoJSON(ST_Transform(
                       ST_Intersection(ST_Buffer(namur.boundary, :metres),
                                       ST_Buffer(border.point, 300)), 4326), 9)
            FROM namur, border
            """
        ),
        {"metres": metres},
    )
    return json.loads(geojson)


@pytest.mark.parametrize(("beyond_m", "status"), [(190, 201), (210, 400)])
def test_an_officers_blackout_lies_in_their_commune_within_200_m(
    client, officer_headers, beyond_m, status
):
    """The boundaries are simplified: 200 m of tolerance, as for the commune at a point."""
    response = market(client, officer_headers, area=_area_reaching_beyond_namur(beyond_m))
    assert response.status_code == status, response.json
    if status == 400:
        assert response.json["field"] == "area"


def test_an_officer_of_namur_cannot_declare_a_blackout_in_eupen(client, officer_headers):
    eupen = circle(6.0361, 50.6306, 200)  # Eupen's centre, commune 63023
    response = market(client, officer_headers, area=eupen)
    assert response.status_code == 400 and response.json["field"] == "area"
    assert db.session.scalar(text("SELECT count(*) FROM shoot_blackouts")) == 0
