"""Property test: the PostGIS conflict engine agrees with a brute-force shapely oracle.

Footprints are boxes and circles on a metre grid around Namur (so touching shapes and exact
threshold distances happen), periods are whole hours over three days (so touching half-open
periods happen), and some shoots share a library location or a production.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from shapely.geometry import MultiPolygon, Point, box

from core.db import db
from shoots.models import CommuneSettings
from shoots.operations import conflicts
from shoots.operations.conflicts import Candidate
from shoots.operations.inputs import BRUSSELS
from tests.shoots.conftest import NAMUR, overlap, store_shoots, to_lambert

X0, Y0 = (round(v) for v in to_lambert(*NAMUR))
T0 = datetime(2027, 6, 14, 0, 0, tzinfo=UTC)
NEARBY_M = 250
SATURATION = {"days": 2, "radius": 200}


@st.composite
def footprints(draw) -> MultiPolygon:
    x = X0 + draw(st.integers(-120, 120))
    y = Y0 + draw(st.integers(-120, 120))
    if draw(st.integers(0, 2)) == 0:
        shape = box(x, y, x + draw(st.integers(1, 150)), y + draw(st.integers(1, 150)))
    else:
        shape = Point(x, y).buffer(draw(st.integers(2, 80)), quad_segs=4)
    return MultiPolygon([shape])


@st.composite
def shoots(draw) -> dict:
    start = T0 + timedelta(hours=draw(st.integers(0, 40)))
    return {
        "footprint": draw(footprints()),
        "starts_at": start,
        "ends_at": start + timedelta(hours=draw(st.integers(1, 14))),
        "production": draw(st.sampled_from([0, 1])),
        "location": draw(st.sampled_from([None, None, 0, 1])),
        "cancelled": draw(st.integers(0, 5)) == 0,
    }


def _local_days(start: datetime, end: datetime) -> set:
    days, day = set(), start.astimezone(BRUSSELS).date()
    last = (end - timedelta(microseconds=1)).astimezone(BRUSSELS).date()
    while day <= last:
        days.add(day)
        day += timedelta(days=1)
    return days


def oracle(existing: list[dict], candidate: dict) -> set[tuple[str, int | None]]:
    found = set()
    live = [s for s in existing if not s["cancelled"]]
    for shoot in live:
        if not overlap(shoot, candidate):
            continue
        if candidate["location"] is not None and shoot["location"] == candidate["location"]:
            found.add(("same_location", shoot["id"]))
        elif shoot["footprint"].intersects(candidate["footprint"]):
            found.add(("footprint_overlap", shoot["id"]))
        elif (
            shoot["production"] != candidate["production"]
            and shoot["footprint"].distance(candidate["footprint"]) <= NEARBY_M
        ):
            found.add(("nearby_set", shoot["id"]))
    days = _local_days(candidate["starts_at"], candidate["ends_at"])
    for shoot in live:  # the window: the 365 days up to the candidate's end
        near = shoot["footprint"].distance(candidate["footprint"]) <= SATURATION["radius"]
        if near and shoot["starts_at"] < candidate["ends_at"]:
            days |= _local_days(shoot["starts_at"], min(shoot["ends_at"], candidate["ends_at"]))
    if len(days) > SATURATION["days"]:
        found.add(("saturation", None))
    return found


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(existing=st.lists(shoots(), min_size=1, max_size=10), candidate=shoots())
def test_engine_matches_brute_force_oracle(
    app, create_production, create_location, existing, candidate
):
    savepoint = db.session.begin_nested()
    try:
        productions = [create_production(), create_production()]
        locations = [create_location(*NAMUR, name="A"), create_location(*NAMUR, name="B")]
        db.session.add(
            CommuneSettings(
                commune_nis="92094",
                nearby_distance_m=NEARBY_M,
                saturation_days=SATURATION["days"],
                saturation_radius_m=SATURATION["radius"],
                saturation_window_days=365,
            )
        )
        store_shoots(existing, productions, locations)
        findings = conflicts.check(
            db.session,
            Candidate(
                footprint=candidate["footprint"],
                starts_at=candidate["starts_at"],
                ends_at=candidate["ends_at"],
                production_id=productions[candidate["production"]].id,
                location_id=None
                if candidate["location"] is None
                else locations[candidate["location"]].id,
            ),
        )
        got = {(f.rule, f.other.get("id") or None) for f in findings.items}
        assert got == oracle(existing, candidate)
        for finding in findings.items:
            if finding.other["type"] == "shoot":
                other = next(s for s in existing if s.get("id") == finding.other["id"])
                expected = other["footprint"].distance(candidate["footprint"])
                assert abs(finding.distance_m - expected) < 1e-6
    finally:
        savepoint.rollback()
