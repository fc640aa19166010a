"""Map pages over HTTP: who may see them and which data they carry."""

from __future__ import annotations

import gzip
import json
import re
from datetime import datetime, timedelta

import pytest
from geoalchemy2.shape import from_shape
from shapely.geometry import MultiPolygon, Point

from core.db import SRID
from core.mapping.builder import LegendEntry
from locations.models import LocationStatus
from maps import views
from permits.models import PermitStatus
from permits.public import PUBLIC_SHOOT_FIELDS
from shoots.map_layers import Overlay
from shoots.models import ShootStatus
from tests.conftest import BRUSSELS, approve, to_lambert


def layer_data(html: str, factory: str) -> list:
    """The JSON data of every TournagesMaps.FACTORY(...) layer of a page."""
    found = re.findall(rf"TournagesMaps\.{factory}\(\s*(.*?), (\{{.*?\}})\);", html, re.S)
    return [json.loads(data) for data, _options in found]


def popup_values(html: str) -> set:
    values = set()
    for collection in layer_data(html, "polygons"):
        for item in collection["features"]:
            values.update(str(v) for v in item["properties"].values())
    return values


@pytest.mark.parametrize(
    "path", ["/maps/locations", "/maps/locations/points.json", "/maps/communes/92094",
             "/maps/communes", "/maps/productions", "/maps/productions/1"]
)  # fmt: skip
def test_private_maps_send_anonymous_visitors_to_sign_in(client, path):
    response = client.get(path)
    assert response.status_code == 302 and "/login" in response.location


def test_explore_map_loads_published_locations_as_compact_points(
    client, login, make_user, create_location
):
    create_location(4.8617, 50.4596, name="Citadelle <b>`${x}`</b>")
    create_location(5.5718, 50.6326, name="Brouillon", status=LocationStatus.DRAFT)
    login(make_user("scout"))
    page = client.get("/maps/locations")
    payload = client.get("/maps/locations/points.json").get_json()
    assert page.status_code == 200
    assert "/maps/locations/points.json" in page.text
    assert payload["fields"] == ["Nom", "Commune"]
    assert payload["points"] == [[50.4596, 4.8617, "Citadelle <b>`${x}`</b>", "Namur"]]


def test_explore_map_payload_is_compressed_for_clients_that_accept_it(
    client, login, make_user, create_location
):
    create_location(4.8617, 50.4596, name="Citadelle")
    login(make_user("scout"))
    plain = client.get("/maps/locations/points.json")
    packed = client.get("/maps/locations/points.json", headers={"Accept-Encoding": "gzip, br"})
    assert "Content-Encoding" not in plain.headers
    assert packed.headers["Content-Encoding"] == "gzip" and packed.vary == plain.vary
    assert gzip.decompress(packed.data) == plain.data


def test_explore_map_payload_without_locations(client, login, make_user):
    login(make_user("scout"))
    assert client.get("/maps/locations/points.json").get_json()["points"] == []


def test_commune_map_is_for_its_officers_and_admins(client, login, make_user):
    login(make_user("officer", commune="92094"))
    assert client.get("/maps/communes/92094").status_code == 200
    assert client.get("/maps/communes/63023").status_code == 403
    assert client.get("/maps/communes/00000").status_code == 404
    assert client.get("/maps/communes").location.endswith("/maps/communes/92094")


@pytest.mark.parametrize("role", ["scout", "coordinator"])
def test_commune_map_is_refused_to_other_roles(client, login, make_user, role):
    login(make_user(role))
    assert client.get("/maps/communes/92094").status_code == 403


def test_commune_map_shows_boundary_locations_and_upcoming_shoots_inside(
    client, login, make_user, create_location, create_shoot
):
    create_location(4.8617, 50.4596, name="Citadelle")
    create_location(4.8700, 50.4650, name="Archivé", status=LocationStatus.ARCHIVED)
    inside = create_shoot(4.8617, 50.4596)
    inside.production.title = "Le Fleuve"
    create_shoot(5.5718, 50.6326)  # Liège
    past = create_shoot(4.8650, 50.4600, start=datetime(2020, 1, 6, 8, tzinfo=BRUSSELS))
    past.production.title = "Passé"
    cancelled = create_shoot(4.8660, 50.4610, status=ShootStatus.CANCELLED)
    cancelled.production.title = "Annulé"
    login(make_user("admin"))
    html = client.get("/maps/communes/92094").text
    boundary, footprints = layer_data(html, "polygons")[:2]
    points = layer_data(html, "clusteredPoints")[0]["points"]
    assert boundary["features"][0]["properties"] == {"name": "Namur"}
    assert [f["properties"]["title"] for f in footprints["features"]] == ["Le Fleuve"]
    assert [p[2] for p in points] == ["Citadelle"]
    assert "Passé" not in html and "Annulé" not in html


def test_production_map_is_for_its_coordinators_and_admins(
    client, login, make_user, create_production
):
    mine = make_user("coordinator")
    production = create_production(coordinators=[mine])
    other = create_production()
    login(mine)
    assert client.get(f"/maps/productions/{production.id}").status_code == 200
    assert client.get(f"/maps/productions/{other.id}").status_code == 404  # hidden
    assert client.get("/maps/productions/999999").status_code == 404
    listing = client.get("/maps/productions").text
    assert production.title in listing and other.title not in listing


def test_production_map_is_hidden_from_scouts(client, login, make_user, create_production):
    production = create_production()
    login(make_user("scout"))
    assert client.get(f"/maps/productions/{production.id}").status_code == 404


