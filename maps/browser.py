"""Debian's Chromium driven by Playwright, and the app served in a thread: shared by the browser
tests, the maps benchmark and scripts/screenshots.py (development tools, not the app).

Playwright's own browser download does not work here, so we launch /usr/bin/chromium.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from flask import Flask
from werkzeug.serving import make_server

if TYPE_CHECKING:
    from playwright.sync_api import Browser

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
OFFLINE_TILES = "/maps/static/blank-tile.png?{z}/{x}/{y}"  # a plain tile served by the app


@contextmanager
def chromium() -> Iterator[Browser]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def _buffered(app: Flask):
    """The app with each response read (and its file closed) before anything is sent: a browser
    that drops a connection mid-download would otherwise leave werkzeug's development server an
    open file to garbage-collect, a ResourceWarning that the tests turn into a failure."""

    def wsgi(environ, start_response):
        iterable = app(environ, start_response)
        try:
            return [b"".join(iterable)]
        finally:
            if hasattr(iterable, "close"):
                iterable.close()

    return wsgi


@contextmanager
def live_server(app: Flask, *, absolute_links: bool = False) -> Iterator[str]:
    """Serve APP on 127.0.0.1 at a free port in a thread; yields its base URL.

    ABSOLUTE_LINKS points SERVER_NAME at this server while it runs, for pages whose links are
    absolute (OGC API next pages, service-desc).
    """
    server = make_server("127.0.0.1", 0, _buffered(app), threaded=True)
    base_url = f"http://127.0.0.1:{server.server_port}"
    server_name = app.config.get("SERVER_NAME")
    if absolute_links:
        app.config["SERVER_NAME"] = base_url.removeprefix("http://")
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield base_url
    finally:
        server.shutdown()
        thread.join()
        server.server_close()
        app.config["SERVER_NAME"] = server_name


def sign_in(page, base_url: str, email: str, password: str) -> None:
    """Sign in through the log-in form, as a person would."""
    page.goto(f"{base_url}/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password)
    with page.expect_navigation():
        page.click("main form button[type=submit]")


def wait_until_drawn(page, timeout_ms: float = 30_000) -> None:
    """Wait until every data layer of the map is drawn (tournages-maps.js sets the flag)."""
    # A function, not an expression: Playwright polls an expression with eval(), which the
    # Content-Security-Policy (no 'unsafe-eval') forbids.
    page.wait_for_function(
        "() => Boolean(window.TournagesMaps && window.TournagesMaps.isReady())",
        timeout=timeout_ms,
    )
