"""Load: gunicorn (several workers, deploy/gunicorn.conf.py) on 127.0.0.1 under wrk.

The whole run lasts BENCH_LOAD_SECONDS (default 60), shared between the endpoints. Each
endpoint is a list of requests (path and JSON body) that wrk picks from at random, sent with a
coordinator's API token; to load another endpoint, add an `Endpoint` to `endpoints()`.
Reports throughput, p50/p99 latency and errors (any status >= 400 or socket error: the
target is zero).

    BENCH_LOAD_SECONDS=10 .venv/bin/python -m bench load
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import text

from bench.common import analyze, bench_app, print_table
from core.auth.models import Role
from core.auth.operations import create_token, create_user
from core.db import db

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DATABASE = "bench_interfaces_load"
PORT = int(os.environ.get("BENCH_LOAD_PORT", 5009))
SECONDS = float(os.environ.get("BENCH_LOAD_SECONDS", 60))
WORKERS = int(os.environ.get("BENCH_LOAD_WORKERS", 4))
CONNECTIONS = int(os.environ.get("BENCH_LOAD_CONNECTIONS", 8))
POINTS_PER_COMMUNE = 20  # 262 communes: about 5,000 published locations
SAMPLE = 500  # distinct request paths per endpoint

# wrk calls request() for each request and done() once: we print the figures as JSON.
WRK_SCRIPT = """
local requests = {%(requests)s}
local method = "%(method)s"
local headers = {["Content-Type"] = "application/json", ["Accept"] = "application/json",
                 ["Authorization"] = "Bearer %(token)s"}
request = function()
  local chosen = requests[math.random(#requests)]
  return wrk.format(method, chosen[1], headers, chosen[2])
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"requests": %%d, "seconds": %%f, "p50_us": %%d, "p99_us": %%d, "max_us": %%d, '
    .. '"errors": {"connect": %%d, "read": %%d, "write": %%d, "status": %%d, "timeout": %%d}}\\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50), latency:percentile(99),
    latency.max, e.connect, e.read, e.write, e.status, e.timeout))
end
"""


@dataclass(frozen=True)
class Workload:
    points: list[tuple[float, float]]  # lon, lat of seeded locations: all inside Wallonia

    def boxes(self, size: float) -> list[str]:
        """Boxes of SIZE degrees (a bit less in latitude) around the points."""
        return [
            f"{lon - size / 2:.4f},{lat - size / 3:.4f},{lon + size / 2:.4f},{lat + size / 3:.4f}"
            for lon, lat in self.points
        ]


@dataclass(frozen=True)
class Endpoint:
    name: str
    paths: Callable[[Workload], list[str]]
    method: str = "GET"
    # JSON bodies for POST endpoints, one per path (the conflict check)
    bodies: Callable[[Workload], list[str]] | None = None

    def requests(self, workload: Workload) -> list[tuple[str, str | None]]:
        paths = self.paths(workload)
        bodies = self.bodies(workload) if self.bodies else [None] * len(paths)
        return list(zip(paths, bodies, strict=True))


def endpoints() -> list[Endpoint]:
    return [
        Endpoint(
            "communes at point",
            lambda work: [f"/api/v1/communes/at?lon={x}&lat={y}" for x, y in work.points],
        ),
        Endpoint(
            "OGC locations, bbox",
            lambda work: [
                f"/ogc/collections/locations/items?f=json&limit=50&bbox={box}"
                for box in work.boxes(0.1)
            ],
        ),
        Endpoint(
            "OGC shoots, bbox + datetime",
            lambda work: [
                f"/ogc/collections/shoots/items?f=json&limit=50&bbox={box}"
                f"&datetime=2030-0{1 + n % 9}-01/2030-0{1 + n % 9}-28"
                for n, box in enumerate(work.boxes(0.3))
            ],
        ),
        Endpoint(
            "location search (text + category + radius)",
            lambda work: [
                f"/api/v1/locations?q=lieu&category=railway_station&near={x},{y}&radius_m=20000"
                for x, y in work.points
            ],
        ),
        Endpoint(
            "conflict check",
            lambda work: ["/api/v1/conflicts/check"] * len(work.points),
            method="POST",
            bodies=lambda work: [conflict_candidate(x, y) for x, y in work.points],
        ),
        Endpoint("public map", lambda work: ["/maps/public"]),
        Endpoint("public list of approved shoots", lambda work: ["/permits/public"]),
        Endpoint("healthz", lambda work: ["/healthz"]),
    ]


def conflict_candidate(lon: float, lat: float) -> str:
    """A 40 m square shoot on a day of 2030 next to a seeded location (whose shoots it meets)."""
    d = 0.0003
    ring = [[lon - d, lat - d], [lon + d, lat - d], [lon + d, lat + d], [lon - d, lat + d]]
    return json.dumps(
        {
            "production_id": 1,
            "footprint": {"type": "Polygon", "coordinates": [[*ring, ring[0]]]},
            "starts_at": "2030-03-02T07:00",
            "ends_at": "2030-03-02T17:00",
        }
    )


SEED_LOCATIONS = text("""
    INSERT INTO locations (name, point, commune_nis, status, has_power, truck_parking_capacity)
    SELECT 'Lieu ' || c.nis || '-' || d.path[1], d.geom, c.nis, 'published',
           d.path[1] % 2 = 0, d.path[1] % 7
    FROM communes c, ST_Dump(ST_GeneratePoints(c.boundary, :per_commune, 42)) AS d
""")
SEED_CATEGORIES = text("""
    INSERT INTO location_category_links (location_id, category_code)
    SELECT id, 'railway_station' FROM locations WHERE id % 3 = 0
""")
SEED_PRODUCTIONS = text("""
    INSERT INTO productions (title, type, company)
    SELECT 'Production ' || g, 'feature', 'Bench Films' FROM generate_series(1, 100) AS g