def test_production_map_filters_shoots_by_day(
    client, login, make_user, create_production, create_shoot
):
    admin = make_user("admin")
    production = create_production()
    parking = Point(*to_lambert(4.8630, 50.4600)).buffer(15)
    june = create_shoot(production=production, start=datetime(2027, 6, 14, 22, tzinfo=BRUSSELS),
                        hours=4, parking=from_shape(MultiPolygon([parking]), srid=SRID),
                        crew_size=41)  # fmt: skip
    create_shoot(production=production, start=datetime(2027, 7, 1, 7, tzinfo=BRUSSELS))
    login(admin)
    url = f"/maps/productions/{production.id}"
    # The night shoot starts on the 14th and ends on the 15th: both days show it.
    for days in ("start=2027-06-15&end=2027-06-15", "start=2027-06-14&end=2027-06-14"):
        html = client.get(f"{url}?{days}").text
        footprints, parking_layer = layer_data(html, "polygons")[:2]
        assert [f["id"] for f in footprints["features"]] == [june.id]
        assert [f["id"] for f in parking_layer["features"]] == [june.id]
    assert len(layer_data(client.get(url).text, "polygons")[0]["features"]) == 2
    assert len(layer_data(client.get(f"{url}?start=2027-06-16").text, "polygons")) == 1


@pytest.mark.parametrize(
    ("query", "field"), [("start=2027-13-01", "start"), ("start=2027-06-02&end=2027-06-01", "end")]
)
def test_production_map_names_a_bad_date(client, login, make_user, create_production, query, field):
    production = create_production()
    login(make_user("admin"))
    response = client.get(f"/maps/productions/{production.id}?{query}")
    assert response.status_code == 400
    assert response.get_json()["field"] == field


def test_public_map_shows_upcoming_approved_shoots_with_public_fields_only(client, create_shoot):
    shoot = create_shoot(4.8617, 50.4596, road_closure=True, notes="code de la grille: 1234",
                         crew_size=77)  # fmt: skip
    shoot.production.title = "Projet secret"
    approve(shoot, PermitStatus.APPROVED)
    past = create_shoot(5.5718, 50.6326, start=datetime.now(BRUSSELS) - timedelta(days=3))
    approve(past, PermitStatus.APPROVED)
    response = client.get("/maps/public")
    html = response.text
    footprints = layer_data(html, "polygons")[0]["features"]
    assert response.status_code == 200
    assert [f["id"] for f in footprints] == [shoot.id]
    assert set(footprints[0]["properties"]) == set(PUBLIC_SHOOT_FIELDS) - {"parking"} | {
        "title", "when", "where", "impacts"
    }  # fmt: skip
    assert footprints[0]["properties"]["impacts"] == "route fermée"
    assert footprints[0]["properties"]["production"] is None  # not listed: no title
    for private in ("Projet secret", "1234", "77", shoot.production.company):
        assert private not in popup_values(html)
    assert "Projet secret" not in html and "grille" not in html


@pytest.mark.parametrize(
    ("statuses", "public"),
    [
        ((), False),  # no request yet
        ((PermitStatus.SUBMITTED,), False),
        ((PermitStatus.APPROVED_WITH_CONDITIONS,), True),
        ((PermitStatus.APPROVED, PermitStatus.IN_REVIEW), False),  # one commune still deciding
        ((PermitStatus.APPROVED, PermitStatus.WITHDRAWN), False),  # half of it withdrawn
        ((PermitStatus.APPROVED, PermitStatus.REJECTED), False),
    ],
)
def test_public_map_waits_for_every_commune_to_approve(client, create_shoot, statuses, public):
    shoot = create_shoot(4.8690, 50.3897)  # on the Namur / Profondeville border
    approve(shoot, *statuses)
    footprints = layer_data(client.get("/maps/public").text, "polygons")[0]["features"]
    assert [f["id"] for f in footprints] == ([shoot.id] if public else [])


def test_production_map_draws_conflict_styles_and_overlays(
    client, login, make_user, create_production, create_shoot, monkeypatch
):
    production = create_production()
    shoot = create_shoot(production=production)
    red = {"color": "#c62828", "fillColor": "#c62828"}
    blackout = Overlay(
        "Blackouts",
        {"type": "FeatureCollection", "features": []},
        {"className": "tm-hatched"},
        legend=LegendEntry("Blackout", "#6a1b9a", "hatched"),
    )
    # The page draws whatever styles and overlays shoots.map_layers gives it.
    monkeypatch.setattr(
        views, "footprint_severity_styles", lambda session, ids: {i: red for i in ids}
    )
    monkeypatch.setattr(views, "production_blackouts", lambda session, production: [blackout])
    login(make_user("admin"))
    html = client.get(f"/maps/productions/{production.id}").text
    footprints = layer_data(html, "polygons")[0]["features"]
    assert footprints[0]["id"] == shoot.id and footprints[0]["properties"]["style"] == red
    assert '"Blackouts"' in html and '"shape":"hatched"' in html


def test_navigation_follows_the_policy(client, login, make_user):
    anonymous = client.get("/").text
    login(make_user("officer", commune="92094"))
    officer = client.get("/").text
    # the signed-in maps are not offered (the public map is: the home's next shoots link it)
    assert "/maps/locations" not in anonymous and "/maps/communes" not in anonymous
    assert "/maps/public" in anonymous
    assert "/maps/communes" in officer and "/maps/productions" not in officer
