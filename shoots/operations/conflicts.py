"""The conflict engine: the one place deciding whether a shoot clashes with anything.

Hard conflicts (refused): the same library location, or footprints that really intersect, in
overlapping periods. Warnings (saved, shown, overridable): another production's set or parking
within the commune's distance, a municipal blackout, and saturation of an area.

Concurrency: the same-location rule is also an exclusion constraint. Footprint intersection
cannot be one, so writers first take transaction-scoped advisory locks on every grid cell their
footprint's bounding box touches. Two intersecting footprints share a point, hence a cell, so
their check-then-insert transactions run one after the other and the second one sees the first.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from shapely.geometry import MultiPolygon
from sqlalchemy import text
from sqlalchemy.orm import Session

from core.db import SRID
from shoots.models import CommuneSettings
from shoots.operations.inputs import local_iso

HARD_RULES = ("same_location", "footprint_overlap")
DEFAULT_SETTINGS = {
    "nearby_distance_m": 250,
    "saturation_days": 10,
    "saturation_radius_m": 200,
    "saturation_window_days": 365,
}
LOCK_CELL_M = 5_000
LOCK_NAMESPACE = 3812  # first key of pg_advisory_xact_lock(int, int): ours, not another lock's


@dataclass(frozen=True)
class Candidate:
    """A shoot to check: stored or not. EXCLUDE_ID is the shoot itself when it is updated."""

    footprint: MultiPolygon
    starts_at: datetime
    ends_at: datetime
    production_id: int | None = None
    location_id: int | None = None
    parking: MultiPolygon | None = None
    exclude_id: int | None = None

    def params(self) -> dict[str, Any]:
        return {
            "footprint": self.footprint.wkb_hex,
            "parking": self.parking.wkb_hex if self.parking is not None else None,
            "starts_at": self.starts_at,
            "ends_at": self.ends_at,
            "production_id": self.production_id,
            "location_id": self.location_id,
            "exclude_id": self.exclude_id,
        }


@dataclass
class Finding:
    rule: str
    other: dict[str, Any]
    distance_m: float
    overlap_start: datetime
    overlap_end: datetime
    override: dict[str, Any] | None = None

    @property
    def hard(self) -> bool:
        return self.rule in HARD_RULES

    @property
    def other_ref(self) -> str:
        return f"{self.other['type']}:{self.other.get('id', '')}"

    def as_json(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "severity": "conflict" if self.hard else "warning",
            "other": self.other,
            "distance_m": round(self.distance_m, 1),
            "overlap": {
                "starts_at": local_iso(self.overlap_start),
                "ends_at": local_iso(self.overlap_end),
            },
            "override": self.override,
        }


@dataclass
class Findings:
    items: list[Finding] = field(default_factory=list)
    settings: dict[str, int] = field(default_factory=lambda: dict(DEFAULT_SETTINGS))

    @property
    def conflicts(self) -> list[Finding]:
        return [f for f in self.items if f.hard]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.items if not f.hard]


# Shared by the app and the bare baseline of the benchmark (bench/bare_conflict_app.py).
CANDIDATE_CTE = f"""
    candidate AS (
        SELECT ST_SetSRID(CAST(:footprint AS geometry), {SRID}) AS footprint,
               ST_SetSRID(CAST(:parking AS geometry), {SRID}) AS parking,
               tstzrange(:starts_at, :ends_at, '[)') AS period)
"""

SETTINGS_SQL = text(f"""
    WITH {CANDIDATE_CTE}
    SELECT c.nis, s.nearby_distance_m, s.saturation_days, s.saturation_radius_m,
           s.saturation_window_days
    FROM candidate, communes c
    LEFT JOIN shoot_commune_settings s ON s.commune_nis = c.nis
    WHERE c.retired_at IS NULL
      AND ST_DWithin(c.boundary, ST_PointOnSurface(candidate.footprint), 200)
    ORDER BY ST_Distance(c.boundary, ST_PointOnSurface(candidate.footprint)), c.nis
    LIMIT 1
