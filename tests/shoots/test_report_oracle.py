"""The conflict report lists exactly the pairs the engine finds, shoot by shoot.

For every live shoot, the engine's check (the shoot left out of it, as in an edit's dry run)
finds its neighbours with the thresholds of the shoot's own commune. The report over a window
must list each such pair once, with the same rule, severity, distance and overlap, when the
overlap falls in the window and, with a commune, when one of the two shoots lies in it.

Property test: footprints and parking zones on a metre grid across the Namur–Profondeville
border, each commune with a nearby distance of its own or the default. Then a few hundred
shoots around the railway stations of Namur and Liège over a month.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

from geoalchemy2.shape import to_shape
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from shapely import wkb
from shapely.geometry import MultiPolygon, Point, box
from sqlalchemy import text

from core.communes.models import Commune
from core.db import db
from shoots.models import CommuneSettings
from shoots.operations import conflicts
from shoots.operations.conflicts import Candidate
from shoots.operations.report import conflict_report
from tests.shoots.conftest import NAMUR, store_shoots, to_lambert

NAMUR_NIS, PROFONDEVILLE_NIS, LIEGE_NIS = "92094", "92101", "62063"
T0 = datetime(2027, 6, 14, 0, 0, tzinfo=UTC)
COMPARED = ("rule", "severity", "distance_m", "overlap")
_BORDER_POINT = text("""
    SELECT ST_AsBinary(ST_ClosestPoint(ST_Boundary(a.boundary), ST_Boundary(b.boundary)))
    FROM communes a, communes b WHERE a.nis = :a AND b.nis = :b
