"""Location library: import 50,000 locations, then time searches through HTTP and as bare SQL.

The locations are spread like the real railway stations (each one a few kilometres from a
random station, kept inside Wallonia), with names, descriptions, tags and categories drawn from
a small French vocabulary so that text searches match a realistic share of them.

python -m bench locations
"""

from __future__ import annotations

import http.client
import itertools
import json
import random
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlencode

import numpy as np
import psycopg
import shapely
from shapely.geometry import shape
from sqlalchemy.dialects import postgresql

from bench.common import (
    COMMUNES_FILE,
    LATENCY_HEADER,
    analyze,
    bench_app,
    latency_row,
    print_table,
    stopwatch,
    time_calls,
)
from core.db import db
from locations import importing, operations
from locations.demo import STATIONS_FILE
from locations.models import LocationStatus
from locations.schemas import LocationSearch

LOCATIONS = 50_000
REPEAT = 300
SPREAD_DEGREES = 0.04  # about 3-4 km around a station
SEED = 20261127
KINDS = [
    ("Château", "castle"),
    ("Ferme", "farm"),
    ("Abbaye", "abbey_church"),
    ("Carrière", "quarry"),
    ("Usine", "industrial_site"),
    ("Parc", "park"),
    ("Gare", "railway_station"),
    ("École", "school"),
    ("Bureau", "office"),
    ("Lac", "lake_river"),
    ("Forêt", "forest"),
    ("Maison", "house_interior"),
]
WORDS = [
    "ancien",
    "grand",
    "vieux",
    "rénové",
    "classé",
    "boisé",
    "brique",
    "pierre",
    "vallée",
    "colline",
    "rivière",
    "village",
]


def _stations() -> list[tuple[float, float, str]]:
    features = json.loads(Path(STATIONS_FILE).read_text(encoding="utf-8"))["features"]
    return [(*f["geometry"]["coordinates"], f["properties"]["name"]) for f in features]


def generate(count: int, rng: random.Random) -> dict:
    """COUNT point features near random stations, all inside Wallonia."""
    communes = json.loads(COMMUNES_FILE.read_text(encoding="utf-8"))["features"]
    wallonia = shapely.union_all([shape(f["geometry"]) for f in communes]).buffer(-0.001)
    shapely.prepare(wallonia)
    stations = _stations()
    features: list[dict] = []
    while len(features) < count:
        batch = [rng.choice(stations) for _ in range(count)]
        lons = np.array([s[0] + rng.gauss(0, SPREAD_DEGREES) for s in batch])
        lats = np.array([s[1] + rng.gauss(0, SPREAD_DEGREES * 0.65) for s in batch])
        inside = shapely.contains_xy(wallonia, lons, lats)
        for lon, lat, (_, _, town), keep in zip(lons, lats, batch, inside, strict=True):
            if keep and len(features) < count:
                features.append(_feature(len(features), float(lon), float(lat), town, rng))
    return {"type": "FeatureCollection", "features": features}


def _feature(number: int, lon: float, lat: float, town: str, rng: random.Random) -> dict:
    kind, category = rng.choice(KINDS)
    extra = rng.choice(KINDS)[1]
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [round(lon, 6), round(lat, 6)]},
        "properties": {
            "name": f"{kind} {rng.choice(WORDS)} de {town} n°{number}",
            "description": " ".join(rng.choices(WORDS, k=12)),
            "categories": sorted({category, extra}),
            "tags": rng.sample(WORDS, 2),
            "truck_parking_capacity": rng.randint(0, 20),
            "has_power": rng.random() < 0.5,
        },
    }


def _queries(rng: random.Random) -> tuple[list[dict], list[dict]]:
    stations = _stations()
    combined, windows = [], []
    for _ in range(REPEAT + 10):
        lon, lat, _ = rng.choice(stations)
        kind, category = rng.choice(KINDS)
        combined.append(
            {"q": kind.lower(), "category": category, "near": f"{lon},{lat}", "radius_m": 30000}
        )
        windows.append(
            {"bbox": f"{lon - 0.1:.4f},{lat - 0.07:.4f},{lon + 0.1:.4f},{lat + 0.07:.4f}"}
        )
    return combined, windows


def _place_queries(rng: random.Random) -> list[dict]:
    """What people type in a place picker: the first 3 to 6 letters of a station's town, or of
    a kind of location (which matches thousands of the generated names)."""
    towns = [name for _, _, name in _stations()] + [kind for kind, _ in KINDS]
    return [{"q": rng.choice(towns)[: rng.randint(3, 6)]} for _ in range(REPEAT + 10)]