""")

SHOOTS_SQL = text(f"""
    WITH {CANDIDATE_CTE}
    SELECT rule, s.id, s.production_id, p.title,
           LEAST(ST_Distance(s.footprint, c.footprint), ST_Distance(s.parking, c.footprint),
                 ST_Distance(s.footprint, c.parking), ST_Distance(s.parking, c.parking)),
           lower(s.period * c.period), upper(s.period * c.period)
    FROM candidate c
    JOIN shoots s ON s.period && c.period AND s.status <> 'cancelled'
                 AND s.id IS DISTINCT FROM :exclude_id
    JOIN productions p ON p.id = s.production_id
    CROSS JOIN LATERAL (SELECT CASE
        WHEN s.location_id = :location_id THEN 'same_location'
        WHEN ST_Intersects(s.footprint, c.footprint) THEN 'footprint_overlap'
        WHEN s.production_id IS DISTINCT FROM :production_id THEN 'nearby_set'
        END AS rule) AS r
    WHERE r.rule IS NOT NULL
      AND (s.location_id = :location_id
           OR ST_DWithin(s.footprint, c.footprint, :distance)
           OR ST_DWithin(s.parking, c.footprint, :distance)
           OR ST_DWithin(s.footprint, c.parking, :distance)
           OR ST_DWithin(s.parking, c.parking, :distance))
    ORDER BY r.rule <> 'same_location', r.rule <> 'footprint_overlap', lower(s.period), s.id
""")

# A weekly blackout (weekday + daily hours) is expanded into its occurrences on the days of
# the candidate's period (at most 91, see MAX_PERIOD); the others cover their whole period.
BLACKOUTS_SQL = text(f"""
    WITH {CANDIDATE_CTE},
    hits AS (
        SELECT b.id, b.kind, b.title, b.commune_nis, b.period, b.weekday, b.daily_start,
               b.daily_end
        FROM candidate, shoot_blackouts b JOIN communes cm ON cm.nis = b.commune_nis
        WHERE b.period && candidate.period
          AND ST_Intersects(COALESCE(b.area, cm.boundary), candidate.footprint)),
    occurrences AS (
        SELECT h.id, h.period AS occurrence FROM hits h WHERE h.weekday IS NULL
        UNION ALL
        SELECT h.id, tstzrange((day::date + h.daily_start) AT TIME ZONE 'Europe/Brussels',
                               (day::date + h.daily_end) AT TIME ZONE 'Europe/Brussels', '[)')
                     * h.period
        FROM hits h, candidate,
             generate_series((lower(candidate.period) AT TIME ZONE 'Europe/Brussels')::date,
                             (upper(candidate.period) AT TIME ZONE 'Europe/Brussels')::date,
                             interval '1 day') AS day
        WHERE h.weekday IS NOT NULL AND extract(isodow FROM day) = h.weekday)
    SELECT h.id, h.kind, h.title, h.commune_nis,
           min(lower(o.occurrence * candidate.period)), min(upper(o.occurrence * candidate.period)),
           count(*)
    FROM candidate, occurrences o JOIN hits h USING (id)
    WHERE o.occurrence && candidate.period
    GROUP BY h.id, h.kind, h.title, h.commune_nis
    ORDER BY 5, h.id
""")

# Shoot-days: distinct Brussels calendar days with a live shoot within the radius, the
# candidate included, in the window of WINDOW days that ends when the candidate ends.
SATURATION_SQL = text(f"""
    WITH {CANDIDATE_CTE},
    window_ AS (
        SELECT tstzrange(:ends_at - make_interval(days => :window_days), :ends_at, '[)') AS w),
    near AS (
        SELECT s.id, s.period * window_.w AS p
        FROM candidate, window_, shoots s
        WHERE s.status <> 'cancelled' AND s.id IS DISTINCT FROM :exclude_id
          AND s.period && window_.w AND ST_DWithin(s.footprint, candidate.footprint, :radius)
        UNION ALL
        SELECT NULL, candidate.period * window_.w FROM candidate, window_)
    SELECT count(DISTINCT day), array_agg(DISTINCT id) FILTER (WHERE id IS NOT NULL),
           min(lower(p)), max(upper(p))
    FROM near,
         generate_series((lower(p) AT TIME ZONE 'Europe/Brussels')::date,
                         ((upper(p) - interval '1 microsecond')
                          AT TIME ZONE 'Europe/Brussels')::date,
                         interval '1 day') AS day
    WHERE NOT isempty(p)
