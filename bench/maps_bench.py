"""Explore map with 50,000 published locations: page and payload sizes, and the time until the
markers are drawn in headless Chromium (Debian's, through Playwright).

Targets: page under 2 MB, markers drawn under 3 s (from navigation start; each run navigates
anew and fetches the payload again).
"""

from __future__ import annotations

import gzip
import os
from statistics import median

from sqlalchemy import text
from sqlalchemy.orm import Session

from bench.common import bench_app, print_table, time_calls
from core.auth.operations import create_user
from core.db import db
from maps.browser import OFFLINE_TILES, chromium, live_server, sign_in, wait_until_drawn

LOCATIONS = int(os.environ.get("BENCH_MAPS_LOCATIONS", 50_000))
RUNS = 5
PASSWORD = "bench maps password"

# Points spread over every commune in proportion to its area, generated in PostGIS.
_SEED = text("""
    WITH shares AS (
        SELECT nis, name_fr, boundary,
               ST_Area(boundary) / sum(ST_Area(boundary)) OVER () AS share
        FROM communes WHERE retired_at IS NULL
    ), points AS (
        SELECT nis, name_fr, (d).path[1] AS n, (d).geom AS geom
        FROM shares, ST_Dump(ST_GeneratePoints(boundary, ceil(:total * share)::int, 42)) AS d
    )
    INSERT INTO locations (name, point, commune_nis, status, is_demo)
    SELECT name_fr || ', lieu ' || n, geom, nis, 'published', true
    FROM points ORDER BY nis, n LIMIT :total
""")


def seed_locations(session: Session, total: int) -> None:
    """TOTAL published demo locations spread over Wallonia (also used by scripts/screenshots.py)."""
    session.execute(_SEED, {"total": total})


def _seed(app) -> None:
    with app.app_context():
        seed_locations(db.session, LOCATIONS)
        create_user(db.session, "scout@bench.test", "scout", password=PASSWORD)
        db.session.commit()


def _markers_shown(page) -> int:
    """Locations represented on screen: cluster counts plus single markers."""
    return page.evaluate("""() => {
        let total = 0;
        document.querySelectorAll('.leaflet-marker-icon').forEach(icon => {
            const count = icon.querySelector('.marker-cluster span, div > span');
            total += icon.classList.contains('marker-cluster') ? Number(count.textContent) : 1;
        });
        return total;
    }""")


def main() -> None:
    app = bench_app("bench_maps")
    app.config.update(TOURNAGES_TILES_OSM=OFFLINE_TILES, TOURNAGES_TILES_ORTHO=OFFLINE_TILES)
    _seed(app)
    with live_server(app) as url, chromium() as browser:
        context = browser.new_context(viewport={"width": 1280, "height": 800})
        page = context.new_page()
        sign_in(page, url, "scout@bench.test", PASSWORD)
        page_bytes = len(page.request.get(f"{url}/maps/locations").body())
        points_url = f"{url}/maps/locations/points.json"
        payload = page.request.get(points_url).body()
        payload_ms = time_calls(lambda: page.request.get(points_url).dispose(), 5, 1)
        drawn_ms = []
        for _ in range(RUNS):
            page.goto("about:blank")
            page.goto(f"{url}/maps/locations")
            wait_until_drawn(page, timeout_ms=60_000)
            drawn_ms.append(page.evaluate("TournagesMaps.readyAt()"))
        shown = _markers_shown(page)
        context.close()
    print(f"{LOCATIONS} published locations; {shown} shown by the clusters after loading.")
    print_table(
        ["measure", "value", "target"],
        [
            ["explore page HTML", f"{page_bytes / 1024:.1f} KiB", "< 2 MB"],
            ["points payload (JSON, separate request)", f"{len(payload) / 1024:.0f} KiB", ""],
            [
                "points payload on the wire (gzip, level 1)",
                f"{len(gzip.compress(payload, 1)) / 1024:.0f} KiB",
                "",
            ],
            ["payload served (query + HTTP), p50", f"{median(payload_ms):.0f} ms", ""],
            ["markers drawn, p50 (from navigation start)", f"{median(drawn_ms):.0f} ms", "< 3 s"],
            ["markers drawn, worst of 5", f"{max(drawn_ms):.0f} ms", "< 3 s"],
        ],
    )
