"""Screenshots of the main map pages into docs/screenshots/, taken in Debian's Chromium.

    .venv/bin/python scripts/screenshots.py                        # own app on sample data
    .venv/bin/python scripts/screenshots.py --url http://127.0.0.1:5006   # a running `make run`
    .venv/bin/python scripts/screenshots.py --places var/screens   # the place picker, open

Without --url the app runs on a fresh database (bench_maps_screenshots) with the demo accounts,
the demo data of every package and, where those have none, sample locations and shoots. Base
map tiles are the app's blank tile: this machine has no internet, and the pictures show our
layers, not OpenStreetMap's.
"""

from __future__ import annotations

import argparse
import io
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from geoalchemy2.shape import from_shape  # noqa: E402
from pypdf import PdfWriter  # noqa: E402
from shapely.geometry import MultiPolygon, Point  # noqa: E402
from sqlalchemy import func, select  # noqa: E402
from sqlalchemy.dialects.postgresql import Range  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from bench.common import bench_app  # noqa: E402
from bench.maps_bench import seed_locations  # noqa: E402
from core.auth.operations import find_user  # noqa: E402
from core.communes.operations import commune_at  # noqa: E402
from core.db import SRID, db  # noqa: E402
from core.demo import load_all  # noqa: E402
from core.demo_accounts import DEMO_PASSWORD  # noqa: E402
from core.geo import to_lambert  # noqa: E402
from locations.models import Location  # noqa: E402
from maps.browser import OFFLINE_TILES, chromium, live_server, sign_in, wait_until_drawn  # noqa: E402
from permits.documents import attach_document  # noqa: E402
from permits.models import PermitRequest, PermitShoot, PermitStatus  # noqa: E402
from permits.operations import attach_insurance, create_requests  # noqa: E402
from permits.requirements import requirements_for  # noqa: E402
from permits.workflow import apply_transition  # noqa: E402
from shoots.models import Production, ProductionType, Shoot  # noqa: E402

OUT = ROOT / "docs" / "screenshots"
# (lon, lat, days from now, hours) of sample shoots in Namur and Profondeville
SAMPLE_SHOOTS = [
    (4.8617, 50.4596, 12, 10),
    (4.8660, 50.4640, 13, 12),
    (4.8560, 50.4660, 20, 8),
    (4.8790, 50.4560, 21, 14),
    (4.9110, 50.3780, 30, 10),
]
SCOUT, COORDINATOR = "scout@demo.tournages.be", "coordinator@demo.tournages.be"
NAMUR, EUPEN, ADMIN = (
    "officer.namur@demo.tournages.be", "officer.eupen@demo.tournages.be", "admin@demo.tournages.be"
)  # fmt: skip
PAGES = [  # file name, account (None: anonymous), path or how to find it, language, width
    ("maps-public.png", None, "/maps/public", "fr", 1280),
    ("maps-locations.png", SCOUT, "/maps/locations", "fr", 1280),
    ("maps-commune.png", NAMUR, "/maps/communes", "fr", 1280),
    ("maps-production.png", COORDINATOR, "first production", "fr", 1280),
    ("locations-search.png", SCOUT, "/locations?q=gare&province=90000", "fr", 1280),
    ("permits-inbox.png", NAMUR, "/permits/", "fr", 1280),
    # each role's home, the self-service pages, in French and German, wide and on a phone
    ("home-coordinator-fr.png", COORDINATOR, "/", "fr", 1280),
    ("home-officer-de-390.png", EUPEN, "/", "de", 390),
    ("home-public-fr-390.png", None, "/", "fr", 390),
    ("import-report-de.png", SCOUT, "import a sample file", "de", 1280),
    ("commune-settings-de.png", EUPEN, "/permits/settings", "de", 1280),
    ("categories-fr-390.png", ADMIN, "/locations/categories", "fr", 390),
    # what a commune asks and issues: the questionnaire, its rules, a request approved in Eupen
    ("shoot-form-activities-de-390.png", COORDINATOR, "a new shoot", "de", 390),
    ("shoot-form-activities-fr.png", COORDINATOR, "a new shoot", "fr", 1280),
    ("commune-rules-fr.png", NAMUR, "/permits/communes/92094/rules", "fr", 1280),
    ("commune-rules-de-390.png", EUPEN, "/permits/communes/63023/rules", "de", 390),
    ("request-issued-de.png", EUPEN, "the Eupen request", "de", 1280),
    ("request-issued-fr-390.png", COORDINATOR, "the Eupen request", "fr", 390),
]
# The documents Eupen issued for that request, first page of each as a picture.
ISSUED_PDFS = [
    ("ordinance-eupen-de.png", "ordinance.pdf"),
    ("notice-eupen-a3-de.png", "notice-a3.pdf"),
    ("permit-document-eupen-de.png", "../{id}.pdf"),
]
ISSUED_TITLE = "Die Grenze"
# The import page's sample: two rows accepted, one outside Wallonia, one unknown category.
SAMPLE_IMPORT = (
    "name,lon,lat,categories\n"
    "Moulin de Bütgenbach,6.2040,50.4260,farm\n"
    "Carrière de Sprimont,5.6620,50.5080,quarry\n"
    "Tour Eiffel,2.2945,48.8584,\n"
    "Volcan,4.86,50.46,volcano\n"
)
SAMPLE_TITLE = "Les Enquêtes de la Meuse"
REQUEST_IDS: dict[str, int] = {}  # the Eupen request, once seeded
# The search page with the "near" place picker open: (language, what is typed), two widths.
PLACE_PICKER_SHOTS = [("fr", "Nam"), ("de", "Bü")]
PLACE_PICKER_WIDTHS = (1280, 390)


