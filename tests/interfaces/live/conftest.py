"""Tests on committed data, read by other connections: real clients (GDAL, schemathesis) of
a real HTTP server, backups, several app instances.

Here `app` is the committed app, so the factories of tests/conftest.py (create_location, …)
write through real connections; commit with db.session.commit(). The tables are emptied after.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
from flask import Flask
from sqlalchemy.dialects.postgresql import Range

from core.db import db
from maps import browser
from permits.models import PermitStatus
from shoots.models import Blackout, BlackoutKind
from tests.conftest import BRUSSELS, approve


@pytest.fixture
def app(committed_app: Flask) -> Flask:
    return committed_app


@pytest.fixture
def live_server(committed_app: Flask) -> Iterator[str]:
    """The app served over HTTP on 127.0.0.1 (a free port) in a thread; yields its base URL.

    Data must be committed (committed_app) for the server's connections to see it. Absolute
    links (next pages, service-desc) point at this server, not 'localhost'.
    """
    with browser.live_server(committed_app, absolute_links=True) as base_url:
        yield base_url


@pytest.fixture
def published(committed_app, create_location, create_shoot):
    """Something in every OGC collection: 13 published locations (12 around Namur, more than
    one page of GDAL's requests, and one in Arlon with a private e-mail), an approved shoot
    and a commune-wide blackout in Namur."""
    for number in range(12):
        create_location(4.85 + number / 500, 50.46, name=f"Namur {number}")
    create_location(5.8167, 49.6833, name="Place Léopold", contact_email="secret@example.be")
    start = datetime.now(BRUSSELS).replace(microsecond=0) + timedelta(days=1)
    approve(create_shoot(4.8617, 50.4596, start=start, hours=10), PermitStatus.APPROVED)
    db.session.add(
        Blackout(
            commune_nis="92094",
            kind=BlackoutKind.MARKET,
            title="Marché",
            period=Range(start, start + timedelta(days=30), bounds="[)"),
        )
    )
    db.session.commit()
