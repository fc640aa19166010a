"""Baseline for bench/shoots_bench.py: bare Flask + one psycopg connection per worker, running
the SQL of the app's conflict dry run: the bearer-token look-up and the engine's one query
(shoots.operations.conflicts.CHECK_SQL, which also reads whether the production exists and the
footprint lies in Wallonia), with no ORM, no transaction, no validation layer. Serve with
gunicorn `bench.bare_conflict_app:app`, with DATABASE_URL set (a postgresql+psycopg:// or
postgresql:// URL)."""

from __future__ import annotations

import hashlib
import json
import os
import re

import psycopg
from flask import Flask, request
from shapely.geometry import shape

from core.db import SESSION_OPTIONS
from core.geo import as_multipolygon, to_lambert
from shoots.operations import conflicts
from shoots.operations.inputs import parse_time

app = Flask(__name__)
_connection: psycopg.Connection | None = None


def psycopg_sql(statement) -> str:
    """SQLAlchemy's :name parameters as psycopg's %(name)s (casts like ::date untouched)."""
    return re.sub(r"(?<![:\w]):(?!:)(\w+)", r"%(\1)s", statement.text)


CHECK = psycopg_sql(conflicts.CHECK_SQL)


def connection() -> psycopg.Connection:
    global _connection
    if _connection is None:
        url = os.environ["DATABASE_URL"].replace("postgresql+psycopg://", "postgresql://")
        _connection = psycopg.connect(url, autocommit=True, options=SESSION_OPTIONS)
    return _connection


TOKEN_SQL = """
    SELECT u.id FROM api_tokens t JOIN users u ON u.id = t.user_id
    WHERE t.token_hash = %(hash)s AND t.revoked_at IS NULL AND u.is_enabled
"""


@app.post("/check")
def check():
    token = request.headers.get("Authorization", "").removeprefix("Bearer ")
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
        cursor.execute(TOKEN_SQL, {"hash": hashlib.sha256(token.encode()).hexdigest()})
        if cursor.fetchone() is None:
            return app.response_class('{"error": "unauthorized"}', 401)
        cursor.execute(CHECK, params)
        row = cursor.fetchone()
        production_known, footprint_outside = row[0], row[1]
        if not production_known or footprint_outside:
            return app.response_class('{"error": "invalid_input"}', 400)
        saturation_days, shoot_rows, blackout_rows, days = row[4], row[7], row[8], row[9]
        found = [{"rule": r[0], "id": r[1], "distance_m": r[4]} for r in shoot_rows or []]
        found += [{"rule": "blackout", "id": r[0]} for r in blackout_rows or []]
        if days > saturation_days:
            found.append({"rule": "saturation", "shoot_days": days})
    return app.response_class(json.dumps({"findings": found}), mimetype="application/json")
