"""Tests on committed data, read by other connections: real clients (GDAL, schemathesis) of
a real HTTP server, backups, several app instances.

Here `app` is the committed app, so the factories of tests/conftest.py (create_location, …)
write through real connections; commit with db.session.commit(). The tables are emptied after.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask

from maps import browser


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
