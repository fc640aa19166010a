"""Shoot scheduling at scale: 1,000,000 shoots over 50,000 locations across five years.

Reports the conflict check's latency server-side and through HTTP (one client, gunicorn on
127.0.0.1), throughput under concurrent load next to a bare Flask + psycopg endpoint running the
same SQL (bench/bare_conflict_app.py, same gunicorn settings), and the conflict report's time
for one month and one year. BENCH_SHOOTS=100000 makes a smaller run.
"""

from __future__ import annotations

import http.client
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from shapely.geometry import Point, mapping
from sqlalchemy import text

from bench.common import (
    LATENCY_HEADER,
    analyze,
    bench_app,
    latency_row,
    print_table,
    stopwatch,
    time_calls,
)
from core.auth.operations import create_token, create_user
from core.db import db
from core.geo import as_multipolygon, to_wgs84
from shoots.operations import conflicts, report

SHOOTS = int(os.environ.get("BENCH_SHOOTS", 1_000_000))
LOCATIONS = 50_000
PRODUCTIONS = 2_000
FIRST_DAY = datetime(2026, 1, 1, tzinfo=UTC)
YEARS = 5
WORKERS = 2
CLIENTS = 8
LOAD_SECONDS = 5
ROUNDS = 4
ROOT = Path(__file__).resolve().parent.parent

# Every location gets SHOOTS / LOCATIONS shoots spread over five years, one per slot of equal
# length, 1–3 days long at a random offset inside its slot: the same location never overlaps.
GENERATE = [
    f"""INSERT INTO productions (title, type, company)
        SELECT 'Bench production ' || n, 'feature', 'Bench'
        FROM generate_series(1, {PRODUCTIONS}) AS n""",
    f"""INSERT INTO locations (name, point, commune_nis, status)
        SELECT 'Bench location', d.geom, c.nis, 'published'
        FROM communes c,
             ST_Dump(ST_GeneratePoints(c.boundary,
                     {LOCATIONS} / (SELECT count(*) FROM communes)::int + 1, 42)) AS d
        LIMIT {LOCATIONS}""",
    """SELECT setseed(0.42)""",
    # random() sits in the select list so that it is drawn for every row
    """INSERT INTO shoots (production_id, location_id, footprint, period, crew_size)
        SELECT production_id, location_id, footprint,
               tstzrange(start, start + make_interval(days => days), '[)'), crew_size
        FROM (SELECT 1 + (random() * (:productions - 1))::int AS production_id,
                     l.id AS location_id,
                     ST_Multi(ST_Buffer(l.point, 20 + random() * 40, 4)) AS footprint,
                     :first_day + make_interval(hours => (k * :slot_hours
                         + random() * (:slot_hours - 80))::int) AS start,
                     1 + (random() * 2)::int AS days,
                     (random() * 80)::int AS crew_size
              FROM locations l CROSS JOIN generate_series(0, :per_location - 1) AS k) AS g""",
]


def generate(app) -> float:
    per_location = SHOOTS // LOCATIONS
    slot_hours = YEARS * 365 * 24 // per_location
    params = {
        "productions": PRODUCTIONS,
        "per_location": per_location,
        "slot_hours": slot_hours,
        "first_day": FIRST_DAY,
    }
    with app.app_context(), stopwatch() as elapsed:
        for statement in GENERATE:
            db.session.execute(text(statement), params)
        db.session.commit()
        analyze(app)
        return elapsed()


def candidates(app, count: int) -> list[dict]:
    """Realistic candidates: a 30 m circle next to a random library location, one day."""
    rng = random.Random(7)
    with app.app_context():
        points = db.session.execute(
            text("SELECT ST_X(point), ST_Y(point) FROM locations ORDER BY random() LIMIT :n"),
            {"n": count},
        ).all()
    bodies = []
    for x, y in points:
        circle = as_multipolygon(Point(x + 15, y).buffer(30, 4))
        start = FIRST_DAY + timedelta(days=rng.randrange(YEARS * 365), hours=7)
        bodies.append(
            {
                "production_id": 1,
                "footprint": mapping(to_wgs84(circle)),
                "starts_at": start.isoformat(),
                "ends_at": (start + timedelta(hours=10)).isoformat(),
                "_lambert": circle,
            }
        )
    return bodies


def server_side(app, bodies: list[dict]) -> list[float]:
    items = iter(bodies * 2)

    def one() -> None:
        body = next(items)
        start = datetime.fromisoformat(body["starts_at"])
        candidate = conflicts.Candidate(
            footprint=body["_lambert"],
            starts_at=start,
            ends_at=datetime.fromisoformat(body["ends_at"]),
            production_id=1,
        )
        conflicts.check(db.session, candidate)

    with app.app_context():
        return time_calls(one, repeat=len(bodies), warmup=5)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def pinned_ports() -> list[int | None]:
    """BENCH_SHOOTS_PORTS=5010,5011 pins the app's and the baseline's ports (a shared
    machine); else each gets a free port."""
    given = os.environ.get("BENCH_SHOOTS_PORTS")
    return [int(p) for p in given.split(",")] if given else [None, None]


