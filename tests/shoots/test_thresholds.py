"""Every threshold of the engine and the report, just inside and just outside.

The nearby distance (250 m by default, a commune's own, the larger of two communes' for a pair
across their border), parking zones included; saturation's 10 shoot-days within 200 m over 365
days; Wallonia's 200 m sliver tolerance for footprints and parking zones.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from shapely.geometry import MultiPolygon, Polygon, box, mapping
from sqlalchemy import text

from core.db import db
from core.geo import to_wgs84
from shoots.models import CommuneSettings
from shoots.operations import conflicts
from shoots.operations.conflicts import Candidate
from shoots.operations.report import conflict_report
from tests.shoots.conftest import NAMUR, store_shoots, to_lambert
from tests.shoots.test_report_oracle import border_point

X0, Y0 = (round(v) for v in to_lambert(*NAMUR))
DAY = datetime(2027, 6, 14, 5, 0, tzinfo=UTC)  # 07:00 in Brussels
JUNE = (datetime(2027, 6, 1, tzinfo=UTC), datetime(2027, 7, 1, tzinfo=UTC))


def square(x: float, y: float, side: float = 20) -> MultiPolygon:
    return MultiPolygon([box(x, y, x + side, y + side)])


def shoot(footprint, production=0, parking=None, starts_at=DAY, hours=10) -> dict:
    return {
        "footprint": footprint,
        "parking": parking,
        "starts_at": starts_at,
        "ends_at": starts_at + timedelta(hours=hours),
        "production": production,
        "location": None,
        "cancelled": False,
    }


def candidate(scenario: dict, productions: list, exclude_id: int | None = None) -> Candidate:
    return Candidate(
        footprint=scenario["footprint"],
        parking=scenario["parking"],
        starts_at=scenario["starts_at"],
        ends_at=scenario["ends_at"],
        production_id=productions[scenario["production"]].id,
        exclude_id=exclude_id,
    )


def rules(findings) -> list[str]:
    return [f.rule for f in findings.items]


@pytest.fixture
def productions(create_production):
    return [create_production(), create_production()]


def engine_and_report(productions, first: dict, second: dict) -> tuple[list, list, list]:
    """The findings of each shoot's check (the other one stored) and the report's rules."""
    store_shoots([first, second], productions, [])
    first_finds = rules(conflicts.check(db.session, candidate(first, productions, first["id"])))
    second_finds = rules(conflicts.check(db.session, candidate(second, productions, second["id"])))
    listed = [pair["rule"] for pair in conflict_report(db.session, *JUNE)]
    return first_finds, second_finds, listed


@pytest.mark.parametrize(("gap_m", "warns"), [(249.9, True), (250.1, False)])
def test_another_productions_set_warns_within_250_m(productions, gap_m, warns):
    first = shoot(square(X0, Y0))
    second = shoot(square(X0 + 20 + gap_m, Y0), production=1)
    expected = ["nearby_set"] if warns else []
    assert engine_and_report(productions, first, second) == (expected, expected, expected)


@pytest.mark.parametrize(("gap_m", "warns"), [(249.9, True), (250.1, False)])
def test_parking_zones_near_each_other_warn_within_250_m(productions, gap_m, warns):
    """Sets 2 km apart whose parking zones are GAP_M apart (the report ignored this once)."""
    first = shoot(square(X0, Y0), parking=square(X0 + 900, Y0))
    second = shoot(square(X0 + 2000, Y0), production=1, parking=square(X0 + 920 + gap_m, Y0))
    expected = ["nearby_set"] if warns else []
    assert engine_and_report(productions, first, second) == (expected, expected, expected)


@pytest.mark.parametrize(("gap_m", "warns"), [(39.9, True), (40.1, False)])
def test_a_communes_own_nearby_distance(productions, gap_m, warns):
    db.session.add(CommuneSettings(commune_nis="92094", nearby_distance_m=40))
    first = shoot(square(X0, Y0))
    second = shoot(square(X0 + 20 + gap_m, Y0), production=1)
    expected = ["nearby_set"] if warns else []
    assert engine_and_report(productions, first, second) == (expected, expected, expected)


@pytest.mark.parametrize(("namur_m", "listed"), [(310, True), (290, False)])
def test_across_a_border_the_report_uses_the_larger_distance(productions, namur_m, listed):
    """A set in Profondeville (100 m) 300 m from one in Namur: only the Namur shoot's check
    warns, when Namur's distance reaches 300 m; the report lists the pair then."""
    db.session.add(CommuneSettings(commune_nis="92101", nearby_distance_m=100))
    db.session.add(CommuneSettings(commune_nis="92094", nearby_distance_m=namur_m))
    x, y = border_point()
    in_profondeville = shoot(square(x, y - 160, 10))
    in_namur = shoot(square(x, y + 150, 10), production=1)
    expected = ["nearby_set"] if listed else []
    assert engine_and_report(productions, in_profondeville, in_namur) == ([], expected, expected)


