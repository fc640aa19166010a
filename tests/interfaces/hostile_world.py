"""A world where every user-writable text field holds one hostile string, and a reader that finds
a stored text in any response the app gives (HTML, map data, JSON, CSV, iCalendar, PDF).

Each field's value starts with a tag naming the field ("F07 ") so that the catalogue can tell
which field reached which page; the hostile string follows, cut to the column's length.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import icalendar
import pypdf
from markupsafe import escape
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import Range

from core.auth.models import Role, User
from core.auth.operations import create_token, create_user
from core.db import db
from locations.models import Category, LocationPhoto, LocationStatus
from permits.conditions import Condition, save_condition
from permits.documents import attach_document
from permits.models import OutboxMessage
from permits.operations import create_requests
from permits.services import save_service
from permits.workflow import apply_transition, decide_amendment
from shoots.models import Blackout, BlackoutKind, FeedScope, Production, ProductionType, ShootSeries
from shoots.operations.calendars import create_feed
from shoots.operations.shoots import findings_for, override_warning, update_shoot
from shoots.schemas import ShootPatch
from tests.conftest import PASSWORD

MAP_FACTORY = re.compile(r"TournagesMaps\.\w+\(\s*")
NAMUR = (4.8617, 50.4596)


@dataclass
class HostileWorld:
    """The stored values by field, the ids the URL map needs and one account per role."""

    values: dict[str, str] = field(default_factory=dict)
    ids: dict[str, Any] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)

    def text(self, name: str, hostile: str, limit: int) -> str:
        value = f"F{len(self.values):02d} {hostile}"[:limit]
        self.values[name] = value
        return value

    def stripped(self, name: str, hostile: str, limit: int) -> str:
        self.values[name] = self.text(name, hostile, limit).strip()
        return self.values[name]


def build_world(hostile: str, create_location, create_shoot) -> HostileWorld:
    """Store HOSTILE in every user-writable text field, through the domain where it writes."""
    world = HostileWorld()
    text = world.text
    session = db.session
    users = world.users
    for role in Role:
        users[role.value] = create_user(
            session, f"{role.value}@hostile.test", role, password=PASSWORD,
            commune_nis="92094" if role is Role.OFFICER else None,
            display_name=text(f"{role.value}.display_name", hostile, 120),
        )  # fmt: skip
    create_token(session, users["scout"], label=text("token.label", hostile, 120))
    category = session.scalar(select(Category).order_by(Category.position).limit(1))
    category.label_fr = text("category.label_fr", hostile, 120)
    category.label_en = category.label_de = category.label_fr
    location = create_location(
        *NAMUR,
        name=text("location.name", hostile, 200),
        description=text("location.description", hostile, 100_000),
        tags=[text("location.tag", hostile, 60)],
        address=text("location.address", hostile, 300),
        access_notes=text("location.access_notes", hostile, 100_000),
        contact_name=text("location.contact_name", hostile, 200),
        contact_phone=text("location.contact_phone", hostile, 50),
        contact_email=text("location.contact_email", hostile, 254),
        owner_notes=text("location.owner_notes", hostile, 100_000),
        external_ref=text("location.external_ref", hostile, 120),
        categories=[category],
        status=LocationStatus.PUBLISHED,
    )
    session.add(
        LocationPhoto(
            location_id=location.id, stored_name="hostile.jpg", media_type="image/jpeg", width=4,
            height=3, byte_size=10, caption=text("photo.caption", hostile, 300), is_cover=True,
        )
    )  # fmt: skip
    coordinator = users["coordinator"]
    production = Production(
        title=text("production.title", hostile, 200),
        type=ProductionType.FEATURE,
        company=text("production.company", hostile, 200),
        contact_name=text("production.contact_name", hostile, 200),
        contact_email=text("production.contact_email", hostile, 254),
        contact_phone=text("production.contact_phone", hostile, 50),
        file_reference=text("production.file_reference", hostile, 60),
        coordinators=[coordinator],
    )
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(days=60)
    shoot = create_shoot(
        *NAMUR, production=production, location=location, start=start,
        notes=text("shoot.notes", hostile, 100_000),
        activities={
            "streets": [text("shoot.streets", hostile, 120)],
            "drone_pilot_certificate": text("shoot.drone_pilot_certificate", hostile, 100),
        },
    )  # fmt: skip
    session.add(
        Blackout(
            commune_nis="92094", kind=BlackoutKind.MARKET, created_by_id=users["officer"].id,
            title=text("blackout.title", hostile, 200),
            period=Range(start - timedelta(days=1), start + timedelta(days=30), bounds="[)"),
        )
    )  # fmt: skip
    session.flush()
    # The market blackout covers the shoot: the coordinator keeps it with a reason.
    (warning, *_others) = findings_for(session, shoot).warnings
    override_warning(
        session, coordinator, shoot, warning.rule, warning.other_ref,
        text("override.reason", hostile, 100_000),
    )  # fmt: skip
    (permit,) = create_requests(
        session, production, [shoot.id], coordinator,
        public_domain_use=text("permit.public_domain_use", hostile, 100_000),
        notes=text("permit.notes", hostile, 100_000),
    )  # fmt: skip
    permit.insurance_filename, permit.insurance_pdf = "insurance.pdf", _blank_pdf()
    officer = users["officer"]
    document = attach_document(
        session, production, coordinator, "safety_plan",
        text("document.filename", hostile, 200), _blank_pdf(),
    )  # fmt: skip
    # The directory and the conditions keep what was typed without its outer spaces.
    stripped = world.stripped
    save_service(session, "92094", "police_zone", {
        "name": stripped("service.name", hostile, 200),
        "address": stripped("service.address", hostile, 2_000),
        "phone": stripped("service.phone", hostile, 50),
    })  # fmt: skip
    save_condition(session, "92094", Condition(
        "hostile", stripped("condition.text_fr", hostile, 2_000),
        stripped("condition.text_de", hostile, 2_000),
    ))  # fmt: skip
    apply_transition(
        session, permit.id, "submit", coordinator, text("event.submit", hostile, 10**5)
    )
    apply_transition(session, permit.id, "take_into_review", officer)
    apply_transition(
        session, permit.id, "approve_with_conditions", officer,
        text("permit.decision_comment", hostile, 100_000), ["hostile"],
    )  # fmt: skip
    # The approved shoot changes: an amendment with a reason, taken into review with a comment.
    edit = update_shoot(
        session, coordinator, shoot,
        ShootPatch(crew_size=shoot.crew_size + 1, reason=text("amendment.reason", hostile, 2_000)),
    )  # fmt: skip
    amendment_id = edit.amendment["id"]
    decide_amendment(
        session, amendment_id, "take_into_review", officer,
        text("amendment.comment", hostile, 5_000),
    )  # fmt: skip
    _feed, token = create_feed(session, coordinator, FeedScope.PRODUCTION, str(production.id))
    series = ShootSeries(production=production, shoots=[shoot])
    session.add(series)
    session.flush()
    world.ids = {
        "location_id": location.id,
        "production_id": production.id,
        "shoot_id": shoot.id,
        "request_id": permit.id,
        "amendment_id": amendment_id,
        "number": 1,
        "nis": "92094",
        "token": token,
        "series_id": series.id,
        "shoot_day": start.date().isoformat(),
        "document_id": document.id,
        "fmt": "pdf",  # the ordinance draft; its DOCX is read in tests/permits/test_issued.py
        "size": "a4",
    }
    return world


def _blank_pdf() -> bytes:
    writer = pypdf.PdfWriter()
    writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def outbox_bodies() -> list[str]:
    return [f"{m.subject}\n{m.body}" for m in db.session.scalars(select(OutboxMessage))]


# ---- reading a response back --------------------------------------------------------------


def strings_in(data: Any) -> Iterator[str]:
    """Every string (keys and values) of a decoded JSON document."""
    if isinstance(data, str):
        yield data
    elif isinstance(data, dict):
        for key, value in data.items():
            yield key
            yield from strings_in(value)
    elif isinstance(data, list):
        for item in data:
            yield from strings_in(item)


def map_data(html: str) -> list[Any]:
    """The JSON first argument of every TournagesMaps.<factory>( call of a page."""
    decoder = json.JSONDecoder()
    found = []
    for call in MAP_FACTORY.finditer(html):
        try:
            found.append(decoder.raw_decode(html, call.end())[0])
        except json.JSONDecodeError:
            continue  # an argument that is not a literal (a variable): no user data in it
    return found


def _csv_cells(body: str) -> Iterator[str]:
    for row in csv.reader(io.StringIO(body)):
        for cell in row:
            # Formula neutralisation (OWASP) prefixes an apostrophe: the text is what follows.
            yield cell[1:] if cell.startswith("'") else cell


def _ics_texts(body: bytes) -> Iterator[str]:
    for calendar in icalendar.Calendar.from_ical(body, multiple=True):
        for component in calendar.walk():
            for value in component.values():
                yield str(value)


def _pdf_text(body: bytes) -> str:
    return "".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(body)).pages)


@dataclass
class Reading:
    """What a response says, in the form each stored text should take in it."""

    kind: str
    raw: str
    texts: list[str]  # decoded strings (JSON, CSV cells, iCalendar values, map data)

    def shows(self, value: str) -> bool:
        if self.kind == "html" and str(escape(value)) in self.raw:
            return True
        if self.kind == "pdf":  # extraction wraps long lines: compare without whitespace
            return re.sub(r"\s", "", value) in re.sub(r"\s", "", self.raw)
        return any(value in text for text in self.texts)


def read(response) -> Reading:
    mimetype = response.mimetype
    body = response.get_data()
    if mimetype == "application/pdf":
        return Reading("pdf", _pdf_text(body), [])
    if mimetype == "text/calendar":
        return Reading("ics", body.decode(), list(_ics_texts(body)))
    text = body.decode()
    if mimetype == "text/csv":
        return Reading("csv", text, list(_csv_cells(text)))
    if mimetype.endswith("json"):
        return Reading("json", text, list(strings_in(json.loads(text))))
    if mimetype == "text/html":
        return Reading("html", text, list(strings_in(map_data(text))))
    return Reading(mimetype, text, [text])
