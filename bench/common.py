"""Shared pieces of the benchmarks: a disposable database, timing statistics, result tables."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from flask import Flask
from sqlalchemy import text

from core import create_app, embedded_db
from core.cli import upgrade_database
from core.communes.operations import load_communes
from core.db import db, engine_for, migration_database_url

COMMUNES_FILE = (
    Path(__file__).resolve().parent.parent / "data" / "communes" / "wallonia_communes.geojson"
)


def fresh_database(name: str) -> embedded_db.DatabaseUrls:
    """A new database NAME in the embedded cluster, or BENCH_DATABASE_URL (the app's role)
    and BENCH_MIGRATION_DATABASE_URL (the owner's) if set."""
    import os

    if url := os.environ.get("BENCH_DATABASE_URL"):
        owner = os.environ.get("BENCH_MIGRATION_DATABASE_URL") or url
        return embedded_db.DatabaseUrls(app=url, owner=owner)
    return embedded_db.fresh_database(name)


def bench_app(database: str) -> Flask:
    """An app on a fresh, migrated database with the communes loaded."""
    urls = fresh_database(database)
    settings = {"DATABASE_URL": urls.app, "MIGRATION_DATABASE_URL": urls.owner}
    app = create_app({**settings, "SECRET_KEY": "bench"})
    with app.app_context():
        upgrade_database()
        load_communes(db.session, COMMUNES_FILE)
        db.session.commit()
    return app


def analyze(app: Flask, tables: str = "") -> None:
    """ANALYZE as the schema owner: PostgreSQL skips the tables of the app's role, which owns
    none (core.privileges)."""
    with engine_for(migration_database_url(app)).begin() as connection:
        connection.execute(text(f"ANALYZE {tables}"))


def percentile(samples: Sequence[float], pct: float) -> float:
    ordered = sorted(samples)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * (len(ordered) - 1))))
    return ordered[index]


def time_calls(call: Callable[[], object], repeat: int, warmup: int = 5) -> list[float]:
    """Milliseconds per call, after WARMUP untimed calls."""
    for _ in range(warmup):
        call()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        call()
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def latency_row(name: str, samples_ms: Sequence[float], target: str = "") -> list[str]:
    return [
        name,
        f"{percentile(samples_ms, 50):.2f}",
        f"{percentile(samples_ms, 95):.2f}",
        f"{statistics.fmean(samples_ms):.2f}",
        str(len(samples_ms)),
        target,
    ]


LATENCY_HEADER = ["measure", "p50 ms", "p95 ms", "mean ms", "n", "target"]


def print_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    """A Markdown table, ready to paste into the README."""
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]

    def line(cells: Sequence[str]) -> str:
        padded = (str(c).ljust(w) for c, w in zip(cells, widths, strict=True))
        return "| " + " | ".join(padded) + " |"

    print(line(header))
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for row in rows:
        print(line(row))


@contextmanager
def stopwatch() -> Iterator[Callable[[], float]]:
    """with stopwatch() as elapsed: ...; elapsed() -> seconds so far."""
    start = time.perf_counter()
    yield lambda: time.perf_counter() - start
