"""Permits: splitting shoots by commune, the officer's inbox, the site plan and the PDF.

Seeds 2 000 shoots around the Namur / Profondeville border in 200 productions' requests.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from geoalchemy2.shape import from_shape
from shapely.geometry import MultiPolygon, Point
from sqlalchemy.dialects.postgresql import Range

from bench.common import LATENCY_HEADER, bench_app, latency_row, print_table, time_calls
from core.auth.models import Role
from core.auth.operations import create_user
from core.db import SRID, db
from core.geo import to_lambert
from permits.document import render_pdf
from permits.findings import attention
from permits.models import PermitStatus
from permits.operations import RequestFilter, create_requests, find_requests
from permits.siteplan import site_plans
from shoots.models import Production, ProductionType, Shoot

SHOOTS = 2000
PER_REQUEST = 10
AWAITING = 20  # Namur requests submitted, out of some hundred


def _seed(rng: random.Random):
    session = db.session
    coordinator = create_user(session, "bench-coord@example.be", Role.COORDINATOR, password=None)
    officer = create_user(
        session, "bench-officer@example.be", Role.OFFICER, password=None, commune_nis="92094"
    )
    start = datetime(2027, 5, 3, 7, tzinfo=UTC)
    productions = []
    for number in range(SHOOTS // PER_REQUEST):
        production = Production(
            title=f"Bench {number}",
            type=ProductionType.SERIES,
            company="Bench",
            coordinators=[coordinator],
        )
        shoots = []
        for _ in range(PER_REQUEST):
            lon, lat = rng.uniform(4.80, 4.93), rng.uniform(50.36, 50.47)
            circle = to_lambert(Point(lon, lat)).buffer(rng.uniform(15, 80))
            begin = start + timedelta(days=rng.randrange(0, 300), hours=rng.randrange(0, 12))
            shoots.append(
                Shoot(
                    production=production,
                    footprint=from_shape(MultiPolygon([circle]), srid=SRID),
                    period=Range(begin, begin + timedelta(hours=8), bounds="[)"),
                    crew_size=rng.randrange(5, 80),
                )
            )
        session.add_all([production, *shoots])
        productions.append((production, shoots))
    session.flush()
    return coordinator, officer, productions


def main() -> None:
    app = bench_app("bench_permits")
    rng = random.Random(5)
    with app.test_request_context():
        coordinator, officer, productions = _seed(rng)
        db.session.commit()

        def split_once() -> None:
            production, shoots = rng.choice(productions)
            savepoint = db.session.begin_nested()
            create_requests(db.session, production, [s.id for s in shoots], coordinator)
            savepoint.rollback()

        rows = [
            latency_row(
                f"create requests ({PER_REQUEST} shoots, split by commune)",
                time_calls(split_once, repeat=100),
                "< 250 ms p95",
            )
        ]
        permits = []
        for production, shoots in productions:
            permits += create_requests(db.session, production, [s.id for s in shoots], coordinator)
        db.session.commit()
        inbox = RequestFilter()
        summer = RequestFilter(start=datetime(2027, 7, 1).date(), end=datetime(2027, 7, 31).date())
        rows.append(
            latency_row(
                f"officer inbox, all ({len(permits)} requests in the database)",
                time_calls(lambda: find_requests(db.session, officer, inbox), repeat=50),
                "< 150 ms p95",
            )
        )
        rows.append(
            latency_row(
                "officer inbox, one month",
                time_calls(lambda: find_requests(db.session, officer, summer), repeat=50),
                "< 150 ms p95",
            )
        )
        # The inbox marks the requests awaiting decision: one engine check per shoot of each.
        namur = [p for p in permits if p.commune_nis == officer.commune_nis]
        awaiting = namur[:AWAITING]
        for permit in awaiting:
            permit.status = PermitStatus.SUBMITTED
        db.session.commit()
        shoots_awaiting = sum(len(p.parts) for p in awaiting)
        rows.append(
            latency_row(
                f"inbox marks ({len(awaiting)} awaiting decision, {shoots_awaiting} shoots)",
                time_calls(lambda: attention(db.session, namur), repeat=10, warmup=1),
                "< 1 s p95",
            )
        )
        sample = max(permits, key=lambda p: len(p.parts))
        rows.append(
            latency_row(
                f"site plans of one request ({len(sample.parts)} shoots)",
                time_calls(
                    lambda: site_plans(db.session, sample.id, sample.commune_nis), repeat=30
                ),
                "< 200 ms p95",
            )
        )
        rows.append(
            latency_row(
                "PDF of one request (WeasyPrint)",
                time_calls(lambda: render_pdf(db.session, sample, officer), repeat=5, warmup=1),
                "< 3 s p95",
            )
        )
    print_table(LATENCY_HEADER, rows)
