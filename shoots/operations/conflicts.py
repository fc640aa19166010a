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

from core.db import SRID, DriverStatement
from shoots.models import CommuneSettings, live_shoot_sql
from shoots.operations import pairs
from shoots.operations.days import brussels_days
from shoots.operations.inputs import local_iso, outside_wallonia_sql

HARD_RULES = ("same_location", "footprint_overlap")
DEFAULT_SETTINGS = {
    "nearby_distance_m": 250,
    "saturation_days": 10,
    "saturation_radius_m": 200,
    "saturation_window_days": 365,
}
LOCK_CELL_M = 5_000
LOCK_NAMESPACE = 3812  # first key of pg_advisory_xact_lock(int, int): ours, not another lock's


def severity(rule: str) -> str:
    """A hard conflict is refused (409); anything else is a warning, saved and shown."""
    return "conflict" if rule in HARD_RULES else "warning"


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
            "severity": severity(self.rule),
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
    # What the same statement found about the candidate as input (shoots.refuse_invalid):
    production_known: bool = True
    outside_wallonia: tuple[str, ...] = ()  # "footprint", "parking": a vertex outside

    @property
    def conflicts(self) -> list[Finding]:
        return [f for f in self.items if f.hard]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.items if not f.hard]


def thresholds_at(footprint: str) -> str:
    """SQL: the thresholds of the commune holding a point on FOOTPRINT's surface, as one row
    (NULLs where the commune has none of its own), or no row outside Wallonia."""
    return f"""
        SELECT s.nearby_distance_m, s.saturation_days, s.saturation_radius_m,
               s.saturation_window_days
        FROM (SELECT commune_at(ST_PointOnSurface({footprint})) AS nis) c
        LEFT JOIN shoot_commune_settings s ON s.commune_nis = c.nis
        WHERE c.nis IS NOT NULL"""


def _default(name: str) -> str:
    return str(int(DEFAULT_SETTINGS[name]))


CANDIDATE, STORED = pairs.Side.of("c"), pairs.Side.of("s")

