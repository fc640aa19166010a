"""A small world made through the API as its users would (admin, coordinator, officer, scout),
with geometries sent the wrong way round (clockwise rings, 16 decimals): the answer and
GeoJSON tests read every operation of the description against it."""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from PIL import Image
from pypdf import PdfWriter

from tests.shoots.conftest import NAMUR, circle, offset

# Each call: (method, path, role, keyword arguments of the test client) -> the response.
Call = Callable[..., Any]
ROLES = ("admin", "coordinator", "officer", "scout")


def clockwise(polygon: dict[str, Any], noise: float = 1e-12) -> dict[str, Any]:
    """POLYGON's rings reversed (exterior clockwise, against RFC 7946) with reprojection-like
    noise in the 12th decimal: what a careless client sends."""
    rings = [[[x + noise, y - noise] for x, y in reversed(ring)] for ring in polygon["coordinates"]]
    return {"type": "Polygon", "coordinates": rings}


def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (32, 24), (200, 120, 40)).save(buffer, "PNG")
    return buffer.getvalue()


def pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


@dataclass
class Scene:
    ids: dict[str, Any] = field(default_factory=dict)
    answers: list[tuple[str, str, Any]] = field(default_factory=list)  # method, path, response


def build(call: Call) -> Scene:
    """Every kind of record, each made by the role that makes it."""
    scene = Scene()

    def made(method: str, path: str, role: str, expected: int, **options: Any) -> Any:
        response = call(method, path, role, **options)
        assert response.status_code == expected, (path, response.get_data(as_text=True))
        scene.answers.append((method, path, response))
        return response.get_json(silent=True)

    outline = clockwise(circle(*offset(*NAMUR, 300), 60))
    location = made(
        "POST",
        "/api/v1/locations",
        "admin",
        201,
        json={
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": list(offset(*NAMUR, 300))},
            "properties": {"name": "Citadelle", "status": "published", "outline": outline},
        },
    )
    photo = made(
        "POST",
        f"/api/v1/locations/{location['id']}/photos",
        "admin",
        201,
        data={"file": (io.BytesIO(png()), "photo.png"), "caption": "Vue"},
    )
    production = made(
        "POST",
        "/api/v1/productions",
        "coordinator",
        201,
        json={"title": "Le Fleuve", "type": "feature", "company": "Films", "listed": True},
    )
    shoot = made(
        "POST",
        "/api/v1/shoots",
        "coordinator",
        201,
        json={
            "production_id": production["id"],
            "location_id": location["id"],
            "footprint": clockwise(circle(*NAMUR, 30)),
            "parking": clockwise(circle(*offset(*NAMUR, 80), 10)),
            "starts_at": "2027-06-14T07:00",
            "ends_at": "2027-06-14T17:00",
        },
    )
    series = made(
        "POST",
        "/api/v1/shoot-series",
        "coordinator",
        201,
        json={
            "production_id": production["id"],
            "footprint": clockwise(circle(*offset(*NAMUR, 3000), 30)),
            "parking": clockwise(circle(*offset(*NAMUR, 3080), 10)),
            "starts_at": "2027-09-06T07:00",
            "ends_at": "2027-09-06T17:00",
            "repeat": {"dates": ["2027-09-07"]},
        },
    )
    blackout = made(
        "POST",
        "/api/v1/blackouts",
        "officer",
        201,
        json={
            "commune": "92094",
            "kind": "market",
            "title": "Marché",
            "area": clockwise(circle(*offset(*NAMUR, 0, 200), 40)),
            "starts_at": "2027-06-01T00:00",
            "ends_at": "2027-07-01T00:00",
        },
    )
    created = made(
        "POST",
        "/api/v1/permits",
        "coordinator",
        201,
        json={"production_id": production["id"], "shoot_ids": [shoot["id"]]},
    )
    permit = created["permits"][0]["id"]
    made(
        "POST",
        f"/api/v1/permits/{permit}/insurance",
        "coordinator",
        200,
        data={"file": (io.BytesIO(pdf()), "insurance.pdf")},
    )
    for role, action in (
        ("coordinator", "submit"),
        ("officer", "take_into_review"),
        ("officer", "approve"),
    ):
        made("POST", f"/api/v1/permits/{permit}/transitions", role, 200, json={"action": action})
    amended = made(
        "PATCH",
        f"/api/v1/shoots/{shoot['id']}",
        "coordinator",
        202,
        json={"crew_size": 60, "reason": "Plus de figurants", "version": shoot["version"]},
    )
    feed = made(
        "POST",
        "/api/v1/calendars/feeds",
        "coordinator",
        201,
        json={"scope": "production", "target": str(production["id"])},
    )
    scene.ids = {
        "location": location["id"],
        "photo": photo["id"],
        "production": production["id"],
        "shoot": shoot["id"],
        "blackout": blackout["id"],
        "series": series["series"]["id"],
        "permit": permit,
        "amendment": amended["amendment"]["id"],
        "feed_url": feed["url"],
    }
    return scene


