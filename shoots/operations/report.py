"""The conflict report: every pair of live shoots that clash or warn in a period.

A pair is listed when the check of either shoot (the engine, `conflicts.check`, with the shoot
left out of its own check) would find the other one: the same pair rule
(`shoots.operations.pairs`), the same thresholds (the commune holding each shoot; near a
border the two may differ, and the larger reach lists the pair), in the part of the period where
the two shoots overlap. tests/shoots/test_report_oracle.py checks exactly that.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from shoots.models import live_shoot_sql
from shoots.operations import pairs
from shoots.operations.conflicts import DEFAULT_SETTINGS, severity, thresholds_at
from shoots.operations.inputs import local_iso

A, B = pairs.Side.of("a", "_"), pairs.Side.of("b", "_")
DEFAULT_REACH_M = int(DEFAULT_SETTINGS["nearby_distance_m"])
SLICE = "7 days"


def _reach_of(prefix: str) -> str:
    """SQL: the nearby distance of the commune holding shoot PREFIX (the default if none)."""
    own = f"(SELECT t.nearby_distance_m FROM ({thresholds_at(f'{prefix}footprint')}) AS t)"
    return f"COALESCE({own}, {DEFAULT_REACH_M})"


# One statement. Comparing every shoot of a year with its neighbours through the GiST index
# costs some 20 µs a shoot (6 s for 200,000), so the candidates come from clustering instead:
# the window is cut into slices of SLICE; in each slice, the live shoots overlapping it are
# clustered with ST_ClusterDBSCAN (minpoints 2: a shoot joins a cluster when another one lies
# within eps), eps being the largest reach any commune sets (a metre more, against rounding:
# the clusters only choose which pairs the rule then looks at). Two shoots the rule pairs
# overlap at the start of their overlap within the window, so they share the slice holding that
# instant and, being within the reach, a cluster of it: the pair is taken from that slice only.
# Most shoots have no neighbour in their week and drop out before any pair is formed.
#
# The same-location rule needs no candidates of its own here: live shoots of one location never
# overlap (the no_double_booking exclusion constraint). The commune holding a shoot is looked up
# only for a pair between the nearest and the farthest reach any commune sets.
REPORT_SQL = text(f"""
    WITH window_ AS MATERIALIZED (SELECT tstzrange(:starts, :ends, '[)') AS w),
    reach AS MATERIALIZED (
        SELECT least({DEFAULT_REACH_M}, min(nearby_distance_m)) AS least_m,
               greatest({DEFAULT_REACH_M}, max(nearby_distance_m)) AS most_m
        FROM shoot_commune_settings),
    area AS MATERIALIZED (
        SELECT c.boundary, ST_Expand(c.boundary, reach.most_m) AS near
        FROM communes c, reach WHERE c.nis = CAST(:commune AS text)),
    slices AS (
        SELECT tstzrange(t, least(t + interval '{SLICE}', upper(w)), '[)') AS slice
        FROM window_,
             generate_series(lower(w), upper(w) - interval '1 microsecond', interval '{SLICE}')
                 AS t),
    candidates AS (
        SELECT slices.slice, p.*
        FROM slices CROSS JOIN LATERAL (
            WITH clustered AS MATERIALIZED (
                SELECT * FROM (
                    SELECT s.id, s.footprint, s.parking, s.period, s.location_id,
                           s.production_id,
                           ST_ClusterDBSCAN(ST_Collect(s.footprint, s.parking),
                                            (SELECT most_m + 1 FROM reach), 2) OVER () AS cluster
                    FROM shoots s
                    WHERE {live_shoot_sql("s")} AND s.period && slices.slice
                      AND (CAST(:commune AS text) IS NULL
                           OR s.footprint && (SELECT near FROM area)
                           OR s.parking && (SELECT near FROM area))) AS s
                WHERE cluster IS NOT NULL)
            SELECT a.id AS a_id, a.footprint AS a_footprint, a.parking AS a_parking,
                   a.period AS a_period, a.location_id AS a_location_id,
                   a.production_id AS a_production_id,
                   b.id AS b_id, b.footprint AS b_footprint, b.parking AS b_parking,
                   b.period AS b_period, b.location_id AS b_location_id,
                   b.production_id AS b_production_id
            FROM clustered a JOIN clustered b ON b.cluster = a.cluster AND b.id > a.id) AS p)
    SELECT a_id, a_production_id, b_id, b_production_id, {pairs.rule(A, B)} AS rule,
           {pairs.distance(A, B)} AS distance_m,
           lower({pairs.overlap(A, B)}) AS starts, upper({pairs.overlap(A, B)}) AS ends
    FROM candidates CROSS JOIN window_ CROSS JOIN reach
    WHERE {pairs.meets(A, B)}
      AND greatest(lower(a_period), lower(b_period), lower(window_.w)) <@ slice
      AND {pairs.rule(A, B)} IS NOT NULL
      AND ({pairs.within(A, B, "reach.least_m")}
           OR (reach.least_m < reach.most_m
               AND {pairs.within(A, B, "reach.most_m")}
               AND (SELECT {pairs.within(A, B, "pair.reach_m")}
                    FROM (SELECT greatest({_reach_of("a_")}, {_reach_of("b_")}) AS reach_m
                          OFFSET 0) AS pair)))
      AND (CAST(:commune AS text) IS NULL
           OR EXISTS (SELECT FROM area WHERE ST_Intersects(a_footprint, area.boundary)
                                          OR ST_Intersects(b_footprint, area.boundary)))
    ORDER BY starts, a_id, b_id
""")


def conflict_report(
    session: Session, starts: datetime, ends: datetime, commune: str | None = None
) -> list[dict[str, Any]]:
    """The pairs overlapping within [STARTS, ENDS); with COMMUNE, those with a shoot (partly)
    in that commune."""
    params = {"starts": starts, "ends": ends, "commune": commune}
    return [
        {
            "rule": rule,
            "severity": severity(rule),
            "shoots": [{"id": a, "production_id": pa}, {"id": b, "production_id": pb}],
            "distance_m": round(float(distance or 0), 1),
            "overlap": {"starts_at": local_iso(start), "ends_at": local_iso(end)},
        }
        for a, pa, b, pb, rule, distance, start, end in session.execute(REPORT_SQL, params)
    ]