def _cycle(queries: list[dict], call: Callable[[dict], object]) -> Callable[[], object]:
    source: Iterator[dict] = itertools.cycle(queries)
    return lambda: call(next(source))


SERVER = """
import logging, sys
from werkzeug.serving import make_server
from core import create_app
logging.getLogger("werkzeug").setLevel(logging.WARNING)
server = make_server("127.0.0.1", 0, create_app({"DATABASE_URL": sys.argv[1], "SECRET_KEY": "b"}),
                     threaded=True)
print(server.server_port, flush=True)
server.serve_forever()
"""


def _serve(database_url: str) -> tuple[subprocess.Popen, int]:
    """The app in a server process of its own (not sharing this process' GIL)."""
    server = subprocess.Popen(
        [sys.executable, "-c", SERVER, database_url],
        stdout=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).resolve().parent.parent,
    )
    return server, int(server.stdout.readline())  # type: ignore[union-attr]


def _http_caller(port: int, path: str = "/api/v1/locations") -> Callable[[dict], object]:
    connection = http.client.HTTPConnection("127.0.0.1", port)  # keep-alive, like a browser

    def get(params: dict) -> object:
        connection.request("GET", f"{path}?{urlencode(params)}")
        response = connection.getresponse()
        body = response.read()
        if response.status != 200:
            raise RuntimeError(f"{response.status}: {body[:200]!r}")
        return body

    return get


def _sql_only(app, dsn: str, queries: list[dict]) -> list[float]:
    """The search's own SELECT, compiled with its values first, then timed alone on a bare
    psycopg connection."""
    connection = psycopg.connect(dsn, autocommit=True)
    connection.execute("SET max_parallel_workers_per_gather = 0")  # as the app's search does
    statements = []
    with app.app_context():
        for params in queries:
            criteria = LocationSearch.model_validate(
                {k: [v] if k == "category" else v for k, v in params.items()}
            )
            statement = operations.search_statement(db.session, criteria, None, False)
            statements.append(
                str(
                    statement.compile(
                        dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True}
                    )
                )
            )
    source = itertools.cycle(statements)
    return time_calls(lambda: connection.execute(next(source)).fetchall(), REPEAT)


def main() -> None:
    rng = random.Random(SEED)
    app = bench_app("bench_locations")
    collection = generate(LOCATIONS, rng)
    content = json.dumps(collection).encode()
    with app.app_context(), stopwatch() as elapsed:
        report = importing.import_locations(
            db.session,
            content,
            file_format="geojson",
            crs=4326,
            user=None,
            dry_run=False,
            status=LocationStatus.PUBLISHED,
        )
        db.session.commit()
        import_seconds = elapsed()
    assert not report.rejected, report.rejected[:3]
    analyze(app, "locations, location_category_links")
    with app.app_context():
        dsn = app.config["DATABASE_URL"].replace("postgresql+psycopg://", "postgresql://")

    combined, windows = _queries(rng)
    typed = _place_queries(rng)
    server, port = _serve(app.config["DATABASE_URL"])
    try:
        http_get = _http_caller(port)
        rows = [
            latency_row(
                "HTTP combined search (text + category + 30 km radius)",
                time_calls(_cycle(combined, http_get), REPEAT),
                "p50 < 15 ms",
            ),
            latency_row(
                "HTTP bbox search (map window ~14×16 km)",
                time_calls(_cycle(windows, http_get), REPEAT),
                "p50 < 15 ms",
            ),
            latency_row(
                "HTTP place search (3-6 letters of a town or a kind)",
                time_calls(_cycle(typed, _http_caller(port, "/api/v1/places")), REPEAT),
                "p50 < 15 ms",
            ),
            latency_row("SQL combined search", _sql_only(app, dsn, combined), ""),
            latency_row("SQL bbox search", _sql_only(app, dsn, windows), ""),
        ]
    finally:
        server.terminate()
        server.wait()
    print(f"{LOCATIONS:,} locations, spread like the {len(_stations())} Walloon stations.")
    print_table(LATENCY_HEADER, rows)
    print()
    print_table(
        ["measure", "seconds", "target"],
        [[f"import {LOCATIONS:,} locations (GeoJSON)", f"{import_seconds:.1f}", "< 20 s"]],
    )
