"""Fixtures: one real PostGIS database for the session, each test in a rolled-back transaction.

Tests that need committed data and several connections (races) use `committed_app` instead;
it empties the tables they wrote to afterwards.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from geoalchemy2.shape import from_shape
from pyproj import Transformer
from shapely.geometry import MultiPolygon, Point
from sqlalchemy import Connection, Engine, text
from sqlalchemy.dialects.postgresql import Range

from core import create_app, embedded_db, embedded_redis
from core.auth.models import Role, User
from core.auth.operations import create_token, create_user
from core.cli import upgrade_database
from core.communes.operations import commune_at, load_communes
from core.config import BRUSSELS
from core.db import SRID, db, dispose_engines, engine_for, migration_database_url
from core.extensions import limiter
from locations.models import Location, LocationStatus
from permits.models import PermitRequest, PermitShoot, PermitStatus
from shoots.models import Production, ProductionType, Shoot

PROJECT_ROOT = Path(__file__).resolve().parent.parent
COMMUNES_FILE = PROJECT_ROOT / "data" / "communes" / "wallonia_communes.geojson"
TEST_DATABASE = "tournages_test"
# Seeded by migrations, not by tests: committed_app keeps them.
REFERENCE_TABLES = {
    "communes",
    # The defaults of migrations 0014 and 0015 stay; communes' own rows go.
    "permit_activity_rules",
    "permit_standard_conditions",
    "alembic_version",
    "spatial_ref_sys",
    "location_categories",
    "province_names",
}
PASSWORD = "correct horse battery"
to_lambert = Transformer.from_crs(4326, SRID, always_xy=True).transform


def _fresh_test_database() -> embedded_db.DatabaseUrls:
    """TEST_DATABASE_URL (the app's role) and TEST_MIGRATION_DATABASE_URL (the owner's) if
    given (a disposable database), else a fresh one in the embedded cluster."""
    if url := os.environ.get("TEST_DATABASE_URL"):
        return embedded_db.DatabaseUrls(
            app=url, owner=os.environ.get("TEST_MIGRATION_DATABASE_URL") or url
        )
    if os.environ.get("DATABASE_URL"):
        pytest.exit("DATABASE_URL is set: also set TEST_DATABASE_URL to a disposable database.")
    return embedded_db.fresh_database(TEST_DATABASE)


@pytest.fixture(scope="session")
def _app() -> Iterator[Flask]:
    urls = _fresh_test_database()
    app = create_app(
        {
            "TESTING": True,
            # Migrations as the owner, everything else (the tests too) as the app's role.
            "DATABASE_URL": urls.app,
            "MIGRATION_DATABASE_URL": urls.owner,
            "SECRET_KEY": "test-secret",
            "WTF_CSRF_ENABLED": False,
            "SERVER_NAME": "localhost",
            # No basemap from the internet: the site plan tests serve their own tiles.
            "TOURNAGES_PLAN_TILES": "",
        }
    )
    with app.app_context():
        upgrade_database()
        load_communes(db.session, COMMUNES_FILE)
        db.session.commit()
    yield app
    dispose_engines(urls.app)
    dispose_engines(urls.owner)


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium through Playwright, one for the whole run: Playwright's sync API
    allows one running instance at a time."""
    from maps.browser import chromium  # Playwright loads only for the tests that drive it

    with chromium() as browser:
        yield browser


@pytest.fixture(scope="session")
def redis_url() -> str:
    """The private Redis (core.embedded_redis), started if needed and emptied: the rate-limit
    store that the tests' app nodes share."""
    instance = embedded_redis.ensure_running()
    instance.client().flushall()
    return instance.url


@pytest.fixture
def owner_engine(_app: Flask) -> Engine:
    """The schema owner's engine, for what the app's role may not do (cleaning up, setting
    up a test the app could not)."""
    return engine_for(migration_database_url(_app))


@pytest.fixture(autouse=True)
def _fresh_rate_limits(_app: Flask) -> None:
    """Every test comes from 127.0.0.1: start each with no log-in attempt counted."""
    limiter.reset()


@pytest.fixture
def _connection(_app: Flask) -> Iterator[Connection]:
    """Bind every session of the test to one connection whose transaction is rolled back."""
    engine = engine_for(_app.config["DATABASE_URL"])
    with engine.connect() as connection:
        transaction = connection.begin()
        db.factory.configure(bind=connection, join_transaction_mode="create_savepoint")
        try:
            yield connection
        finally:
            db.factory.configure(bind=None)
            transaction.rollback()


@pytest.fixture
def app(_app: Flask, _connection: Connection) -> Iterator[Flask]:
    with _app.app_context():
        yield _app


class RequestPerContextClient(FlaskClient):
    """Runs each request in its own application context, as in production.

    Without this the test's context would be reused: one `g`, one Session and one cached locale
    for every request. The test's pending changes are flushed first (the request's session shares
    the test's connection) and its objects expired after, so they show what the request did.
    """

    def open(self, *args, **kwargs):
        db.session.flush()
        try:
            with self.application.app_context():
                return super().open(*args, **kwargs)
        finally:
            db.session.expire_all()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    app.test_client_class = RequestPerContextClient
    return app.test_client()


@pytest.fixture
def runner(app: Flask):
    return app.test_cli_runner()


