"""Tests on committed data, read by other connections: real clients (GDAL, schemathesis) of
a real HTTP server, backups, several app instances.

Here `app` is the committed app, so the factories of tests/conftest.py (create_location, …)
write through real connections; commit with db.session.commit(). The tables are emptied after.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from flask import Flask
from werkzeug.serving import make_server


@pytest.fixture
def app(committed_app: Flask) -> Flask:
    return committed_app


@pytest.fixture
def live_server(committed_app: Flask) -> Iterator[str]:
    """The app served over HTTP on 127.0.0.1 (a free port) in a thread; yields its base URL.

    Data must be committed (committed_app) for the server's connections to see it.
    """
    server = make_server("127.0.0.1", 0, committed_app, threaded=True)
    base_url = f"http://127.0.0.1:{server.server_port}"
    # Absolute links (next pages, service-desc) must point at this server, not 'localhost'.
    server_name = committed_app.config["SERVER_NAME"]
    committed_app.config["SERVER_NAME"] = f"127.0.0.1:{server.server_port}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield base_url
    finally:
        server.shutdown()
        thread.join()
        server.server_close()
        committed_app.config["SERVER_NAME"] = server_name