""")
# One shoot per location: a 50 m footprint, ten hours on a day of 2030.
SEED_SHOOTS = text("""
    INSERT INTO shoots (production_id, location_id, footprint, period)
    SELECT 1 + l.id % 100, l.id, ST_Multi(ST_Buffer(l.point, 50)),
           tstzrange(t, t + interval '10 hours', '[)')
    FROM (SELECT id, point, timestamptz '2030-01-01 07:00+01' + (id % 300) * interval '1 day' AS t
          FROM locations) AS l
""")


# One shoot in ten approved by its commune, so the public pages have something to show.
SEED_APPROVALS = text("""
    WITH approved AS (
        INSERT INTO permit_requests (group_id, production_id, commune_nis, status)
        SELECT gen_random_uuid(), s.production_id, l.commune_nis, 'approved'
        FROM shoots s JOIN locations l ON l.id = s.location_id WHERE s.id % 10 = 0
        RETURNING id, production_id, commune_nis
    )
    INSERT INTO permit_request_shoots (request_id, shoot_id)
    SELECT DISTINCT ON (a.id) a.id, s.id
    FROM approved a JOIN shoots s ON s.production_id = a.production_id AND s.id % 10 = 0
    JOIN locations l ON l.id = s.location_id AND l.commune_nis = a.commune_nis
""")


def seed() -> tuple[str, list[tuple[float, float]], str]:
    """A fresh database with locations, shoots and approvals; its URL, a sample of location
    points and a coordinator's API token."""
    app = bench_app(DATABASE)
    with app.app_context():
        db.session.execute(SEED_LOCATIONS, {"per_commune": POINTS_PER_COMMUNE})
        db.session.execute(SEED_CATEGORIES)
        db.session.execute(SEED_PRODUCTIONS)
        db.session.execute(SEED_SHOOTS)
        db.session.execute(SEED_APPROVALS)
        coordinator = create_user(db.session, "load@bench.invalid", Role.COORDINATOR)
        db.session.execute(
            text("INSERT INTO production_coordinators SELECT id, :user FROM productions"),
            {"user": coordinator.id},
        )
        token = create_token(db.session, coordinator)
        db.session.commit()
        analyze(app)
        points = db.session.execute(
            text(
                "SELECT round(ST_X(p)::numeric, 5), round(ST_Y(p)::numeric, 5) FROM "
                "(SELECT ST_Transform(point, 4326) AS p FROM locations ORDER BY md5(id::text) "
                "LIMIT :sample) AS sample"
            ),
            {"sample": SAMPLE},
        ).all()
        return app.config["DATABASE_URL"], [(float(x), float(y)) for x, y in points], token


def start_gunicorn(database_url: str) -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "SECRET_KEY": "bench-only-secret",
        "TOURNAGES_BIND": f"127.0.0.1:{PORT}",
        "TOURNAGES_WORKERS": str(WORKERS),
    }
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "-c", "deploy/gunicorn.conf.py"],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(300):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{PORT}/healthz", timeout=2).close()
            return server
        except OSError:
            time.sleep(0.1)
    server.terminate()
    raise SystemExit(f"gunicorn did not answer on 127.0.0.1:{PORT}")


def warm_up(endpoint: Endpoint, workload: Workload, token: str, requests: int = 20) -> None:
    """A few untimed requests, so each worker has its connections and caches."""
    for path, body in endpoint.requests(workload)[:requests]:
        request = urllib.request.Request(
            f"http://127.0.0.1:{PORT}{path}",
            method=endpoint.method,
            data=body.encode() if body else None,
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        )
        urllib.request.urlopen(request).close()


def _lua(value: str | None) -> str:
    return json.dumps(value) if value is not None else "nil"  # a JSON string is a Lua string


def run_wrk(endpoint: Endpoint, seconds: float, workload: Workload, token: str) -> dict:
    requests = ", ".join(
        f"{{{_lua(path)}, {_lua(body)}}}" for path, body in endpoint.requests(workload)
    )
    script = WRK_SCRIPT % {"requests": requests, "method": endpoint.method, "token": token}
    with tempfile.NamedTemporaryFile("w", suffix=".lua") as handle:
        handle.write(script)
        handle.flush()
        result = subprocess.run(
            ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{max(1, round(seconds))}s", "--timeout", "10s",
             "-s", handle.name, f"http://127.0.0.1:{PORT}"],
            capture_output=True, text=True, check=True,
        )  # fmt: skip
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> None:
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is missing: `make bench` installs it (scripts/system-packages.txt)")
    database_url, points, token = seed()
    server = start_gunicorn(database_url)
    workload = Workload(points)
    chosen = endpoints()
    rows = []
    try:
        for endpoint in chosen:
            warm_up(endpoint, workload, token)
            figures = run_wrk(endpoint, SECONDS / len(chosen), workload, token)
            errors = sum(figures["errors"].values())
            rows.append([
                endpoint.name,
                str(figures["requests"]),
                f"{figures['requests'] / figures['seconds']:.0f}",
                f"{figures['p50_us'] / 1000:.1f}",
                f"{figures['p99_us'] / 1000:.1f}",
                str(errors),
                "0 errors",
            ])  # fmt: skip
    finally:
        server.terminate()
        server.wait(timeout=30)
    print(
        f"gunicorn {WORKERS} sync workers, wrk {CONNECTIONS} connections, "
        f"{SECONDS:g} s in all, {os.cpu_count()} cores (client and server share them)"
    )
    print_table(["endpoint", "requests", "req/s", "p50 ms", "p99 ms", "errors", "target"], rows)
    if any(row[5] != "0" for row in rows):
        raise SystemExit("errors under load: see the table")