@pytest.fixture
def committed_app(_app: Flask, owner_engine: Engine) -> Iterator[Flask]:
    """The app on the real database: data is committed and visible to other connections."""
    try:
        with _app.app_context():
            yield _app
    finally:
        empty_tables(owner_engine)


def empty_tables(owner_engine: Engine) -> None:
    """Every table but the reference data emptied, as the owner (the app's role may not)."""
    with owner_engine.begin() as conn:
        tables = conn.scalars(
            text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        ).all()
        emptied = [t for t in tables if t not in REFERENCE_TABLES]
        if emptied:
            conn.execute(text(f"TRUNCATE {', '.join(emptied)} RESTART IDENTITY CASCADE"))
        for table in ("permit_activity_rules", "permit_standard_conditions"):
            conn.execute(text(f"DELETE FROM {table} WHERE commune_nis IS NOT NULL"))


@pytest.fixture
def make_user(app: Flask) -> Callable[..., User]:
    """Factory: make_user(role="scout", email=None, commune="92094", password=PASSWORD)."""
    counter = iter(range(1, 10_000))

    def make(role: str = "scout", **overrides) -> User:
        role = Role(role)
        email = overrides.pop("email", None) or f"{role.value}{next(counter)}@example.be"
        commune = overrides.pop("commune", "92094" if role is Role.OFFICER else None)
        return create_user(
            db.session,
            email,
            role,
            password=overrides.pop("password", PASSWORD),
            commune_nis=commune,
            **overrides,
        )

    return make


@pytest.fixture
def token_for(app: Flask) -> Callable[[User], dict[str, str]]:
    """Factory: the Authorization header of a new API token for a user."""

    def headers(user: User) -> dict[str, str]:
        return {"Authorization": f"Bearer {create_token(db.session, user)}"}

    return headers


@pytest.fixture
def login(client: FlaskClient) -> Callable[[User], None]:
    def sign_in(user: User) -> None:
        response = client.post("/login", data={"email": user.email, "password": PASSWORD})
        assert response.status_code == 302, response.data

    return sign_in


@pytest.fixture
def create_location(app: Flask, make_user) -> Callable[..., Location]:
    """Factory: create_location(lon=4.8617, lat=50.4596, **column_overrides), published.

    The commune is derived from the point, as the domain operations do.
    """

    def create(lon: float = 4.8617, lat: float = 50.4596, **overrides) -> Location:
        found = commune_at(db.session, lon, lat)
        assert found is not None, f"({lon}, {lat}) is outside Wallonia"
        values = {
            "name": "Citadelle de Namur",
            "status": LocationStatus.PUBLISHED,
            "point": from_shape(Point(*to_lambert(lon, lat)), srid=SRID),
            "commune_nis": found[0].nis,
        }
        location = Location(**{**values, **overrides})
        db.session.add(location)
        db.session.flush()
        return location

    return create


@pytest.fixture
def create_production(app: Flask, make_user) -> Callable[..., Production]:
    """Factory: create_production(coordinators=[...], **column_overrides)."""
    counter = iter(range(1, 10_000))

    def create(**overrides) -> Production:
        number = next(counter)
        values = {
            "title": f"Production {number}",
            "type": ProductionType.FEATURE,
            "company": "Les Films du Fleuve",
            "file_reference": f"WFC-TEST-{number:04d}",
            "coordinators": [],
        }
        production = Production(**{**values, **overrides})
        db.session.add(production)
        db.session.flush()
        return production

    return create


@pytest.fixture
def create_shoot(app: Flask, create_production) -> Callable[..., Shoot]:
    """Factory: create_shoot(lon, lat, radius_m=30, start=..., hours=10, **column_overrides).

    The footprint is a RADIUS_M circle around (lon, lat); times are Europe/Brussels.
    """

    def create(
        lon: float = 4.8617,
        lat: float = 50.4596,
        radius_m: float = 30,
        start: datetime | None = None,
        hours: float = 10,
        **overrides,
    ) -> Shoot:
        start = start or datetime(2027, 6, 14, 7, 0, tzinfo=BRUSSELS)
        circle = Point(*to_lambert(lon, lat)).buffer(radius_m)
        values = {
            "production": overrides.pop("production", None) or create_production(),
            "footprint": from_shape(MultiPolygon([circle]), srid=SRID),
            # Real hours: aware datetime arithmetic in Python is wall-clock arithmetic.
            "period": Range(start, (start.astimezone(UTC) + timedelta(hours=hours)), bounds="[)"),
        }
        shoot = Shoot(**{**values, **overrides})
        db.session.add(shoot)
        db.session.flush()
        return shoot

    return create


def approve(shoot: Shoot, *statuses: PermitStatus) -> None:
    """Cover SHOOT by sibling permit requests (one selection), one per status, communes in
    turn: the public views (page, map, OGC) show a shoot only once every request is approved."""
    group = uuid.uuid4()
    for commune, status in zip(("92094", "92101", "63023"), statuses, strict=False):
        request = PermitRequest(
            production=shoot.production, commune_nis=commune, status=status, group_id=group
        )
        db.session.add(PermitShoot(request=request, shoot=shoot))
    db.session.flush()


@pytest.fixture
def csrf_client(_app: Flask, _connection: Connection) -> Iterator[FlaskClient]:
    """A client of an app with CSRF protection on, as in production."""
    app = create_app({**_app.config, "WTF_CSRF_ENABLED": True})
    app.test_client_class = RequestPerContextClient
    with app.app_context():
        yield app.test_client()
