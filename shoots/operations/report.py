"""The conflict report: every pair of live shoots that clash or warn in a period."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from shoots.models import live_shoot_sql
from shoots.operations.conflicts import DEFAULT_SETTINGS
from shoots.operations.inputs import local_iso

# One self-join: the GiST index on (footprint, period) finds each shoot's neighbours.
# The shoots of the period are materialised and drive a nested loop; for each, the GiST index on
# (footprint, period) finds its neighbours. `b.id + 0 > a.id` (each pair once) and
# `NOT isempty(b.period * a.period)` are written so the planner cannot AND in a scan of the
# primary key or of the period index for every shoot (thousands of rows each time).
REPORT_SQL = text(f"""
    WITH live AS MATERIALIZED (
        SELECT s.* FROM shoots s
        WHERE {live_shoot_sql("s")} AND s.period && tstzrange(:starts, :ends, '[)')
          AND (CAST(:commune AS text) IS NULL OR EXISTS (
                SELECT 1 FROM communes c
                WHERE c.nis = :commune AND ST_Intersects(s.footprint, c.boundary))))
    SELECT a.id, a.production_id, b.id, b.production_id,
           CASE WHEN a.location_id = b.location_id THEN 'same_location'
                WHEN ST_Intersects(a.footprint, b.footprint) THEN 'footprint_overlap'
                ELSE 'nearby_set' END AS rule,
           LEAST(ST_Distance(a.footprint, b.footprint), ST_Distance(a.parking, b.footprint),
                 ST_Distance(a.footprint, b.parking), ST_Distance(a.parking, b.parking)),
           lower(a.period * b.period), upper(a.period * b.period)
    FROM live a
    JOIN shoots b ON b.id + 0 > a.id AND {live_shoot_sql("b")}
                 AND b.period && tstzrange(:starts, :ends, '[)')
                 AND NOT isempty(b.period * a.period)
    WHERE (a.location_id = b.location_id
           OR ST_DWithin(b.footprint, a.footprint, :distance)
           OR ST_DWithin(b.parking, a.footprint, :distance)
           OR ST_DWithin(b.footprint, a.parking, :distance))
      AND (a.production_id <> b.production_id OR a.location_id = b.location_id
           OR ST_Intersects(a.footprint, b.footprint))
    ORDER BY 7, a.id, b.id
""")


def conflict_report(
    session: Session,
    starts: datetime,
    ends: datetime,
    commune: str | None = None,
    distance_m: float = DEFAULT_SETTINGS["nearby_distance_m"],
) -> list[dict[str, Any]]:
    params = {"starts": starts, "ends": ends, "commune": commune, "distance": distance_m}
    # The nested loop's cost estimate is far above its real cost: JIT would only add compile time.
    session.execute(text("SET LOCAL jit = off"))
    return [
        {
            "rule": rule,
            "severity": "conflict" if rule != "nearby_set" else "warning",
            "shoots": [{"id": a, "production_id": pa}, {"id": b, "production_id": pb}],
            "distance_m": round(float(distance or 0), 1),
            "overlap": {"starts_at": local_iso(start), "ends_at": local_iso(end)},
        }
        for a, pa, b, pb, rule, distance, start, end in session.execute(REPORT_SQL, params)
    ]
