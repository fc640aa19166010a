"""Confidential productions: competitors see occupancy, never each other's files.

Production B carries a canary in every private field. Each viewer kind walks every endpoint and
page that shows a production or a shoot; a canary that reaches a viewer who may not read B in
full fails the test. core.auth.policy.production_view is the rule under test.
"""

from __future__ import annotations

import json
import re
from datetime import datetime

import pytest
from sqlalchemy import select

from core.auth.models import User
from core.auth.policy import ProductionView, production_view
from core.config import BRUSSELS
from core.db import db
from permits.models import OutboxMessage, PermitStatus
from permits.operations import create_requests
from tests.shoots.conftest import NAMUR, circle, offset

SECRETS = {
    "title": "Titre-Secret-B",
    "company": "Societe-Secrete-B",
    "contact_name": "Contact-Secret-B",
    "contact_email": "secret-b@confidential.example",
    "contact_phone": "+32 499 77 66 55",
    "file_reference": "WFC-SECRET-B",
}
SHOOT_SECRETS = {"notes": "Notes-Secretes-B", "crew_size": 7777, "vehicle_count": 6666}
TEXT_CANARIES = [*SECRETS.values(), "Notes-Secretes-B"]
# Crew and vehicle counts as whole numbers (not inside folium's hex ids or coordinates).
NUMBER_CANARIES = re.compile(r"(?<![0-9a-fA-F.])(?:7777|6666)(?![0-9a-fA-F])")
JUNE = datetime(2027, 6, 14, 7, 0, tzinfo=BRUSSELS)


@pytest.fixture
def scene(app, make_user, create_production, create_shoot, create_location):
    """Production A and B with sets 100 m apart on the same day at the Gare de Namur."""
    station = create_location(*NAMUR, name="Gare de Namur")
    coordinator_a, coordinator_b = make_user("coordinator"), make_user("coordinator")
    production_a = create_production(title="Production A", coordinators=[coordinator_a])
    production_b = create_production(coordinators=[coordinator_b], **SECRETS)
    shoot_a = create_shoot(*NAMUR, production=production_a, start=JUNE, location=station)
    shoot_b = create_shoot(*offset(*NAMUR, 100), production=production_b, start=JUNE,
                           **SHOOT_SECRETS)  # fmt: skip
    return {
        "station": station,
        "a": production_a,
        "b": production_b,
        "shoot_a": shoot_a,
        "shoot_b": shoot_b,
        "coordinator_a": coordinator_a,
        "coordinator_b": coordinator_b,
        "officer": make_user("officer", commune="92094"),
        "scout": make_user("scout"),
        "admin": make_user("admin"),
    }


def _pages(scene) -> list[tuple[str, str, dict | None]]:
    """(method, url, json body): every endpoint and page that shows productions or shoots."""
    a, b, station = scene["a"], scene["b"], scene["station"]
    check = {
        "production_id": a.id,
        "footprint": circle(*offset(*NAMUR, 50), 20),
        "starts_at": "2027-06-14T08:00",
        "ends_at": "2027-06-14T12:00",
    }
    return [
        ("GET", "/api/v1/productions", None),
        ("GET", f"/api/v1/productions/{b.id}", None),
        ("GET", "/api/v1/shoots?from=2027-06-01&to=2027-07-01", None),
        ("GET", f"/api/v1/shoots/{scene['shoot_a'].id}", None),
        ("GET", f"/api/v1/shoots/{scene['shoot_b'].id}", None),
        ("GET", "/api/v1/conflicts?from=2027-06-01&to=2027-07-01", None),
        ("POST", "/api/v1/conflicts/check", check),
        ("GET", "/api/v1/calendars/commune/92094.ics", None),
        ("GET", f"/api/v1/calendars/location/{station.id}.ics", None),
        ("GET", f"/productions/{a.id}", None),
        ("GET", f"/productions/{b.id}", None),
        ("GET", "/productions", None),
        ("GET", f"/schedule/locations/{station.id}?month=2027-06", None),
        ("GET", "/schedule/communes?commune=92094&month=2027-06", None),
        ("GET", "/maps/communes/92094", None),
        ("GET", f"/maps/productions/{a.id}", None),
        ("GET", "/maps/public", None),
        ("GET", "/permits/public", None),
        ("GET", "/ogc/collections/shoots/items", None),
    ]


def _walk(client, token_for, viewer: User | None, scene) -> dict[str, str]:
    headers = token_for(viewer) if viewer is not None else {}
    seen = {}
    for method, url, body in _pages(scene):
        response = client.open(url, method=method, json=body, headers=headers)
        assert response.status_code < 500, (url, response.status_code)
        seen[url] = response.get_data(as_text=True)
    return seen


