"""The pages live with the Content-Security-Policy in a real browser (Debian's Chromium)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page

from core.db import db


@pytest.fixture
def violations() -> list[str]:
    """The Content-Security-Policy violations the browser reported on `page`."""
    return []


@pytest.fixture
def page(browser: Browser, violations: list[str]) -> Iterator[Page]:
    page = browser.new_page()

    def note(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text:
            violations.append(message.text)

    page.on("console", note)
    yield page
    page.close()


def test_ogc_items_page_draws_its_features_under_the_policy(
    live_server, create_location, page, violations
):
    for number in range(3):
        create_location(4.86 + number / 100, 50.46, name=f"Lieu {number}")
    db.session.commit()
    page.goto(f"{live_server}/ogc/collections/locations/items?f=html")
    page.wait_for_selector("path.leaflet-interactive")
    assert page.locator("path.leaflet-interactive").count() == 3
    assert page.locator("tbody tr").count() == 3
    assert violations == []


def test_api_docs_viewer_renders_under_the_policy(live_server, page, violations):
    page.goto(f"{live_server}/api/v1/docs")
    page.wait_for_selector(".opblock-summary-path")
    paths = page.locator(".opblock-summary-path").all_inner_texts()
    assert "/api/v1/communes/at" in paths
    assert violations == []


def test_an_injected_inline_script_is_blocked(live_server, page, violations):
    """The policy works: an inline script without the nonce does not run."""
    page.goto(f"{live_server}/ogc?f=html")
    page.evaluate(
        "() => { const s = document.createElement('script');"
        " s.textContent = 'window.injected = true'; document.body.appendChild(s); }"
    )
    assert page.evaluate("() => window.injected === true") is False
    assert any("script-src" in violation for violation in violations)