def _area(lon: float, lat: float, radius_m: float):
    return from_shape(MultiPolygon([to_lambert(Point(lon, lat)).buffer(radius_m)]), srid=SRID)


def seed_samples(session: Session) -> None:
    """Locations where the demo brought none, and a sample production whose shoots are approved
    (the demo's shoots are not requested yet, so the public map would be empty)."""
    if not session.scalar(select(func.count()).select_from(Location)):
        seed_locations(session, 3_000)
    if session.scalar(select(func.count()).where(Production.title == SAMPLE_TITLE)):
        return
    production = Production(
        title=SAMPLE_TITLE,
        type=ProductionType.SERIES,
        company="Les Films du Confluent",
        is_demo=True,
        coordinators=[find_user(session, "coordinator@demo.tournages.be")],
    )
    today = datetime.now(UTC).replace(hour=6, minute=0, second=0, microsecond=0)
    for number, (lon, lat, days, hours) in enumerate(SAMPLE_SHOOTS):
        start = today + timedelta(days=days)
        commune, _distance = commune_at(session, lon, lat)
        approval = PermitRequest(
            production=production, commune_nis=commune.nis, status=PermitStatus.APPROVED
        )
        shoot = Shoot(
            production=production,
            footprint=_area(lon, lat, 60),
            parking=_area(lon + 0.0012, lat - 0.0006, 25),
            period=Range(start, start + timedelta(hours=hours), bounds="[)"),
            crew_size=25 + 5 * number,
            vehicle_count=4 + number,
            road_closure=number % 2 == 0,
            parking_suspension=True,
        )
        session.add(PermitShoot(request=approval, shoot=shoot))  # approved: on the public map


def seed_issued(session: Session) -> None:
    """A listed production's shoot in Eupen with a parking ban, a closure and fireworks, its
    documents attached, submitted and approved with two standard conditions."""
    if session.scalar(select(func.count()).where(Production.title == ISSUED_TITLE)):
        return
    coordinator = find_user(session, COORDINATOR)
    production = Production(
        title=ISSUED_TITLE, type=ProductionType.FEATURE, company="Ostbelgien Film GmbH",
        contact_name="Lena Krings", contact_phone="+32 87 00 00 00", listed=True,
        is_demo=True, coordinators=[coordinator],
    )  # fmt: skip
    session.add(production)
    session.flush()
    start = datetime.now(UTC).replace(hour=5, minute=0, second=0, microsecond=0)
    shoot = Shoot(
        production=production, footprint=_area(6.0350, 50.6280, 40),
        parking=_area(6.0362, 50.6274, 18),
        period=Range(start + timedelta(days=40), start + timedelta(days=40, hours=12), bounds="[)"),
        crew_size=35, vehicle_count=6, parking_suspension=True, road_closure=True,
        activities={"pyrotechnics": True, "parking_spaces": 6, "streets": ["Klötzerbahn"]},
    )  # fmt: skip
    session.add(shoot)
    session.flush()
    (permit,) = create_requests(session, production, [shoot.id], coordinator)
    attach_insurance(session, permit, "versicherung.pdf", _blank_pdf())
    for kind in requirements_for(session, permit).documents:
        attach_document(session, production, coordinator, kind, f"{kind}.pdf", _blank_pdf())
    apply_transition(session, permit.id, "submit", coordinator)
    officer = find_user(session, EUPEN)
    apply_transition(
        session, permit.id, "approve_with_conditions", officer, "", ["signage", "quiet"]
    )


def _blank_pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _eupen_request(session: Session) -> int:
    return session.scalar(
        select(PermitRequest.id)
        .join(Production, Production.id == PermitRequest.production_id)
        .where(Production.title == ISSUED_TITLE)
    )


@contextmanager
def own_app() -> Iterator[str]:
    # One sign-in per picture, faster than a person signs in: not the log-in limit's business.
    os.environ.setdefault("TOURNAGES_LOGIN_RATE_LIMIT", "1000/minute")
    app = bench_app("bench_maps_screenshots")
    app.config.update(TOURNAGES_TILES_OSM=OFFLINE_TILES, TOURNAGES_TILES_ORTHO=OFFLINE_TILES)
    with app.app_context():
        load_all(db.session)
        seed_samples(db.session)
        with app.test_request_context():  # the workflow's notifications link the request
            seed_issued(db.session)
        db.session.commit()
        REQUEST_IDS["eupen"] = _eupen_request(db.session)
    with live_server(app) as url:
        yield url