# Everything the check needs is one statement, one round trip: the candidate's validity (its
# production exists, its areas lie in Wallonia), then the commune holding a point on the
# footprint's surface gives the thresholds (its own, else the defaults), which the neighbouring
# shoots (the pair rule, shoots.operations.pairs), the blackouts and the saturation parts use.
# Findings come back as JSON arrays in the order they are reported.
#
# The parameters appear only in the materialised `candidate` CTE: the rest of the statement
# reads them as columns, so its plan is the same for every candidate and PostgreSQL keeps one
# generic plan per connection (psycopg prepares a statement from its fifth run) instead of
# planning it again for each check, which took two thirds of its time.
# Shared by the app and the bare baseline of the benchmark (bench/bare_conflict_app.py).
CHECK_SQL = text(f"""
    WITH candidate AS MATERIALIZED (
        SELECT ST_SetSRID(CAST(:footprint AS geometry), {SRID}) AS footprint,
               ST_SetSRID(CAST(:parking AS geometry), {SRID}) AS parking,
               tstzrange(:starts_at, :ends_at, '[)') AS period,
               CAST(:production_id AS integer) AS production_id,
               CAST(:location_id AS integer) AS location_id,
               CAST(:exclude_id AS integer) AS exclude_id),
    validity AS (
        SELECT c.production_id IS NULL
                   OR EXISTS (SELECT FROM productions p WHERE p.id = c.production_id)
                   AS production_known,
               ({outside_wallonia_sql("c.footprint")}) AS footprint_outside,
               ({outside_wallonia_sql("c.parking")}) AS parking_outside
        FROM candidate c),
    commune AS (
        SELECT t.* FROM candidate CROSS JOIN LATERAL ({thresholds_at("candidate.footprint")}) t),
    settings AS (
        SELECT COALESCE(commune.nearby_distance_m, {_default("nearby_distance_m")})
                   AS nearby_distance_m,
               COALESCE(commune.saturation_days, {_default("saturation_days")})
                   AS saturation_days,
               COALESCE(commune.saturation_radius_m, {_default("saturation_radius_m")})
                   AS saturation_radius_m,
               COALESCE(commune.saturation_window_days, {_default("saturation_window_days")})
                   AS saturation_window_days
        FROM (SELECT) AS one LEFT JOIN commune ON true),
    shoot_hits AS (
        SELECT r.rule, s.id, s.production_id, p.title,
               {pairs.distance(CANDIDATE, STORED)} AS distance_m,
               lower({pairs.overlap(CANDIDATE, STORED)}) AS starts,
               upper({pairs.overlap(CANDIDATE, STORED)}) AS ends,
               lower(s.period) AS shoot_starts
        FROM candidate c CROSS JOIN settings
        JOIN shoots s ON {pairs.meets(CANDIDATE, STORED)} AND {live_shoot_sql("s")}
                     AND s.id IS DISTINCT FROM c.exclude_id
        JOIN productions p ON p.id = s.production_id
        CROSS JOIN LATERAL (SELECT {pairs.rule(STORED, CANDIDATE)} AS rule) AS r
        WHERE r.rule IS NOT NULL
          AND {pairs.within(CANDIDATE, STORED, "settings.nearby_distance_m")}),
    -- A weekly blackout (weekday + daily hours) is expanded into its occurrences on the days
    -- of the candidate's period (at most 91, see MAX_PERIOD); the others cover their period.
    blackouts_here AS (
        SELECT b.id, b.kind, b.title, b.commune_nis, b.period, b.weekday, b.daily_start,
               b.daily_end
        FROM candidate, shoot_blackouts b JOIN communes cm ON cm.nis = b.commune_nis
        WHERE b.period && candidate.period
          AND ST_Intersects(COALESCE(b.area, cm.boundary), candidate.footprint)),
    occurrences AS (
        SELECT h.id, h.period AS occurrence FROM blackouts_here h WHERE h.weekday IS NULL
        UNION ALL
        SELECT h.id, tstzrange((day::date + h.daily_start) AT TIME ZONE 'Europe/Brussels',
                               (day::date + h.daily_end) AT TIME ZONE 'Europe/Brussels', '[)')
                     * h.period
        FROM blackouts_here h, candidate,
             generate_series((lower(candidate.period) AT TIME ZONE 'Europe/Brussels')::date,
                             (upper(candidate.period) AT TIME ZONE 'Europe/Brussels')::date,
                             interval '1 day') AS day
        WHERE h.weekday IS NOT NULL AND extract(isodow FROM day) = h.weekday),
    blackout_hits AS (
        SELECT h.id, h.kind, h.title, h.commune_nis,
               min(lower(o.occurrence * candidate.period)) AS starts,
               min(upper(o.occurrence * candidate.period)) AS ends, count(*) AS occurrences
        FROM candidate, occurrences o JOIN blackouts_here h USING (id)
        WHERE o.occurrence && candidate.period
        GROUP BY h.id, h.kind, h.title, h.commune_nis),
    -- Shoot-days: distinct Brussels calendar days with a live shoot within the radius, the
    -- candidate included, in the window of WINDOW days that ends when the candidate ends.
    window_ AS (
        SELECT tstzrange(upper(candidate.period)
                             - make_interval(days => settings.saturation_window_days),
                         upper(candidate.period), '[)') AS w
        FROM candidate, settings),
    near AS (
        SELECT s.id, s.period * window_.w AS p
        FROM candidate, settings, window_, shoots s
        WHERE {live_shoot_sql("s")} AND s.id IS DISTINCT FROM candidate.exclude_id
          AND s.period && window_.w
          AND ST_DWithin(s.footprint, candidate.footprint, settings.saturation_radius_m)
        UNION ALL
        SELECT NULL, candidate.period * window_.w FROM candidate, window_),
    saturation AS (
        SELECT count(DISTINCT day) AS days,
               array_agg(DISTINCT id) FILTER (WHERE id IS NOT NULL) AS shoot_ids,
               min(lower(p)) AS starts, max(upper(p)) AS ends
        FROM near, {brussels_days("p")}
        WHERE NOT isempty(p))
    SELECT validity.production_known, validity.footprint_outside, validity.parking_outside,
           settings.nearby_distance_m, settings.saturation_days, settings.saturation_radius_m,
           settings.saturation_window_days,
           (SELECT json_agg(json_build_array(rule, id, production_id, title, distance_m,
                                             starts, ends)
                            ORDER BY rule <> 'same_location', rule <> 'footprint_overlap',
                                     shoot_starts, id)
            FROM shoot_hits),
           (SELECT json_agg(json_build_array(id, kind, title, commune_nis, starts, ends,
                                             occurrences) ORDER BY starts, id)
            FROM blackout_hits),
           saturation.days, saturation.shoot_ids, saturation.starts, saturation.ends
    FROM validity, settings, saturation
""")
_CHECK = DriverStatement(CHECK_SQL)  # run on every dry run and save: no ORM layer


def _shoot_finding(rule, shoot_id, production_id, title, distance, start, end) -> Finding:
    other = {"type": "shoot", "id": shoot_id, "production_id": production_id, "production": title}
    return Finding(rule, other, float(distance or 0), _moment(start), _moment(end))


def _blackout_finding(blackout_id, kind, title, nis, start, end, count) -> Finding:
    other = {
        "type": "blackout",
        "id": blackout_id,
        "kind": kind,
        "title": title,
        "commune": nis,
        "occurrences": count,
    }
    return Finding("blackout", other, 0.0, _moment(start), _moment(end))


def _moment(json_timestamp: str) -> datetime:
    """A timestamptz that came back inside JSON (ISO 8601 with the offset)."""
    return datetime.fromisoformat(json_timestamp)


def _saturation_findings(
    settings: dict[str, int], days: int, shoot_ids: list[int] | None, start, end
) -> list[Finding]:
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
    """Every finding for CANDIDATE, and whether it is valid input, in one query; stores
    nothing."""
    row = _CHECK.first(session, candidate.params())
    assert row is not None  # one row, whatever the candidate
    production_known, footprint_outside, parking_outside = row[:3]
    settings = dict(zip(DEFAULT_SETTINGS, row[3:7], strict=True))
    shoot_rows, blackout_rows, days, shoot_ids, start, end = row[7:]
    items = [_shoot_finding(*r) for r in shoot_rows or []]
    items += [_blackout_finding(*r) for r in blackout_rows or []]
    items += _saturation_findings(settings, days, shoot_ids, start, end)
    outside = (("footprint", footprint_outside), ("parking", parking_outside))
    return Findings(
        items,
        settings,
        production_known=production_known,
        outside_wallonia=tuple(name for name, vertices in outside if vertices),
    )


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
