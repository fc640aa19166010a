"""Series through the API: a shoot on several days, each day checked by the conflict engine, all
or nothing, with a report per day; the whole series changed, cancelled or deleted, held shoots
through amendments; the limits just inside and just outside."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from core.config import BRUSSELS
from core.db import db
from permits.models import Amendment, PermitStatus
from shoots.models import Shoot, ShootSeries, ShootStatus
from shoots.schemas import MAX_SERIES_OCCURRENCES
from tests.conftest import approve
from tests.hostile import HOSTILE_STRINGS
from tests.shoots.conftest import NAMUR, circle, offset

FIRST = {"starts_at": "2027-06-14T07:00", "ends_at": "2027-06-14T17:00"}  # a Monday


def shoot_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Shoot))


def series_count() -> int:
    return db.session.scalar(select(func.count()).select_from(ShootSeries))


@pytest.fixture
def post_series(client, headers, production):
    def post(repeat, path="/api/v1/shoot-series", headers=headers, **fields):
        body = {
            "production_id": production.id,
            "footprint": circle(*NAMUR, 30),
            **FIRST,
            **fields,
            "repeat": repeat,
        }
        return client.post(path, json=body, headers=headers)

    return post


def test_every_weekday_for_three_weeks_makes_fifteen_shoots_at_the_same_hours(post_series):
    response = post_series({"weekdays": [1, 2, 3, 4, 5], "until": "2027-07-02"})
    assert response.status_code == 201, response.json
    days = [o["date"] for o in response.json["occurrences"]]
    assert len(days) == 15 and days[0] == "2027-06-14" and days[-1] == "2027-07-02"
    assert all(date.fromisoformat(d).isoweekday() <= 5 for d in days)
    assert all(o["status"] == "ok" and o["shoot_id"] for o in response.json["occurrences"])
    series = response.json["series"]
    assert response.headers["Location"].endswith(f"/api/v1/shoot-series/{series['id']}")
    assert [s["starts_at"][11:] for s in series["shoots"]] == ["07:00:00+02:00"] * 15
    assert {s["series_id"] for s in series["shoots"]} == {series["id"]}
    assert shoot_count() == 15


def test_explicit_dates_keep_a_night_shoot_ending_the_next_morning(post_series):
    response = post_series(
        {"dates": ["2027-06-20", "2027-06-16", "2027-06-16"]},
        starts_at="2027-06-14T22:00",
        ends_at="2027-06-15T04:00",
    )
    assert response.status_code == 201, response.json
    shoots = response.json["series"]["shoots"]
    assert [(s["starts_at"], s["ends_at"]) for s in shoots] == [
        ("2027-06-14T22:00:00+02:00", "2027-06-15T04:00:00+02:00"),
        ("2027-06-16T22:00:00+02:00", "2027-06-17T04:00:00+02:00"),
        ("2027-06-20T22:00:00+02:00", "2027-06-21T04:00:00+02:00"),
    ]


def test_one_clashing_day_stores_nothing_and_the_report_names_it(
    post_series, create_shoot, create_production
):
    other = create_shoot(*NAMUR, start=datetime(2027, 6, 16, 9, 0, tzinfo=BRUSSELS))
    before = shoot_count()
    response = post_series({"weekdays": [1, 2, 3, 4, 5], "until": "2027-06-18"})
    assert response.status_code == 409, response.json
    assert "2027-06-16" in response.json["detail"]
    report = {o["date"]: o for o in response.json["occurrences"]}
    assert report["2027-06-16"]["status"] == "conflict"
    assert report["2027-06-16"]["conflicts"][0]["other"]["id"] == other.id
    clash = report["2027-06-16"]["conflicts"][0]["other"]
    assert set(clash) == {"type", "id", "production"}  # occupancy: another production's file
    assert clash["production"] != other.production.title
    assert {report[d]["status"] for d in report if d != "2027-06-16"} == {"ok"}
    assert all(o["shoot_id"] is None for o in report.values())
    assert shoot_count() == before and series_count() == 0


def test_the_dry_run_gives_the_same_report_and_stores_nothing(
    client, headers, post_series, create_shoot
):
    create_shoot(*offset(*NAMUR, 150), start=datetime(2027, 6, 15, 9, 0, tzinfo=BRUSSELS))
    repeat = {"weekdays": [2], "until": "2027-06-22"}
    checked = post_series(repeat, path="/api/v1/shoot-series/check")
    assert checked.status_code == 200, checked.json
    assert checked.json["ok"] is True
    statuses = [(o["date"], o["status"]) for o in checked.json["occurrences"]]
    assert statuses == [("2027-06-14", "ok"), ("2027-06-15", "warning"), ("2027-06-22", "ok")]
    assert shoot_count() == 1 and series_count() == 0
    made = post_series(repeat)
    assert made.status_code == 201
    strip = [{k: v for k, v in o.items() if k != "shoot_id"} for o in made.json["occurrences"]]
    assert strip == [{k: v for k, v in o.items() if k != "shoot_id"}
                     for o in checked.json["occurrences"]]  # fmt: skip


def test_a_day_whose_hour_does_not_exist_refuses_the_series_naming_it(post_series):
    # 02:30 does not exist on 28 March 2027 in Brussels (clocks go forward).
    response = post_series(
        {"dates": ["2027-03-28"]},
        path="/api/v1/shoot-series?lang=en",  # the report speaks the caller's language
        starts_at="2027-03-27T02:30",
        ends_at="2027-03-27T05:00",
    )
    assert response.status_code == 400, response.json
    assert response.json["field"] == "repeat"
    (day,) = [o for o in response.json["occurrences"] if o["status"] == "invalid"]
    assert day["date"] == "2027-03-28" and "does not exist" in day["error"]
    assert shoot_count() == 0


def test_occurrences_overlapping_each_other_are_refused(post_series):
    response = post_series(
        {"dates": ["2027-06-15"]},
        path="/api/v1/shoot-series?lang=en",
        starts_at="2027-06-14T07:00",
        ends_at="2027-06-15T09:00",
    )
    assert response.status_code == 400
    (day,) = [o for o in response.json["occurrences"] if o["status"] == "invalid"]
    assert day["date"] == "2027-06-15" and "overlaps" in day["error"]


def _weekly(count: int) -> dict:
    """A repeat giving COUNT shoots, the first included: every day."""
    last = date(2027, 6, 14) + timedelta(days=count - 1)
    return {"weekdays": list(range(1, 8)), "until": last.isoformat()}


def test_the_most_shoots_a_series_has_just_inside_and_just_outside(post_series):
    inside = post_series(_weekly(MAX_SERIES_OCCURRENCES), starts_at="2027-06-14T07:00",
                         ends_at="2027-06-14T08:00")  # fmt: skip
    assert inside.status_code == 201, inside.json
    assert len(inside.json["occurrences"]) == MAX_SERIES_OCCURRENCES
    before = shoot_count()
    outside = post_series(_weekly(MAX_SERIES_OCCURRENCES + 1), footprint=circle(5.57, 50.63, 30))
    assert outside.status_code == 400 and outside.json["field"] == "repeat"
    assert str(MAX_SERIES_OCCURRENCES) in outside.json["detail"]
    assert shoot_count() == before
    many_dates = [(date(2028, 1, 1) + timedelta(days=i)).isoformat() for i in range(101)]
    listed = post_series({"dates": many_dates}, footprint=circle(5.57, 50.63, 30))
    assert listed.status_code == 400 and listed.json["field"].startswith("repeat.dates")


@pytest.mark.parametrize(
    ("repeat", "field"),
    [
        ({"dates": ["2100-01-01"]}, "repeat.dates.0"),  # just outside the window
        ({"dates": ["9999-12-31"]}, "repeat.dates.0"),
        ({"dates": ["2027-06-13"]}, "repeat.dates.0"),  # before the first shoot
        ({"weekdays": [1]}, "repeat.until"),
        ({"weekdays": [1], "until": "2100-01-01"}, "repeat.until"),
        ({"weekdays": [8], "until": "2027-07-01"}, "repeat.weekdays.0"),
        ({"weekdays": [0], "until": "2027-07-01"}, "repeat.weekdays.0"),
        ({"until": "2027-06-13", "weekdays": [1]}, "repeat.until"),
        ({"dates": []}, "repeat"),
        ({"dates": ["{{ 7*7 }}"]}, "repeat.dates.0"),
        ({"dates": ["2027-06-15"], "every": "${7*7}"}, "repeat.every"),
        ({"weekdays": [2**31], "until": "2027-07-01"}, "repeat.weekdays.0"),
    ],
)
def test_bad_repeats_are_refused_naming_the_part(post_series, repeat, field):
    response = post_series(repeat)
    assert response.status_code == 400, response.json
    assert response.json["field"] == field
    assert shoot_count() == 0


def test_the_last_day_of_the_window_is_inside(post_series):
    response = post_series(
        {"dates": ["2099-12-31"]}, starts_at="2099-12-30T07:00", ends_at="2099-12-30T17:00"
    )
    assert response.status_code == 201, response.json


def test_who_may_make_see_and_change_a_series(post_series, client, make_user, token_for):
    stranger = token_for(make_user("coordinator"))
    assert post_series({"dates": ["2027-06-15"]}, headers=stranger).status_code == 403
    assert post_series({"dates": ["2027-06-15"]}, headers={}).status_code == 401
    made = post_series({"dates": ["2027-06-15"]})
    series_id = made.json["series"]["id"]
    url = f"/api/v1/shoot-series/{series_id}"
    assert client.get(url, headers=stranger).status_code == 404  # another production's file
    assert client.patch(url, json={"crew_size": 3}, headers=stranger).status_code == 404
    assert client.delete(url, headers=stranger).status_code == 404
    assert client.get(f"/api/v1/shoot-series/{2**31}", headers=stranger).status_code == 404


def test_copying_a_shoot_makes_it_and_its_copies_a_series(
    client, headers, create_shoot, production
):
    shoot = create_shoot(*NAMUR, production=production, crew_size=12, notes="Quai")
    response = client.post(
        f"/api/v1/shoots/{shoot.id}/copies",
        json={"repeat": {"dates": ["2027-06-21", "2027-06-28"]}},
        headers=headers,
    )
    assert response.status_code == 201, response.json
    shoots = response.json["series"]["shoots"]
    assert [s["id"] == shoot.id for s in shoots] == [True, False, False]
    assert {(s["crew_size"], s["notes"]) for s in shoots} == {(12, "Quai")}
    assert shoot.series_id == response.json["series"]["id"]


def test_changing_the_whole_series_moves_every_planned_shoot_on_its_own_day(
    client, headers, post_series
):
    made = post_series({"dates": ["2027-06-15", "2027-06-16"]}).json["series"]
    url = f"/api/v1/shoot-series/{made['id']}"
    first = made["shoots"][0]["id"]
    client.patch(f"/api/v1/shoots/{first}", json={"status": "cancelled"}, headers=headers)
    response = client.patch(
        url,
        json={"start_time": "08:00", "end_time": "18:30", "crew_size": 25, "version": 1},
        headers=headers,
    )
    assert response.status_code == 200, response.json
    shoots = {s["id"]: s for s in response.json["series"]["shoots"]}
    assert shoots[first]["starts_at"] == "2027-06-14T07:00:00+02:00"  # cancelled: left alone
    moved = [s for s in shoots.values() if s["id"] != first]
    assert [(s["starts_at"], s["ends_at"], s["crew_size"]) for s in moved] == [
        ("2027-06-15T08:00:00+02:00", "2027-06-15T18:30:00+02:00", 25),
        ("2027-06-16T08:00:00+02:00", "2027-06-16T18:30:00+02:00", 25),
    ]
    stale = client.patch(url, json={"crew_size": 2, "version": 1}, headers=headers)
    assert stale.status_code == 409  # someone changed the series since version 1


@pytest.mark.parametrize("field", ["starts_at", "ends_at"])
def test_a_series_change_names_dates_it_does_not_take(client, headers, post_series, field):
    """The days of a series stay (hours move them): a date is refused by name, and the API's
    description does not offer it."""
    made = post_series({"dates": ["2027-06-15"]}).json["series"]
    response = client.patch(
        f"/api/v1/shoot-series/{made['id']}",
        json={field: "2027-06-20T08:00:00+02:00"},
        headers=headers,
    )
    assert response.status_code == 400 and response.json["field"] == field
    described = client.get("/api/v1/openapi.json").json["components"]["schemas"]["SeriesPatch"]
    assert field not in described["properties"] and "start_time" in described["properties"]


def test_a_change_refused_on_one_day_changes_no_shoot(client, headers, post_series, create_shoot):
    made = post_series({"dates": ["2027-06-15"]}).json["series"]
    create_shoot(*offset(*NAMUR, 80), start=datetime(2027, 6, 15, 7, 0, tzinfo=BRUSSELS))
    bigger = circle(*NAMUR, 100)  # reaches the other production's set on the 15th only
    response = client.patch(
        f"/api/v1/shoot-series/{made['id']}", json={"footprint": bigger}, headers=headers
    )
    assert response.status_code == 409, response.json
    statuses = {s["date"]: s["status"] for s in response.json["shoots"]}
    assert statuses == {"2027-06-14": "changed", "2027-06-15": "refused"}
    again = client.get(f"/api/v1/shoot-series/{made['id']}", headers=headers).json
    assert [s["footprint"] for s in again["shoots"]] == [s["footprint"] for s in made["shoots"]]


def test_cancelling_the_series_makes_an_amendment_of_a_held_shoot(client, headers, post_series):
    made = post_series({"dates": ["2027-06-15"]}).json["series"]
    held = db.session.get(Shoot, made["shoots"][0]["id"])
    approve(held, PermitStatus.APPROVED)
    url = f"/api/v1/shoot-series/{made['id']}"
    without = client.patch(url, json={"status": "cancelled"}, headers=headers)
    assert without.status_code == 409
    refused = {s["date"]: s for s in without.json["shoots"]}
    assert refused["2027-06-14"]["error"]["field"] == "reason"
    response = client.patch(url, json={"status": "cancelled", "reason": "Pluie"}, headers=headers)
    assert response.status_code == 200, response.json
    statuses = {s["date"]: s["status"] for s in response.json["shoots"]}
    assert statuses == {"2027-06-14": "amendment", "2027-06-15": "changed"}
    db.session.expire_all()
    assert held.status is ShootStatus.PLANNED  # the commune decides
    assert db.session.scalar(select(func.count()).select_from(Amendment)) == 1
    other = db.session.get(Shoot, made["shoots"][1]["id"])
    assert other.status is ShootStatus.CANCELLED
    # A held shoot is not deleted with its series.
    assert client.delete(url, headers=headers).status_code == 409
    assert shoot_count() == 2


def test_deleting_a_series_deletes_its_shoots(client, headers, post_series):
    made = post_series({"dates": ["2027-06-15"]}).json["series"]
    assert client.delete(f"/api/v1/shoot-series/{made['id']}", headers=headers).status_code == 204
    assert shoot_count() == 0 and series_count() == 0


@pytest.mark.parametrize("probe", HOSTILE_STRINGS)
def test_hostile_notes_are_copied_as_text(post_series, probe):
    response = post_series({"dates": ["2027-06-15"]}, notes=probe)
    assert response.status_code == 201
    assert {s["notes"] for s in response.json["series"]["shoots"]} == {probe}
