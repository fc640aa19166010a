"""WCAG 2.1 AA, checked by axe-core in Debian's Chromium on every page each role can reach.

Each demo account (and an anonymous visitor) starts at the home page and follows the links it
is shown, as a person clicking around would, until it has seen one page of every route it can
reach (a location's page once, not every location's). axe-core runs on each page at 1280 px
and again at 390 px, in the account's language; any violation of a WCAG 2.0/2.1 A or AA rule
fails the test, named with its page, width and elements, and so does a page wider than the
390 px window (what sticks out is named; tables scroll in a region of their own), and so does
a date in another style than the page's language's (core.dates: `12/01/2027 07:00` in French
and English, `12.01.2027 07:00` in German; never ISO text, a two-digit year or AM/PM), and so
does a menu that wraps to a second row at 1280 px.
docs/accessibility.md is the statement these results support.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from flask import Flask
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.exceptions import HTTPException

from core.auth.operations import find_user
from core.db import db, engine_for, migration_database_url
from core.demo import load_all
from core.demo_accounts import DEMO_PASSWORD
from maps.browser import OFFLINE_TILES, live_server, sign_in
from permits.demo_data import DEMO_PRODUCTION as DEMO
from permits.operations import attach_insurance, create_requests
from permits.workflow import apply_transition
from shoots.models import Production
from shoots.operations.series import copy_shoot
from shoots.operations.shoots import update_shoot
from shoots.schemas import RepeatIn, ShootPatch
from tests.conftest import empty_tables
from tests.permits.conftest import pdf_bytes

AXE = Path(__file__).resolve().parents[2] / "vendor" / "axe-core" / "axe.min.js"
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
WIDTHS = ((1280, 900), (390, 844))
ACCOUNTS = [  # (account, its language); None: an anonymous visitor
    (None, "fr"),
    ("scout@demo.tournages.be", "fr"),
    ("coordinator@demo.tournages.be", "fr"),
    ("officer.namur@demo.tournages.be", "fr"),
    ("officer.eupen@demo.tournages.be", "de"),
    ("admin@demo.tournages.be", "en"),
]
MAX_PAGES = 80  # per account: far more routes than any role has, a bound on a runaway crawl
# Not pages: downloads, feeds, machine formats, and the link that ends the session.
NOT_PAGES = (".ics", ".pdf", ".csv", ".json", ".geojson", ".png", ".jpg", ".webp", ".zip")
NOT_ROUTES = ("/static/", "/logout", "/healthz", "/lang/")
# Pages for integrators that no navigation links to: the crawl starts from them too.
START = ("/", "/ogc?f=html", "/api/v1/docs")
PAGES_OF_THE_API = ("/api/v1/docs",)  # the rest of /api/ is JSON and files
# Dates as people read them, by language (core.dates), and the styles no page may show. The
# pages for integrators (API docs, OGC) show RFC 3339 on purpose and are not read for dates.
LOCAL_DATE = {
    "fr": re.compile(r"\b\d{2}/\d{2}/\d{4} \d{2}:\d{2}\b"),
    "en": re.compile(r"\b\d{2}/\d{2}/\d{4} \d{2}:\d{2}\b"),
    "de": re.compile(r"\b\d{2}\.\d{2}\.\d{4} \d{2}:\d{2}\b"),
}
FOREIGN_DATES = {
    "any": re.compile(
        r"\b\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}|\b\d{1,2}/\d{1,2}/\d{2}\b(?!/)"
        r"|\b\d{1,2}:\d{2} ?[AP]M\b"
    ),
    "fr": re.compile(r"\b\d{1,2}\.\d{1,2}\.\d{4}\b"),
    "en": re.compile(r"\b\d{1,2}\.\d{1,2}\.\d{4}\b"),
    "de": re.compile(r"\b\d{1,2}/\d{1,2}/\d{4}\b"),
}


def decided_and_amended(session: Session) -> None:
    """What the demo leaves for its users to do, done, so its pages exist: the first
    production's shoots requested (insured and submitted), the first approved, then changed
    (an amendment and a version) and copied to another day (a series)."""
    coordinator = find_user(session, "coordinator@demo.tournages.be")
    officer = find_user(session, "officer.namur@demo.tournages.be")
    production = session.scalar(select(Production).where(Production.file_reference == DEMO))
    shoots = sorted(production.shoots, key=lambda shoot: shoot.period.lower)
    requests = create_requests(session, production, [s.id for s in shoots[:3]], coordinator)
    for permit in requests:
        attach_insurance(session, permit, "assurance.pdf", pdf_bytes())
        apply_transition(session, permit.id, "submit", coordinator)
    namur = next(permit for permit in requests if permit.commune_nis == "92094")
    apply_transition(session, namur.id, "take_into_review", officer)
    apply_transition(session, namur.id, "approve", officer)
    update_shoot(session, coordinator, shoots[0], ShootPatch(crew_size=70, reason="Figurants"))
    copy_shoot(session, coordinator, shoots[0], RepeatIn(dates=[date(2027, 6, 21)]))


@pytest.fixture(scope="module")
def demo_server(_app: Flask) -> Iterator[str]:
    """The app with the demo loaded (`make run`'s data), served on a free port."""
    saved = {key: _app.config[key] for key in ("TOURNAGES_TILES_OSM", "TOURNAGES_TILES_ORTHO")}
    _app.config.update(TOURNAGES_TILES_OSM=OFFLINE_TILES, TOURNAGES_TILES_ORTHO=OFFLINE_TILES)
    try:
        with _app.app_context():
            load_all(db.session)
            decided_and_amended(db.session)
            db.session.commit()
            with live_server(_app) as url:
                yield url
    finally:
        _app.config.update(saved)
        empty_tables(engine_for(migration_database_url(_app)))


def route_of(app: Flask, url: str) -> str | None:
    """The endpoint serving URL's path, or None for what is not a page worth auditing."""
    path = urlsplit(url).path
    if path.endswith(NOT_PAGES) or any(part in path for part in NOT_ROUTES):
        return None
    if path.startswith("/api/") and path not in PAGES_OF_THE_API:
        return None
    if "f=json" in url or "format=" in url:
        return None
    try:
        endpoint, _arguments = app.url_map.bind("localhost").match(path, method="GET")
    except HTTPException:
        return None
    return endpoint


def audit(page: Page) -> list[dict]:
    """axe-core's WCAG 2.1 A and AA violations on the page as it stands."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.add_script_tag(path=str(AXE))
    return page.evaluate(
        "async (tags) => (await axe.run(document, {runOnly: {type: 'tag', values: tags},"
        " resultTypes: ['violations']})).violations.map(v => ({id: v.id, impact: v.impact,"
        " help: v.help, targets: v.nodes.slice(0, 4).map(n => n.target.join(' '))}))",
        WCAG_AA,
    )


def settle(page: Page) -> None:
    """Wait for what the page loads after its HTML (map layers, live panels)."""
    page.wait_for_load_state("networkidle")
    if page.evaluate("() => Boolean(window.TournagesMaps)"):
        page.wait_for_function("() => window.TournagesMaps.isReady()", timeout=30_000)


def crawl(app: Flask, page: Page, base: str) -> Iterator[str]:
    """The pages reachable through links from the home page (and START), one per route."""
    queue, seen_routes, seen_urls = [f"{base}{path}" for path in START], set(), set()
    while queue and len(seen_routes) < MAX_PAGES:
        url = queue.pop(0)
        route = route_of(app, url)
        if route is None or route in seen_routes or url in seen_urls:
            continue
        seen_urls.add(url)
        try:
            response = page.goto(url)
        except PlaywrightError as error:  # a link to a download (an export, a document)
            if "Download is starting" not in str(error):
                raise
            continue
        if response is None or "text/html" not in response.headers.get("content-type", ""):
            continue
        if response.status >= 400 or (urlsplit(page.url).path == "/login" and url != page.url):
            continue
        seen_routes.add(route)
        settle(page)
        yield page.url
        for href in page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)"):
            target = urljoin(page.url, href).split("#")[0]
            if urlsplit(target).netloc == urlsplit(base).netloc and target not in seen_urls:
                queue.append(target)


def misdated(page: Page, language: str) -> tuple[list[str], bool]:
    """The dates of the page written in another style than LANGUAGE's, and whether it shows
    one in LANGUAGE's style."""
    if urlsplit(page.url).path.startswith(("/api/", "/ogc")):
        return [], False
    text = page.inner_text("body")
    foreign = [m.group(0) for key in ("any", language) for m in FOREIGN_DATES[key].finditer(text)]
    return foreign, bool(LOCAL_DATE[language].search(text))


def entries_below_the_first_row(page: Page) -> list[str]:
    """The menu's places that wrapped under its first row (none at 1280 px: the maps sit in a
    drop-down so that every role's menu keeps to one row in every language)."""
    return page.evaluate(
        """() => {
            const items = Array.from(document.querySelectorAll("#site-menu > ul.places > li"));
            if (!items.length) { return []; }
            const first = items[0].getBoundingClientRect().bottom;
            return items.filter(li => li.getBoundingClientRect().top >= first)
                .map(li => li.innerText.trim());
        }"""
    )


def overflow(page: Page) -> list[str]:
    """What sticks out of the window on the right (the page scrolls sideways), as
    tag#id.class: [] when the page is no wider than its window."""
    return page.evaluate(
        """() => {
            const width = document.documentElement.clientWidth;
            if (document.documentElement.scrollWidth <= width) { return []; }
            const name = (e) => e.tagName.toLowerCase() + (e.id ? "#" + e.id : "")
                + (typeof e.className === "string" && e.className.trim()
                   ? "." + e.className.trim().split(/\\s+/).join(".") : "");
            const inScroller = (e) => {
                for (let p = e.parentElement; p; p = p.parentElement) {
                    const x = getComputedStyle(p).overflowX;
                    if (x === "auto" || x === "scroll" || x === "hidden") { return true; }
                }
                return false;
            };
            return Array.from(document.body.querySelectorAll("*"))
                .filter(e => e.getBoundingClientRect().right > width + 1 && !inScroller(e))
                .slice(0, 5).map(name);
        }"""
    )


@pytest.mark.parametrize(("account", "language"), ACCOUNTS, ids=lambda v: str(v).split("@")[0])
def test_every_page_meets_wcag_2_1_aa_fits_a_phone_and_dates_in_its_language(
    _app, demo_server, browser, account, language
):
    """axe at both widths, at 390 px no page wider than the window (tables scroll in their
    own region, WCAG 1.4.10 reflow), and every date in the style of the page's language."""
    context = browser.new_context(
        locale=f"{language}-BE",
        viewport=dict(zip(("width", "height"), WIDTHS[0], strict=True)),
        bypass_csp=True,  # axe is injected by the test; the app's policy stays as it is
    )
    page = context.new_page()
    found, audited, dated = [], [], []
    try:
        if account:
            sign_in(page, demo_server, account, DEMO_PASSWORD)
        page.goto(f"{demo_server}/lang/{language}")
        for url in crawl(_app, page, demo_server):
            path = urlsplit(url).path
            if wrapped := entries_below_the_first_row(page):
                found.append(f"{path} @{WIDTHS[0][0]}px: the menu wraps: {wrapped}")
            for width, height in WIDTHS:
                page.set_viewport_size({"width": width, "height": height})
                found += [
                    f"{path} @{width}px: {v['id']} ({v['help']}) {v['targets']}"
                    for v in audit(page)
                ]
            if wide := overflow(page):
                found.append(f"{path} @{WIDTHS[-1][0]}px: wider than the window: {wide}")
            foreign, local = misdated(page, language)
            found += [f"{path}: a date not in the {language} style: {text}" for text in foreign]
            dated += [path] if local else []
            page.set_viewport_size(dict(zip(("width", "height"), WIDTHS[0], strict=True)))
            audited.append(url)
    finally:
        context.close()
    assert len(audited) >= 5, audited  # the crawl reached the role's pages
    assert found == [], "\n".join(found)
    assert dated, "no page showed a date: the date check read nothing"