def serve(app_spec: str, url: str, port: int | None) -> tuple[subprocess.Popen, int]:
    port = port or free_port()
    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": "bench"}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "-w",
            str(WORKERS),
            "-b",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            app_spec,
        ],
        cwd=ROOT,
        env=env,
    )
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return process, port
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError(f"{app_spec} did not start")


def post(port: int, path: str, body: dict, headers: dict) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    payload = json.dumps({k: v for k, v in body.items() if not k.startswith("_")})
    connection.request("POST", path, payload, {"Content-Type": "application/json", **headers})
    response = connection.getresponse()
    response.read()
    connection.close()
    return response.status


def http_latency(
    app_port: int, bare_port: int, bodies: list[dict], headers: dict
) -> tuple[list[float], list[float]]:
    """Milliseconds per check through HTTP, app and baseline interleaved request by request so
    that both see the same background load (the machine is shared)."""
    app_ms, bare_ms = [], []
    for number, body in enumerate(bodies):
        for port, path, auth, samples in (
            (app_port, "/api/v1/conflicts/check", headers, app_ms),
            (bare_port, "/check", headers, bare_ms),
        ):
            start = time.perf_counter()
            status = post(port, path, body, auth)
            assert status == 200, status
            if number >= 5:  # warm-up
                samples.append((time.perf_counter() - start) * 1000)
    return app_ms, bare_ms


def throughput(port: int, path: str, bodies: list[dict], headers: dict) -> float:
    """Requests per second with CLIENTS threads posting back to back for LOAD_SECONDS."""
    done = [0] * CLIENTS
    deadline = time.perf_counter() + LOAD_SECONDS

    def client(number: int) -> None:
        rng = random.Random(number)
        while time.perf_counter() < deadline:
            assert post(port, path, rng.choice(bodies), headers) == 200
            done[number] += 1

    threads = [threading.Thread(target=client, args=(n,)) for n in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(done) / LOAD_SECONDS


def report_seconds(app, starts: datetime, ends: datetime) -> tuple[float, int]:
    with app.app_context(), stopwatch() as elapsed:
        pairs = report.conflict_report(db.session, starts, ends)
        return elapsed(), len(pairs)


def _load() -> str:
    return " ".join(f"{value:.1f}" for value in os.getloadavg())


def main() -> None:
    load_before = _load()
    app = bench_app("bench_shoots")
    url = app.config["DATABASE_URL"]
    print(f"generating {SHOOTS:,} shoots over {LOCATIONS:,} locations ...", flush=True)
    generation = generate(app)
    with app.app_context():
        user = create_user(db.session, "bench-api@example.be", "admin", password=None)
        headers = {"Authorization": f"Bearer {create_token(db.session, user)}"}
        db.session.commit()
    bodies = candidates(app, 300)
    rows = [
        latency_row("conflict check, server-side", server_side(app, bodies)),
    ]
    app_pin, bare_pin = pinned_ports()
    app_server, app_port = serve("core:create_app()", url, app_pin)
    bare_server, bare_port = serve("bench.bare_conflict_app:app", url, bare_pin)
    try:
        app_ms, bare_ms = http_latency(app_port, bare_port, bodies, headers)
        rows.append(latency_row("conflict check, HTTP (1 client)", app_ms, "p50 <= 5"))
        rows.append(latency_row("bare baseline, HTTP (1 client)", bare_ms))
        # The machine is shared: alternate short rounds so both face the same background load.
        app_rounds, bare_rounds = [], []
        for _ in range(ROUNDS):
            app_rounds.append(throughput(app_port, "/api/v1/conflicts/check", bodies, headers))
            bare_rounds.append(throughput(bare_port, "/check", bodies, headers))
        app_rps, bare_rps = statistics.median(app_rounds), statistics.median(bare_rounds)
    finally:
        for server in (app_server, bare_server):
            server.terminate()
            server.wait()
    print_table(LATENCY_HEADER, rows)
    print()
    month = report_seconds(app, datetime(2027, 6, 1, tzinfo=UTC), datetime(2027, 7, 1, tzinfo=UTC))
    year = report_seconds(app, datetime(2027, 1, 1, tzinfo=UTC), datetime(2028, 1, 1, tzinfo=UTC))
    print_table(
        ["measure", "value", "target"],
        [
            ["shoots generated", f"{SHOOTS:,} in {generation:.0f} s", ""],
            [
                f"throughput, app ({WORKERS} gunicorn workers, {CLIENTS} clients, "
                f"median of {ROUNDS} rounds)",
                f"{app_rps:.0f} req/s",
                "",
            ],
            ["throughput, bare Flask + psycopg (same SQL)", f"{bare_rps:.0f} req/s", ""],
            ["app / bare", f"{100 * app_rps / bare_rps:.0f} %", ">= 80 %"],
            ["conflict report, one month", f"{month[0]:.2f} s ({month[1]:,} pairs)", ""],
            ["conflict report, one year", f"{year[0]:.2f} s ({year[1]:,} pairs)", "<= 1 s"],
        ],
    )
    moment = f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC"
    print(f"\nmeasured {moment}, load average (1, 5, 15 min) {load_before} -> {_load()}")