def take(
    browser, url: str, name: str, email: str | None, path: str, language: str, width: int
) -> str:
    viewport = {"width": width, "height": 900 if width > 600 else 844}
    context = browser.new_context(locale=f"{language}-BE", viewport=viewport)
    page = context.new_page()
    try:
        if email:
            sign_in(page, url, email, DEMO_PASSWORD)
        page.goto(f"{url}/lang/{language}")
        if path == "first production":
            page.goto(f"{url}/maps/productions")
            links = page.locator("main a[href^='/maps/productions/']")
            if not links.count():
                return f"{name}: skipped, {email} coordinates no production"
            path = links.first.get_attribute("href")
        if path == "a new shoot":
            page.goto(f"{url}/maps/productions")
            production = page.locator("main a[href^='/maps/productions/']").first
            path = production.get_attribute("href").replace("/maps", "") + "/shoots/new"
        if path == "the Eupen request":
            path = f"/permits/{REQUEST_IDS['eupen']}"
        if path == "import a sample file":
            _check_a_sample_import(page, url)
        else:
            page.goto(f"{url}{path}")
        if page.evaluate("() => Boolean(window.TournagesMaps)"):
            wait_until_drawn(page)
        page.wait_for_load_state("networkidle")
        questionnaire = page.locator("fieldset.activities")
        if questionnaire.count():  # the shoot form: its questionnaire, unfolded, in view
            page.locator("details.more-activities").evaluate("d => d.open = true")
            questionnaire.evaluate("f => f.scrollIntoView()")
        target = OUT / name
        page.screenshot(path=str(target), full_page=False)
        return str(target.relative_to(ROOT))
    finally:
        context.close()


def _check_a_sample_import(page, url: str) -> None:
    """The import page with SAMPLE_IMPORT checked: its report (nothing imported)."""
    page.goto(f"{url}/locations/import")
    page.set_input_files(
        "input[type=file]",
        {"name": "lieux.csv", "mimeType": "text/csv", "buffer": SAMPLE_IMPORT.encode()},
    )
    with page.expect_navigation():
        page.click("main form button[type=submit]")


def take_place_picker(browser, url: str, out: Path, language: str, typed: str, width: int) -> str:
    """The search page in LANGUAGE at WIDTH px, TYPED in the "near" box, its suggestions open
    and the second one highlighted with the Down arrow."""
    viewport = {"width": width, "height": 900 if width > 600 else 844}
    context = browser.new_context(locale=f"{language}-BE", viewport=viewport)
    page = context.new_page()
    try:
        page.goto(f"{url}/locations")
        # The box near the top of the window, so that its suggestions show below it.
        page.locator("label[for=near]").evaluate("label => label.scrollIntoView()")
        page.focus("#near")
        page.keyboard.type(typed, delay=60)
        page.locator("#near-places [role=option]").first.wait_for()
        page.keyboard.press("ArrowDown")
        page.keyboard.press("ArrowDown")
        target = out / f"place-picker-{language}-{width}.png"
        page.screenshot(path=str(target), full_page=False)
        return str(target)
    finally:
        context.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="base URL of a running app (make run) with demo data")
    parser.add_argument("--places", type=Path, help="only the place picker, into this folder")
    args = parser.parse_args()
    out = args.places or OUT
    out.mkdir(parents=True, exist_ok=True)
    app = nullcontext(args.url.rstrip("/")) if args.url else own_app()
    with app as url, chromium() as browser:
        if args.places:
            for language, typed in PLACE_PICKER_SHOTS:
                for width in PLACE_PICKER_WIDTHS:
                    print(take_place_picker(browser, url, out, language, typed, width))
            return
        for name, email, path, language, width in PAGES:
            print(take(browser, url, name, email, path, language, width))
        if REQUEST_IDS.get("eupen"):
            for line in take_issued(browser, url, REQUEST_IDS["eupen"]):
                print(line)


def take_issued(browser, url: str, request_id: int) -> Iterator[str]:
    """The first page of each document of ISSUED_PDFS, fetched as Eupen's officer."""
    context = browser.new_context(locale="de-BE")
    page = context.new_page()
    try:
        sign_in(page, url, EUPEN, DEMO_PASSWORD)
        for name, path in ISSUED_PDFS:
            address = f"{url}/permits/{request_id}/{path.format(id=request_id)}"
            pdf = page.request.get(address).body()
            target = OUT / name
            subprocess.run(
                ["pdftoppm", "-r", "60", "-png", "-f", "1", "-l", "1", "-singlefile", "-",
                 str(target.with_suffix(""))],
                input=pdf, check=True,
            )  # fmt: skip
            yield str(target.relative_to(ROOT))
    finally:
        context.close()


if __name__ == "__main__":
    main()
