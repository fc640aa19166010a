"""Browser fixtures: the app served from committed data, and Chromium pages that record console
errors and every request, refusing any request that leaves the app."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import pytest
from flask import Flask
from geoalchemy2.shape import from_shape
from shapely.geometry import MultiPolygon, Point
from sqlalchemy.dialects.postgresql import Range

from core.auth.operations import create_user
from core.communes.operations import commune_at
from core.db import SRID, db
from locations.models import Location, LocationStatus
from maps.browser import OFFLINE_TILES, live_server
from permits.models import PermitRequest, PermitShoot, PermitStatus
from shoots.models import Production, ProductionType, Shoot
from tests.conftest import PASSWORD, to_lambert

# A name that would run code if it reached the page as HTML or inside a template string.
HOSTILE = (
    "</script><script>window.pwned='script'</script><img src=x onerror=\"window.pwned='img'\">"
    "`${window.pwned='template'}`"
)


@dataclass
class PageLog:
    console_errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    outside: list[str] = field(default_factory=list)


@pytest.fixture
def tiles_config() -> dict[str, str]:
    """Tile URL templates used by the live server (tests may change them before it starts)."""
    return {"TOURNAGES_TILES_OSM": OFFLINE_TILES, "TOURNAGES_TILES_ORTHO": OFFLINE_TILES}


@pytest.fixture
def server(committed_app: Flask, tiles_config) -> Iterator[str]:
    saved = {key: committed_app.config[key] for key in tiles_config}
    committed_app.config.update(tiles_config)
    try:
        with live_server(committed_app) as url:
            yield url
    finally:
        committed_app.config.update(saved)


@pytest.fixture
def page(browser, server):
    """A fresh Chromium page (French) and its log; requests to other hosts are aborted."""
    context = browser.new_context(locale="fr-BE", viewport={"width": 1200, "height": 800})
    page = context.new_page()
    log = PageLog()
    app_host = urlsplit(server).netloc

    def only_the_app(route) -> None:
        url = route.request.url
        log.requests.append(url)
        if urlsplit(url).netloc == app_host:
            route.continue_()
        else:
            log.outside.append(url)
            route.abort()

    context.route("**/*", only_the_app)
    page.on("console", lambda message: message.type == "error" and log.console_errors.append(
        f"{message.text} ({message.location.get('url')})"))  # fmt: skip
    page.on("pageerror", lambda error: log.console_errors.append(str(error)))
    page.log = log
    yield page
    context.close()


# ---- committed data --------------------------------------------------------------------------


def _area(lon: float, lat: float, radius_m: float):
    return from_shape(MultiPolygon([Point(*to_lambert(lon, lat)).buffer(radius_m)]), srid=SRID)


def add_location(lon: float, lat: float, name: str, **columns) -> Location:
    commune, _distance = commune_at(db.session, lon, lat)
    location = Location(
        name=name,
        point=from_shape(Point(*to_lambert(lon, lat)), srid=SRID),
        commune_nis=commune.nis,
        status=columns.pop("status", LocationStatus.PUBLISHED),
        **columns,
    )
    db.session.add(location)
    return location


def add_shoot(production: Production, lon: float, lat: float, days_ahead: int) -> Shoot:
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(days=days_ahead)
    shoot = Shoot(
        production=production,
        footprint=_area(lon, lat, 40),
        parking=_area(lon + 0.001, lat, 20),
        period=Range(start, start + timedelta(hours=10), bounds="[)"),
        crew_size=30,
        road_closure=True,
    )
    db.session.add(shoot)
    return shoot


@dataclass
class World:
    coordinator: str
    officer: str
    scout: str
    admin: str
    production_id: int
    shoot_count: int


@pytest.fixture
def world(committed_app: Flask) -> World:
    """Committed data: locations (one with a hostile name) and a production shooting twice in
    Namur (title hostile too), approved by the commune, plus one account per role."""
    emails = {role: f"{role}@browser.test" for role in ("coordinator", "officer", "scout", "admin")}
    users = {
        role: create_user(db.session, email, role, password=PASSWORD,
                          commune_nis="92094" if role == "officer" else None)
        for role, email in emails.items()
    }  # fmt: skip
    add_location(4.8617, 50.4596, HOSTILE)  # Namur
    # Far apart (100 km), so that each stays a marker of its own at the scale of Wallonia.
    add_location(3.3878, 50.6056, "Cathédrale de Tournai")
    add_location(5.8167, 49.6833, "Place Léopold, Arlon")
    production = Production(title=HOSTILE, type=ProductionType.SERIES, company="Les Films",
                            coordinators=[users["coordinator"]])  # fmt: skip
    shoots = [
        add_shoot(production, 4.8630, 50.4630, 10),
        add_shoot(production, 4.8700, 50.4650, 11),
    ]
    approval = PermitRequest(production=production, commune_nis="92094",
                             status=PermitStatus.APPROVED)  # fmt: skip
    db.session.add_all(PermitShoot(request=approval, shoot=shoot) for shoot in shoots)
    db.session.commit()
    return World(**emails, production_id=production.id, shoot_count=len(shoots))