""")


def border_point() -> tuple[int, int]:
    """A point of the Namur–Profondeville border, rounded to the metre (EPSG:3812)."""
    point = wkb.loads(
        bytes(db.session.scalar(_BORDER_POINT, {"a": NAMUR_NIS, "b": PROFONDEVILLE_NIS}))
    )
    return round(point.x), round(point.y)


def engine_pairs(shoots: list[dict], window: tuple[datetime, datetime]) -> dict[tuple, dict]:
    """The pairs found by checking each live shoot, overlapping within WINDOW."""
    found: dict[tuple, dict] = {}
    for shoot in shoots:
        if shoot["cancelled"]:
            continue
        candidate = Candidate(
            footprint=shoot["footprint"],
            parking=shoot.get("parking"),
            starts_at=shoot["starts_at"],
            ends_at=shoot["ends_at"],
            production_id=shoot["production_id"],
            location_id=shoot["location_id"],
            exclude_id=shoot["id"],
        )
        for finding in conflicts.check(db.session, candidate).items:
            if finding.other["type"] != "shoot":
                continue
            if not (finding.overlap_start < window[1] and window[0] < finding.overlap_end):
                continue
            pair = tuple(sorted((shoot["id"], finding.other["id"])))
            seen = {key: value for key, value in finding.as_json().items() if key in COMPARED}
            # Both checks of a pair that each find the other say the same about it.
            assert found.setdefault(pair, seen) == seen
    return found


def report_pairs(window: tuple[datetime, datetime], commune: str | None = None) -> dict:
    listed = conflict_report(db.session, *window, commune)
    order = [
        (p["overlap"]["starts_at"], p["shoots"][0]["id"], p["shoots"][1]["id"]) for p in listed
    ]
    assert order == sorted(order)
    pairs = {}
    for pair in listed:
        first, second = pair["shoots"]
        assert first["id"] < second["id"]
        pairs[(first["id"], second["id"])] = {key: pair[key] for key in COMPARED}
    assert len(pairs) == len(listed)  # each pair once
    return pairs


def in_commune(shoots: list[dict], nis: str) -> set[int]:
    boundary = to_shape(db.session.get(Commune, nis).boundary)
    return {s["id"] for s in shoots if s["footprint"].intersects(boundary)}


def with_ids(shoots: list[dict], productions: list, locations: list) -> list[dict]:
    for shoot in shoots:
        shoot["production_id"] = productions[shoot["production"]].id
        location = shoot["location"]
        shoot["location_id"] = None if location is None else locations[location].id
    return shoots


def settle(nis: str, nearby_m: int | None) -> None:
    if nearby_m is not None:
        db.session.add(CommuneSettings(commune_nis=nis, nearby_distance_m=nearby_m))


@st.composite
def areas(draw, x0: int, y0: int, spread: int, largest: int) -> MultiPolygon:
    x = x0 + draw(st.integers(-spread, spread))
    y = y0 + draw(st.integers(-spread, spread))
    if draw(st.booleans()):
        shape = box(x, y, x + draw(st.integers(1, largest)), y + draw(st.integers(1, largest)))
    else:
        shape = Point(x, y).buffer(draw(st.integers(2, largest // 2)), quad_segs=4)
    return MultiPolygon([shape])


@st.composite
def scenario_shoots(draw, x0: int, y0: int, spread: int, hours: int) -> dict[str, Any]:
    footprint = draw(areas(x0, y0, spread, 120))
    parking = draw(st.one_of(st.none(), areas(x0, y0, spread, 40)))
    start = T0 + timedelta(hours=draw(st.integers(0, hours)))
    lasting = draw(st.one_of(st.integers(1, 14), st.integers(20, 4 * 24)))
    return {
        "footprint": footprint,
        "parking": parking,
        "starts_at": start,
        "ends_at": start + timedelta(hours=lasting),
        "production": draw(st.sampled_from([0, 1, 2])),
        "location": draw(st.sampled_from([None, None, 0, 1])),
        "cancelled": draw(st.integers(0, 6)) == 0,
    }


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_report_lists_the_pairs_each_shoots_check_finds(
    app, create_production, create_location, data
):
    """Dense or sparse (shoots within 150 or 600 m of the border point), over two days or over
    two weeks and more (the report works in 7-day slices)."""
    savepoint = db.session.begin_nested()
    try:
        x0, y0 = border_point()
        spread = data.draw(st.sampled_from([150, 600]), label="spread")
        hours = data.draw(st.sampled_from([40, 16 * 24]), label="hours")
        shoots = data.draw(
            st.lists(scenario_shoots(x0, y0, spread, hours), min_size=2, max_size=12)
        )
        settle(NAMUR_NIS, data.draw(st.sampled_from([None, 60, 180, 320])))
        settle(PROFONDEVILLE_NIS, data.draw(st.sampled_from([None, 100, 400])))
        start = T0 + timedelta(hours=data.draw(st.integers(-24, hours + 5)))
        window = (start, start + timedelta(hours=data.draw(st.integers(1, hours + 48))))
        commune = data.draw(st.sampled_from([None, NAMUR_NIS, PROFONDEVILLE_NIS]))
        productions = [create_production() for _ in range(3)]
        locations = [create_location(*NAMUR, name="A"), create_location(*NAMUR, name="B")]
        store_shoots(shoots, productions, locations)
        with_ids(shoots, productions, locations)

        expected = engine_pairs(shoots, window)
        if commune is not None:
            inside = in_commune(shoots, commune)
            expected = {pair: f for pair, f in expected.items() if inside.intersection(pair)}
        assert report_pairs(window, commune) == expected
    finally:
        savepoint.rollback()


STATIONS = {  # lon, lat (data/stations/stations_wallonia.geojson)
    "Namur": (4.86222, 50.468794),
    "Jambes": (4.876144, 50.454843),
    "Jambes-Est": (4.880261, 50.454798),
    "Flawinne": (4.806298, 50.456236),
    "Liège-Guillemins": (5.566695, 50.62455),
    "Liège-Carré": (5.561131, 50.640299),
    "Liège-Saint-Lambert": (5.570453, 50.646349),
    "Sclessin": (5.558911, 50.609844),
    "Angleur": (5.599695, 50.613152),
    "Chênée": (5.616073, 50.608019),
    "Bressoux": (5.611057, 50.643967),
    "Herstal": (5.622761, 50.660911),
}


def station_shoots(count: int, seed: int = 2027) -> list[dict]:
    """COUNT shoots of June 2027 within 600 m of the stations: 20–80 m sets, some with a
    parking zone, one to three days, six productions, some at a station's library location."""
    rng = random.Random(seed)
    names = sorted(STATIONS)
    shoots = []
    for _ in range(count):
        name = rng.choice(names)
        x, y = to_lambert(*STATIONS[name])
        x, y = x + rng.uniform(-600, 600), y + rng.uniform(-600, 600)
        radius = rng.uniform(10, 40)
        parking = None
        if rng.random() < 0.3:
            px, py = x + rng.uniform(-120, 120), y + rng.uniform(-120, 120)
            parking = MultiPolygon([box(px, py, px + rng.uniform(10, 50), py + rng.uniform(5, 20))])
        start = datetime(2027, 6, 1, 5, tzinfo=UTC) + timedelta(hours=rng.randrange(0, 29 * 24))
        shoots.append(
            {
                "footprint": MultiPolygon([Point(x, y).buffer(radius, quad_segs=8)]),
                "parking": parking,
                "starts_at": start,
                "ends_at": start + timedelta(hours=rng.choice([10, 12, 34, 58])),
                "production": rng.randrange(6),
                "location": names.index(name) if rng.random() < 0.2 else None,
                "cancelled": rng.random() < 0.05,
            }
        )
    return shoots


def test_report_lists_the_pairs_each_shoots_check_finds_around_namur_and_liege_stations(
    app, create_production, create_location
):
    db.session.add(CommuneSettings(commune_nis=LIEGE_NIS, nearby_distance_m=150))
    db.session.add(CommuneSettings(commune_nis="62051", nearby_distance_m=400))  # Herstal
    productions = [create_production() for _ in range(6)]
    locations = [create_location(*STATIONS[name], name=name) for name in sorted(STATIONS)]
    shoots = station_shoots(400)
    store_shoots(shoots, productions, locations)
    with_ids(shoots, productions, locations)
    june = (datetime(2027, 6, 1, tzinfo=UTC), datetime(2027, 7, 1, tzinfo=UTC))

    expected = engine_pairs(shoots, june)
    assert report_pairs(june) == expected
    rules = {finding["rule"] for finding in expected.values()}
    assert rules == {"footprint_overlap", "nearby_set"}  # a scenario that shows both
    liege = in_commune(shoots, LIEGE_NIS)
    in_liege = {pair: f for pair, f in expected.items() if liege.intersection(pair)}
    assert report_pairs(june, LIEGE_NIS) == in_liege
    assert 0 < len(in_liege) < len(expected)
    second_week = (datetime(2027, 6, 8, tzinfo=UTC), datetime(2027, 6, 15, tzinfo=UTC))
    assert report_pairs(second_week) == engine_pairs(shoots, second_week)