def saturation(productions, days: list[dict], new: dict) -> list[str]:
    """The new shoot's findings with DAYS stored, each of another production (no conflict)."""
    store_shoots(days, productions, [])
    return rules(conflicts.check(db.session, candidate(new, productions)))


def earlier_days(count: int) -> list[dict]:
    """COUNT shoot-days before DAY, one a day, at the new shoot's place."""
    return [
        shoot(square(X0, Y0), production=1, starts_at=DAY - timedelta(days=n))
        for n in range(1, count + 1)
    ]


@pytest.mark.parametrize(("earlier", "warns"), [(9, False), (10, True)])
def test_saturation_beyond_10_shoot_days(productions, earlier, warns):
    """The new shoot's day and EARLIER ones at the same place: more than 10 warns."""
    found = saturation(productions, earlier_days(earlier), shoot(square(X0, Y0)))
    assert found == (["saturation"] if warns else [])


@pytest.mark.parametrize(("distance_m", "warns"), [(199.9, True), (200.1, False)])
def test_saturation_counts_shoot_days_within_200_m(productions, distance_m, warns):
    """Nine days at the place, the new one, and one more DISTANCE_M away: the eleventh."""
    away = shoot(square(X0 + 20 + distance_m, Y0), production=1, starts_at=DAY - timedelta(days=20))
    found = saturation(productions, [*earlier_days(9), away], shoot(square(X0, Y0)))
    assert found == (["saturation"] if warns else [])


@pytest.mark.parametrize(
    ("after_window_start", "warns"), [(timedelta(hours=1), True), (timedelta(0), False)]
)
def test_saturation_counts_the_365_days_up_to_the_shoots_end(
    productions, after_window_start, warns
):
    """Nine days at the place, the new one, and one that ends AFTER_WINDOW_START after the
    start of the 365 days that end when the new shoot ends."""
    new = shoot(square(X0, Y0))
    window_start = new["ends_at"] - timedelta(days=365)
    old = shoot(square(X0, Y0), production=1, starts_at=window_start - timedelta(hours=10))
    old["ends_at"] = window_start + after_window_start
    found = saturation(productions, [*earlier_days(9), old], new)
    assert found == (["saturation"] if warns else [])


_EASTERNMOST_VERTEX = text("""
    SELECT ST_X(g), ST_Y(g) FROM (SELECT (ST_DumpPoints(boundary)).geom AS g FROM communes) v
    ORDER BY ST_X(g) DESC LIMIT 1
""")


def reaching_east_of_wallonia(metres: float) -> dict:
    """A triangle (GeoJSON, EPSG:4326) with a vertex METRES due east of Wallonia's easternmost
    vertex: nothing lies further east, so that vertex is exactly METRES from Wallonia."""
    x, y = db.session.execute(_EASTERNMOST_VERTEX).one()
    triangle = Polygon([(x + metres, y), (x - 300, y + 100), (x - 300, y - 100)])
    return dict(mapping(to_wgs84(triangle)))


def inside_near_east(metres_west: float = 400) -> dict:
    x, y = db.session.execute(_EASTERNMOST_VERTEX).one()
    return dict(mapping(to_wgs84(box(x - metres_west - 40, y - 20, x - metres_west, y + 20))))


@pytest.mark.parametrize("path", ["/api/v1/conflicts/check", "/api/v1/shoots"])
@pytest.mark.parametrize("field", ["footprint", "parking"])
@pytest.mark.parametrize(("beyond_m", "status"), [(190, {200, 201}), (210, {400})])
def test_areas_may_reach_200_m_beyond_wallonia(
    client, headers, production, path, field, beyond_m, status
):
    body = {
        "production_id": production.id,
        "footprint": inside_near_east(),
        "starts_at": "2027-06-14T07:00",
        "ends_at": "2027-06-14T17:00",
        field: reaching_east_of_wallonia(beyond_m),
    }
    response = client.post(path, json=body, headers=headers)
    assert response.status_code in status, response.json
    if response.status_code == 400:
        assert response.json["field"] == field
        assert db.session.scalar(text("SELECT count(*) FROM shoots")) == 0