@pytest.mark.parametrize("viewer", ["coordinator_a", "officer", "scout", None])
def test_no_private_field_of_another_production_reaches_the_viewer(
    client, token_for, scene, viewer
):
    user = scene[viewer] if viewer else None
    assert production_view(user, scene["b"]) is not ProductionView.FULL
    for url, body in _walk(client, token_for, user, scene).items():
        for canary in TEXT_CANARIES:
            assert canary not in body, (viewer, url, canary)
        assert not NUMBER_CANARIES.search(body), (viewer, url, NUMBER_CANARIES.search(body))


@pytest.mark.parametrize("viewer", ["coordinator_b", "admin"])
def test_readers_of_the_production_see_its_file(client, token_for, scene, viewer):
    headers = token_for(scene[viewer])
    body = client.get(f"/api/v1/productions/{scene['b'].id}", headers=headers).get_json()
    assert {key: body[key] for key in SECRETS} == SECRETS
    shoot = client.get(f"/api/v1/shoots/{scene['shoot_b'].id}", headers=headers).get_json()
    assert {key: shoot[key] for key in SHOOT_SECRETS} == SHOOT_SECRETS


def test_the_officer_of_a_commune_with_a_request_sees_the_production_in_full(
    client, token_for, scene, make_user
):
    officer, b = scene["officer"], scene["b"]
    (permit,) = create_requests(db.session, b, [scene["shoot_b"].id], scene["coordinator_b"])
    assert production_view(officer, b) is ProductionView.OCCUPANCY  # a draft is not sent yet
    permit.status = PermitStatus.SUBMITTED
    db.session.flush()
    db.session.expire(b)
    assert production_view(officer, b) is ProductionView.FULL
    body = client.get(f"/api/v1/productions/{b.id}", headers=token_for(officer)).get_json()
    assert body["title"] == SECRETS["title"]
    elsewhere = make_user("officer", commune="63023")  # Eupen: no request there
    assert production_view(elsewhere, b) is ProductionView.OCCUPANCY
    response = client.get(f"/api/v1/productions/{b.id}", headers=token_for(elsewhere))
    assert response.status_code == 404


def test_a_clash_with_a_confidential_production_gives_place_period_and_distance(
    client, token_for, scene
):
    headers = token_for(scene["coordinator_a"])
    shoot = client.get(f"/api/v1/shoots/{scene['shoot_a'].id}", headers=headers).get_json()
    (nearby,) = [w for w in shoot["warnings"] if w["rule"] == "nearby_set"]
    assert (
        nearby["other"]
        == {
            "type": "shoot",
            "id": scene["shoot_b"].id,
            "production": "another production",
        }
        or nearby["other"]["production"] == "une autre production"
    )
    assert 35 < nearby["distance_m"] < 45  # centres 100 m apart, 30 m circles
    assert nearby["overlap"]["starts_at"].startswith("2027-06-14T07:00")
    other = client.get(f"/api/v1/shoots/{scene['shoot_b'].id}", headers=headers).get_json()
    assert other["footprint"]["type"] == "MultiPolygon"  # the place taken, to plan around
    assert "production_id" not in other and "crew_size" not in other


def test_a_listed_production_shows_its_title_and_nothing_else(client, token_for, scene):
    scene["b"].listed = True
    headers = token_for(scene["coordinator_a"])
    shoot = client.get(f"/api/v1/shoots/{scene['shoot_b'].id}", headers=headers).get_json()
    assert shoot["production"] == SECRETS["title"]
    body = json.dumps(shoot)
    for canary in [c for c in TEXT_CANARIES if c != SECRETS["title"]]:
        assert canary not in body
    assert not NUMBER_CANARIES.search(body)
    assert client.get(f"/api/v1/productions/{scene['b'].id}", headers=headers).status_code == 404


def test_the_film_commission_puts_two_productions_in_touch_without_revealing_addresses(
    client, token_for, scene
):
    a, b = scene["a"], scene["b"]
    body = {"productions": [a.id, b.id], "message": "Vous tournez à 40 m l'un de l'autre."}
    refused = client.post("/api/v1/introductions", json=body,
                          headers=token_for(scene["coordinator_a"]))  # fmt: skip
    assert refused.status_code == 403
    response = client.post("/api/v1/introductions", json=body, headers=token_for(scene["admin"]))
    assert response.status_code == 202 and response.get_json() == {"queued": 2}
    messages = db.session.scalars(select(OutboxMessage)).all()
    by_recipient = {m.recipient: m for m in messages}
    assert set(by_recipient) == {scene["coordinator_a"].email, scene["coordinator_b"].email}
    for message in messages:
        assert "40 m" in message.body
        for address in by_recipient:  # nobody's address in anybody's message
            assert address not in message.body and address not in message.subject
        assert SECRETS["contact_email"] not in message.body
    same = {"productions": [a.id, a.id], "message": "x"}
    assert client.post("/api/v1/introductions", json=same,
                       headers=token_for(scene["admin"])).status_code == 400  # fmt: skip