def reads(scene: Scene) -> list[tuple[str, str]]:
    """(role, path) of a read of every GET operation of the description, on the scene."""
    ids = scene.ids
    token = ids["feed_url"].rsplit("/", 1)[-1]
    return [
        ("admin", "/api/v1/me"),
        ("admin", "/api/v1/users"),
        ("admin", "/api/v1/tokens"),
        ("scout", "/api/v1/communes"),
        ("scout", "/api/v1/communes/at?lon=4.8617&lat=50.4596"),
        ("scout", "/api/v1/communes/92094"),
        ("scout", "/api/v1/places?q=Namur"),
        ("scout", "/api/v1/locations?q=citadelle"),
        ("admin", "/api/v1/locations?near=4.8617,50.4596&radius_m=1000"),
        ("scout", "/api/v1/locations/map-points"),
        ("admin", f"/api/v1/locations/{ids['location']}"),
        ("scout", f"/api/v1/locations/{ids['location']}/photos"),
        ("admin", "/api/v1/locations/export"),
        ("admin", "/api/v1/locations/export?format=csv"),
        ("scout", "/api/v1/locations/categories"),
        ("coordinator", "/api/v1/productions"),
        ("coordinator", f"/api/v1/productions/{ids['production']}"),
        ("coordinator", "/api/v1/shoots"),
        ("officer", "/api/v1/shoots?commune=92094&from=2027-06-01T00:00&to=2027-07-01T00:00"),
        ("coordinator", f"/api/v1/shoots/{ids['shoot']}"),
        ("coordinator", f"/api/v1/shoot-series/{ids['series']}"),
        ("officer", "/api/v1/conflicts?from=2027-06-01T00:00&to=2027-07-01T00:00"),
        ("officer", "/api/v1/blackouts"),
        ("officer", "/api/v1/shoot-settings/92094"),
        ("coordinator", f"/api/v1/calendars/production/{ids['production']}.ics"),
        ("officer", "/api/v1/calendars/commune/92094.ics"),
        ("coordinator", f"/api/v1/calendars/location/{ids['location']}.ics"),
        ("coordinator", "/api/v1/calendars/feeds"),
        ("anonymous", f"/api/v1/calendars/private/{token}.ics"),
        ("officer", "/api/v1/permits"),
        ("officer", f"/api/v1/permits/{ids['permit']}"),
        ("officer", f"/api/v1/permits/{ids['permit']}.pdf"),
        ("officer", f"/api/v1/permits/{ids['permit']}/history"),
        ("officer", f"/api/v1/permits/{ids['permit']}/versions"),
        ("officer", f"/api/v1/permits/{ids['permit']}/versions/1"),
        ("officer", f"/api/v1/permits/{ids['permit']}/versions/1.pdf"),
        ("officer", "/api/v1/amendments"),
        ("officer", f"/api/v1/amendments/{ids['amendment']}"),
        ("anonymous", "/api/v1/permits/communes/92094/rules"),
        ("anonymous", "/api/v1/permits/communes/92094/services"),
        ("anonymous", "/api/v1/permits/communes/92094/conditions"),
        ("anonymous", "/api/v1/permits/communes/92094/tariff"),
    ]