""")


def commune_settings(session: Session, candidate: Candidate) -> tuple[str | None, dict[str, int]]:
    """The commune the footprint lies in (by a point on its surface) and its thresholds."""
    row = session.execute(SETTINGS_SQL, candidate.params()).first()
    if row is None:
        return None, dict(DEFAULT_SETTINGS)
    nis, *values = row
    own = dict(zip(DEFAULT_SETTINGS, values, strict=True))
    return nis, {k: own[k] if own[k] is not None else v for k, v in DEFAULT_SETTINGS.items()}


def shoot_findings(session: Session, candidate: Candidate, distance_m: float) -> list[Finding]:
    rows = session.execute(SHOOTS_SQL, {**candidate.params(), "distance": distance_m})
    return [
        Finding(
            rule,
            {"type": "shoot", "id": shoot_id, "production_id": production_id, "production": title},
            float(distance or 0),
            start,
            end,
        )
        for rule, shoot_id, production_id, title, distance, start, end in rows
    ]


def blackout_findings(session: Session, candidate: Candidate) -> list[Finding]:
    rows = session.execute(BLACKOUTS_SQL, candidate.params())
    return [
        Finding(
            "blackout",
            {
                "type": "blackout",
                "id": bid,
                "kind": kind,
                "title": title,
                "commune": nis,
                "occurrences": count,
            },
            0.0,
            start,
            end,
        )
        for bid, kind, title, nis, start, end, count in rows
    ]


def saturation_findings(
    session: Session, candidate: Candidate, settings: dict[str, int]
) -> list[Finding]:
    params = {
        **candidate.params(),
        "radius": settings["saturation_radius_m"],
        "window_days": settings["saturation_window_days"],
    }
    days, shoot_ids, start, end = session.execute(SATURATION_SQL, params).one()
    if days <= settings["saturation_days"]:
        return []
    other = {
        "type": "area",
        "id": "",
        "shoot_days": days,
        "limit_days": settings["saturation_days"],
        "window_days": settings["saturation_window_days"],
        "shoot_ids": sorted(shoot_ids or []),
    }
    return [Finding("saturation", other, float(settings["saturation_radius_m"]), start, end)]


def check(session: Session, candidate: Candidate) -> Findings:
    """Every finding for CANDIDATE; stores nothing."""
    _nis, settings = commune_settings(session, candidate)
    items = shoot_findings(session, candidate, settings["nearby_distance_m"])
    items += blackout_findings(session, candidate)
    items += saturation_findings(session, candidate, settings)
    return Findings(items, settings)


_LOCK_SQL = text("""
    SELECT pg_advisory_xact_lock(CAST(:namespace AS integer), cell)
    FROM (SELECT cell FROM unnest(CAST(:cells AS integer[])) AS cell ORDER BY cell) AS cells
""")


def lock_cells(geometry: MultiPolygon, cell_m: int = LOCK_CELL_M) -> list[int]:
    """The grid cells the geometry's bounding box touches, in a fixed order (no deadlocks)."""
    min_x, min_y, max_x, max_y = geometry.bounds
    xs = range(math.floor(min_x / cell_m), math.floor(max_x / cell_m) + 1)
    ys = range(math.floor(min_y / cell_m), math.floor(max_y / cell_m) + 1)
    return sorted(x * 100_000 + y for x in xs for y in ys)


def lock_area(session: Session, geometry: MultiPolygon) -> None:
    """Serialise writers whose footprints could intersect, until the transaction ends."""
    session.execute(_LOCK_SQL, {"namespace": LOCK_NAMESPACE, "cells": lock_cells(geometry)})


def settings_of(session: Session, nis: str) -> dict[str, int]:
    """A commune's thresholds (the defaults where it has none)."""
    own = session.get(CommuneSettings, nis)
    if own is None:
        return dict(DEFAULT_SETTINGS)
    return {name: getattr(own, name) for name in DEFAULT_SETTINGS}


def save_settings(session: Session, nis: str, values: dict[str, int]) -> dict[str, int]:
    own = session.get(CommuneSettings, nis) or CommuneSettings(commune_nis=nis)
    for name, value in values.items():
        setattr(own, name, value)
    session.add(own)
    session.flush()
    return settings_of(session, nis)
