"""OGC API – Features: shapes, filters, paging, negotiation and what the public never sees."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
from geoalchemy2.shape import from_shape
from shapely.geometry import MultiPolygon, Point, shape
from sqlalchemy.dialects.postgresql import Range

from core.crs import LAMBERT_72
from core.db import SRID, db
from locations.models import LocationStatus
from ogc.schemas import MAX_LIMIT, ItemsQuery
from permits.models import PermitStatus
from shoots.models import Blackout, BlackoutKind, ProductionStatus, ShootStatus
from tests.conftest import BRUSSELS, approve, to_lambert

NAMUR = (4.8617, 50.4596)
ARLON = (5.8167, 49.6833)
PRIVATE_FIELDS = ("contact_name", "contact_phone", "contact_email", "owner_notes")


@pytest.fixture
def locations(create_location):
    return {
        "citadelle": create_location(
            *NAMUR,
            name="Citadelle",
            contact_name="M. Secret",
            contact_phone="+32 81 00 00 00",
            contact_email="secret@example.be",
            owner_notes="dog",
        ),
        "arlon": create_location(*ARLON, name="Place Léopold"),
        "draft": create_location(*NAMUR, name="Brouillon", status=LocationStatus.DRAFT),
        "archived": create_location(*NAMUR, name="Ancien", status=LocationStatus.ARCHIVED),
    }


def features(client, url: str) -> dict:
    response = client.get(url)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "application/geo+json"
    return response.get_json()


def links(document: dict, rel: str) -> list[str]:
    return [link["href"] for link in document["links"] if link["rel"] == rel]


def test_landing_page_links_the_api_description_conformance_and_data(client):
    landing = client.get("/ogc", headers={"Accept": "application/json"}).get_json()
    relations = {link["rel"] for link in landing["links"]}
    assert {"self", "alternate", "service-desc", "service-doc", "conformance", "data"} <= relations
    service_desc = client.get(links(landing, "service-desc")[0])
    assert service_desc.mimetype == "application/vnd.oai.openapi+json"
    assert "/ogc/collections/{collection_id}/items" in service_desc.get_json()["paths"]
    conformance = client.get("/ogc/conformance").get_json()["conformsTo"]
    assert "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core" in conformance
    assert "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson" in conformance


def test_collections_have_spatial_and_temporal_extents(client, locations, create_shoot):
    start = datetime.now(BRUSSELS).replace(microsecond=0) + timedelta(days=3)
    approve(create_shoot(*NAMUR, start=start, hours=10), PermitStatus.APPROVED)
    listed = client.get("/ogc/collections?f=json").get_json()["collections"]
    assert [c["id"] for c in listed] == ["communes", "locations", "shoots", "blackouts"]
    by_id = {c["id"]: c for c in listed}
    west, south, east, north = by_id["locations"]["extent"]["spatial"]["bbox"][0]
    # It covers the data, a little wider (taken in EPSG:3812): a few hundredths of a degree.
    assert west <= NAMUR[0] and east >= ARLON[0] and south <= ARLON[1] and north >= NAMUR[1]
    assert (west, east) == (pytest.approx(NAMUR[0], abs=0.03), pytest.approx(ARLON[0], abs=0.03))
    assert (south, north) == (pytest.approx(ARLON[1], abs=0.03), pytest.approx(NAMUR[1], abs=0.03))
    (interval,) = by_id["shoots"]["extent"]["temporal"]["interval"]
    assert datetime.fromisoformat(interval[0]) == start
    assert datetime.fromisoformat(interval[1]) == start + timedelta(hours=10)
    assert "temporal" not in by_id["locations"]["extent"]
    one = client.get("/ogc/collections/locations").get_json()
    assert one["extent"] == by_id["locations"]["extent"]
    assert {link["rel"] for link in one["links"]} >= {"self", "alternate", "items"}


def test_locations_are_published_ones_with_public_fields_only(client, locations):
    body = features(client, "/ogc/collections/locations/items")
    assert body["numberMatched"] == body["numberReturned"] == 2
    names = {f["properties"]["name"] for f in body["features"]}
    assert names == {"Citadelle", "Place Léopold"}
    citadelle = next(f for f in body["features"] if f["properties"]["name"] == "Citadelle")
    assert citadelle["geometry"] == {"type": "Point", "coordinates": list(NAMUR)}
    assert citadelle["properties"]["commune"] == "Namur"
    text = client.get("/ogc/collections/locations/items").get_data(as_text=True)
    for private in (*PRIVATE_FIELDS, "M. Secret", "secret@example.be", "+32 81"):
        assert private not in text
    draft = locations["draft"].id
    assert client.get(f"/ogc/collections/locations/items/{draft}").status_code == 404


def test_bbox_selects_what_intersects_it(client, locations):
    around_namur = "4.80,50.40,4.95,50.50"
    body = features(client, f"/ogc/collections/locations/items?bbox={around_namur}")
    assert [f["properties"]["name"] for f in body["features"]] == ["Citadelle"]
    # A commune polygon reaching into the box is matched even if its centre is outside it.
    communes = features(client, f"/ogc/collections/communes/items?bbox={around_namur}&limit=50")
    assert "92094" in {f["id"] for f in communes["features"]}
    assert "81001" not in {f["id"] for f in communes["features"]}  # Arlon
    far_away = features(client, "/ogc/collections/locations/items?bbox=-10,40,-9,41")
    assert far_away["numberMatched"] == 0 and far_away["features"] == []
    whole_world = features(client, "/ogc/collections/locations/items?bbox=-180,-90,180,90")
    assert whole_world["numberMatched"] == 2


@pytest.mark.parametrize(
    ("query", "reason"),
    [
        ("bbox=4.8,50.4,4.9", "four numbers"),
        ("bbox=4.8,50.4,4.9,50.5,0,10", "three-dimensional"),
        ("bbox=4.9,50.4,4.8,50.5", "antimeridian"),
        ("bbox=4.8,50.5,4.9,50.4", "minimum latitude"),
        ("bbox=4.8,nan,4.9,50.5", "four numbers"),
        ("bbox=4.8,1e999,4.9,50.5", "finite"),
        ("bbox=4.8,-95,4.9,50.5", "latitudes"),
        ("datetime=yesterday", "RFC 3339"),
        ("datetime=20270601", "RFC 3339"),  # ISO 8601's basic form: Python reads it, RFC 3339 not
        ("datetime=2027-06-01T07", "RFC 3339"),
        ("datetime=2027-06-01T07:00z", "RFC 3339"),
        ("datetime=../..", "at least one end"),
        ("datetime=2027-06-02/2027-06-01", "ends before it starts"),
        ("limit=0", "greater than or equal to 1"),
        ("offset=-1", "greater than or equal to 0"),
        ("f=xml", "'json' or 'html'"),
    ],
)
def test_bad_parameters_are_400_naming_the_parameter(client, query, reason):
    response = client.get(f"/ogc/collections/locations/items?{query}")
    assert response.status_code == 400
    body = response.get_json()
    assert body["code"] == "InvalidParameterValue"
    assert body["field"] == query.split("=")[0]
    assert reason in body["description"]


def test_paging_with_next_and_prev_links(client, create_location):
    for number in range(5):
        create_location(4.86 + number / 1000, 50.46, name=f"Lieu {number}")
    first = features(client, "/ogc/collections/locations/items?limit=2")
    assert first["numberMatched"] == 5 and first["numberReturned"] == 2
    assert links(first, "prev") == []
    seen = [f["properties"]["name"] for f in first["features"]]
    page = first
    while links(page, "next"):
        page = features(client, links(page, "next")[0])
        seen += [f["properties"]["name"] for f in page["features"]]
    assert seen == [f"Lieu {n}" for n in range(5)]
    assert page["numberReturned"] == 1 and links(page, "prev")
    back = features(client, links(page, "prev")[0])
    assert [f["properties"]["name"] for f in back["features"]] == ["Lieu 2", "Lieu 3"]
    beyond = features(client, "/ogc/collections/locations/items?limit=2&offset=10")
    assert beyond["numberMatched"] == 5 and beyond["features"] == []


def test_limit_above_the_maximum_is_served_as_the_maximum(client, create_location):
    create_location(*NAMUR)
    body = features(client, "/ogc/collections/locations/items?limit=50000")
    assert body["numberReturned"] == 1
    assert ItemsQuery.model_validate({"limit": "50000"}).limit == MAX_LIMIT


def test_upcoming_shoots_hide_unapproved_past_cancelled_and_private_data(
    client, create_shoot, create_production
):
    now = datetime.now(BRUSSELS).replace(microsecond=0)
    production = create_production(
        title="Les Ardennes", listed=True, contact_email="prod@example.be"
    )
    upcoming = create_shoot(
        *NAMUR,
        start=now + timedelta(days=2),
        production=production,
        notes="code porte 1234",
        crew_size=40,
    )
    ongoing = create_shoot(*ARLON, start=now - timedelta(hours=2), hours=5)
    hidden = [
        create_shoot(*NAMUR, start=now - timedelta(days=2)),  # over
        create_shoot(*NAMUR, start=now + timedelta(days=2), status=ShootStatus.CANCELLED),
        create_shoot(
            *NAMUR,
            start=now + timedelta(days=2),
            production=create_production(status=ProductionStatus.CANCELLED),
        ),
    ]
    for shoot in (upcoming, ongoing, *hidden):
        approve(shoot, PermitStatus.APPROVED)
    approve(create_shoot(*NAMUR, start=now + timedelta(days=3)), PermitStatus.IN_REVIEW)
    approve(  # one commune said yes, the other no: not announced
        create_shoot(*NAMUR, start=now + timedelta(days=4)),
        PermitStatus.APPROVED,
        PermitStatus.REJECTED,
    )
    body = features(client, "/ogc/collections/shoots/items")
    assert {f["id"] for f in body["features"]} == {upcoming.id, ongoing.id}
    shown = next(f for f in body["features"] if f["id"] == upcoming.id)
    assert shown["properties"] == {
        "production": "Les Ardennes",
        "production_type": "feature",
        "start": (now + timedelta(days=2)).isoformat(),
        "end": (now + timedelta(days=2, hours=10)).isoformat(),
        "place": None,  # no library location
        "communes": ["Namur"],  # the commune that approved it
        "road_closure": False,
        "parking_suspension": False,
        "night_shoot": False,
        "parking": None,
    }
    production.listed = False  # confidential: the shoot stays public, its title does not
    body = features(client, f"/ogc/collections/shoots/items/{upcoming.id}")
    assert body["properties"]["production"] is None
    assert shown["geometry"]["type"] == "MultiPolygon"
    text = client.get("/ogc/collections/shoots/items").get_data(as_text=True)
    assert "prod@example.be" not in text and "1234" not in text and "crew" not in text


def test_datetime_filters_shoots_by_their_half_open_period(client, create_shoot):
    start = datetime(2099, 6, 14, 7, 0, tzinfo=BRUSSELS)
    shoot = create_shoot(*NAMUR, start=start, hours=10)  # [07:00, 17:00)
    approve(shoot, PermitStatus.APPROVED)

    def found(value: str) -> bool:
        body = features(client, f"/ogc/collections/shoots/items?datetime={value}")
        return shoot.id in {f["id"] for f in body["features"]}

    assert found("2099-06-14T07:00:00%2B02:00")
    assert not found("2099-06-14T17:00:00%2B02:00")  # the end is excluded
    assert found("2099-06-14")  # the whole Brussels day
    assert not found("2099-06-15")
    assert found("2099-06-14T14:59:59Z/..")  # 16:59:59 in Brussels (summer time)
    assert not found("2099-06-14T15:00:00Z/..")  # 17:00: the shoot is over
    assert found("../2099-06-14T05:00:00Z")  # 07:00 Brussels, the first instant
    assert not found("../2099-06-14T04:59:59Z")
    assert found("2099-06-01/2099-06-30")
    assert not found("2099-07-01/2099-07-31")


def test_single_feature_and_unknown_ids(client, locations):
    citadelle = locations["citadelle"].id
    response = client.get(f"/ogc/collections/locations/items/{citadelle}")
    assert response.mimetype == "application/geo+json"
    body = response.get_json()
    assert body["id"] == citadelle and body["properties"]["name"] == "Citadelle"
    assert {link["rel"] for link in body["links"]} >= {"self", "alternate", "collection"}
    assert client.get("/ogc/collections/communes/items/92094").get_json()["id"] == "92094"
    for missing in ("999999", "abc", "99999999999999999999"):
        assert client.get(f"/ogc/collections/locations/items/{missing}").status_code == 404
    assert client.get("/ogc/collections/nothing/items").status_code == 404


def test_html_for_browsers_json_for_clients(client, locations):
    browser = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
    page = client.get("/ogc/collections/locations/items", headers=browser)
    assert page.mimetype == "text/html"
    assert "Citadelle" in page.get_data(as_text=True)
    assert "Accept" in page.headers["Vary"]
    assert client.get("/ogc/collections/locations/items", headers={"Accept": "*/*"}).mimetype == (
        "application/geo+json"
    )
    second_page = client.get("/ogc/collections/locations/items?f=html&limit=1").get_data(
        as_text=True
    )
    assert 'items?f=html&amp;limit=1&amp;offset=1" rel="next"' in second_page
    forced = client.get("/ogc/collections/locations/items?f=json", headers=browser)
    assert forced.mimetype == "application/geo+json"
    for url in (
        "/ogc",
        "/ogc/conformance",
        "/ogc/collections",
        "/ogc/collections/locations",
        f"/ogc/collections/locations/items/{locations['citadelle'].id}",
        "/ogc/api",
    ):
        response = client.get(url + "?f=html")
        assert response.status_code == 200 and response.mimetype == "text/html", url


def test_html_escapes_feature_properties(client, create_location):
    create_location(*NAMUR, name="<script>alert(1)</script>")
    page = client.get("/ogc/collections/locations/items?f=html").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_filters_and_odd_parameter_names_are_kept_in_links(client, create_location):
    for number in range(2):
        create_location(*NAMUR, name=f"Citadelle {number}")
    url = "/ogc/collections/locations/items?commune_nis=92094&limit=1&crs=" + LAMBERT_72.uri
    body = features(client, url)
    assert body["numberMatched"] == 2 and body["numberReturned"] == 1
    (next_page,) = links(body, "next")
    assert "/ogc/collections/locations/items?" in next_page
    assert "commune_nis=92094" in next_page and "crs=http" in next_page


def test_landing_page_with_a_trailing_slash(client):
    assert client.get("/ogc/", headers={"Accept": "application/json"}).status_code == 200


def test_blackouts_collection_shows_current_ones_with_their_area_or_commune(client, app):
    now = datetime.now(BRUSSELS).replace(microsecond=0)
    square = Point(*to_lambert(*NAMUR)).buffer(100, cap_style="square")

    def blackout(title: str, start: datetime, area=None, commune: str = "92094") -> Blackout:
        row = Blackout(
            commune_nis=commune,
            kind=BlackoutKind.MARKET,
            title=title,
            area=from_shape(MultiPolygon([area]), srid=SRID) if area is not None else None,
            period=Range(start, start + timedelta(days=30), bounds="[)"),
        )
        db.session.add(row)
        db.session.flush()
        return row

    market = blackout("Marché du samedi", now - timedelta(days=1), area=square)
    moratorium = blackout("Moratoire d'été", now + timedelta(days=5), commune="81001")
    blackout("Travaux finis", now - timedelta(days=60), area=square)
    body = features(client, "/ogc/collections/blackouts/items")
    by_id = {f["id"]: f for f in body["features"]}
    assert set(by_id) == {market.id, moratorium.id}
    assert by_id[market.id]["properties"]["title"] == "Marché du samedi"
    assert shape(by_id[market.id]["geometry"]).contains(Point(*NAMUR))
    assert shape(by_id[moratorium.id]["geometry"]).contains(Point(*ARLON))  # Arlon, commune-wide
    near_namur = features(client, "/ogc/collections/blackouts/items?bbox=4.80,50.40,4.95,50.50")
    assert [f["id"] for f in near_namur["features"]] == [market.id]


@pytest.mark.parametrize(
    "value",
    ["2027-06-01", "2027-06-01T07:00", "2027-06-01t07:00:00.5Z", "2027-06-01T07:00+02:00",
     "2027-06-01/..", "../2027-06-01", "/2027-06-01", "2027-06-01/2027-06-02T10:00Z"],
)  # fmt: skip
def test_the_described_datetime_pattern_is_what_the_server_takes(client, value):
    description = client.get("/ogc/api?f=json").get_json()
    items = description["paths"]["/ogc/collections/{collection_id}/items"]["get"]
    (schema,) = [p["schema"] for p in items["parameters"] if p["name"] == "datetime"]
    assert re.fullmatch(schema["pattern"], value)
    items_url = "/ogc/collections/shoots/items"
    assert client.get(items_url, query_string={"datetime": value}).status_code == 200
    for refused in (value + "x", value.replace("-06-", "-13-")):
        assert not re.fullmatch(schema["pattern"], refused)
        assert client.get(items_url, query_string={"datetime": refused}).status_code == 400
