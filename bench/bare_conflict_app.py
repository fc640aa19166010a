"""Baseline for bench/shoots_bench.py: bare Flask + one psycopg connection per worker, running
the very SQL of the conflict dry run (shoots.operations.conflicts and the Wallonia check) with no
ORM, no auth, no validation layer. Serve with gunicorn `bench.bare_conflict_app:app`, with
DATABASE_URL set (a postgresql+psycopg:// or postgresql:// URL)."""

from __future__ import annotations

import json
import os
import re

import psycopg
from flask import Flask, request
from shapely.geometry import shape

from shoots.operations import conflicts
from shoots.operations.inputs import (
    OUTSIDE_WALLONIA_SQL,
    WALLONIA_TOLERANCE_M,
    as_multipolygon,
    parse_time,
    to_lambert,
)

app = Flask(__name__)
_connection: psycopg.Connection | None = None


def psycopg_sql(statement) -> str:
    """SQLAlchemy's :name parameters as psycopg's %(name)s (casts like ::date untouched)."""
    return re.sub(r"(?<![:\w]):(?!:)(\w+)", r"%(\1)s", statement.text)


OUTSIDE, SETTINGS, SHOOTS, BLACKOUTS, SATURATION = (
    psycopg_sql(s)
    for s in (
        OUTSIDE_WALLONIA_SQL,
        conflicts.SETTINGS_SQL,
        conflicts.SHOOTS_SQL,
        conflicts.BLACKOUTS_SQL,
        conflicts.SATURATION_SQL,
    )
)


def connection() -> psycopg.Connection:
    global _connection
    if _connection is None:
        url = os.environ["DATABASE_URL"].replace("postgresql+psycopg://", "postgresql://")
        _connection = psycopg.connect(url, autocommit=True)
    return _connection


@app.post("/check")
def check():
    body = request.get_json()
    footprint = as_multipolygon(to_lambert(shape(body["footprint"])))
    params = {
        "footprint": footprint.wkb_hex,
        "parking": None,
        "starts_at": parse_time("starts_at", body["starts_at"]),
        "ends_at": parse_time("ends_at", body["ends_at"]),
        "production_id": body["production_id"],
        "location_id": body.get("location_id"),
        "exclude_id": None,
    }
    with connection().cursor() as cursor:
        cursor.execute(OUTSIDE, {"area": footprint.wkb_hex, "tolerance": WALLONIA_TOLERANCE_M})
        cursor.execute(SETTINGS, params)
        row = cursor.fetchone()
        own = dict(zip(conflicts.DEFAULT_SETTINGS, row[1:] if row else [None] * 4, strict=True))
        settings = {k: own[k] or v for k, v in conflicts.DEFAULT_SETTINGS.items()}
        found = []
        cursor.execute(SHOOTS, {**params, "distance": settings["nearby_distance_m"]})
        found += [{"rule": row[0], "id": row[1], "distance_m": row[4]} for row in cursor]
        cursor.execute(BLACKOUTS, params)
        found += [{"rule": "blackout", "id": row[0]} for row in cursor]
        cursor.execute(
            SATURATION,
            {
                **params,
                "radius": settings["saturation_radius_m"],
                "window_days": settings["saturation_window_days"],
            },
        )
        days = cursor.fetchone()[0]
    return app.response_class(
        json.dumps({"findings": found, "shoot_days": days}), mimetype="application/json"
    )
