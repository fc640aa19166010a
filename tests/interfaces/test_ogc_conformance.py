"""OGC API – Features conformance: unknown parameters, exceptions, datetime and limit edges
(Part 1), CRS by reference (Part 2), queryables (Part 3) and HTTP caching."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from geoalchemy2.shape import from_shape
from pyproj import Transformer
from shapely.geometry import Point
from sqlalchemy import insert

from core.crs import CRS84, LAMBERT_72, LAMBERT_2008, WGS84_LATITUDE_FIRST
from core.db import SRID, db
from core.validation import EARLIEST_DATE, LATEST_DATE
from locations.models import Category, Location, LocationStatus
from ogc.description import CONFORMANCE
from ogc.filters import parse_datetime
from ogc.schemas import MAX_LIMIT
from permits.models import PermitStatus
from tests.conftest import BRUSSELS, PASSWORD, approve, to_lambert

NAMUR = (4.8617, 50.4596)
ARLON = (5.8167, 49.6833)
AROUND_NAMUR = (4.80, 50.40, 4.95, 50.50)
to_lambert_72 = Transformer.from_crs(4326, 31370, always_xy=True).transform


def ok(client, url: str, **headers: str):
    response = client.get(url, headers=headers)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response


def items(client, query: str, collection: str = "locations") -> dict:
    return ok(client, f"/ogc/collections/{collection}/items?{query}").get_json()


def ids(body: dict) -> set:
    return {feature["id"] for feature in body["features"]}


# ---- Part 1: parameters, exceptions, datetime, limit -------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/ogc?foo=1",
        "/ogc/conformance?bbox=1,2,3,4",
        "/ogc/collections?limit=5",
        "/ogc/collections/locations?foo=1",
        "/ogc/collections/locations/items?foo=1",
        "/ogc/collections/locations/items?province=Namur",  # a queryable of communes only
        "/ogc/collections/locations/items?Limit=5",  # names are case-sensitive
        "/ogc/collections/locations/items/1?bbox=1,2,3,4",
        "/ogc/collections/locations/queryables?limit=1",
    ],
)
def test_unknown_parameters_are_a_400_naming_them(client, url):
    response = client.get(url)
    assert response.status_code == 400
    assert response.mimetype == "application/json"
    body = response.get_json()
    name = url.split("?")[1].split("=")[0]
    assert body["code"] == "InvalidParameterValue"
    assert body["field"] == name
    assert body["description"].startswith(f"{name}: is not a parameter of this operation")


def test_declared_parameters_are_accepted_everywhere(client, create_location):
    create_location(*NAMUR)
    for url in (
        "/ogc?f=json&lang=de",
        "/ogc/conformance?f=json",
        f"/ogc/collections?crs={LAMBERT_72.uri}",  # clients that add crs to every request
        "/ogc/collections/communes/items?province=Province%20de%20Namur&limit=1&offset=1",
    ):
        ok(client, url)
    german = ok(client, "/ogc/collections/locations?lang=de").get_json()
    assert german["title"] != ok(client, "/ogc/collections/locations?lang=fr").get_json()["title"]


@pytest.mark.parametrize(
    ("method", "url", "status", "code"),
    [
        ("GET", "/ogc/foo", 404, "NotFound"),
        ("GET", "/ogc/collections/nothing", 404, "NotFound"),
        ("GET", "/ogc/collections/nothing/items", 404, "NotFound"),
        ("GET", "/ogc/collections/nothing/queryables", 404, "NotFound"),
        ("GET", "/ogc/collections/locations/items/999999", 404, "NotFound"),
        ("GET", "/ogc/collections/locations/items/1/extra", 404, "NotFound"),
        ("POST", "/ogc/collections/locations/items", 405, "OperationNotSupported"),
        ("DELETE", "/ogc/collections", 405, "OperationNotSupported"),
    ],
)
@pytest.mark.parametrize("accept", [None, "*/*", "application/json", "application/geo+json"])
def test_errors_are_ogc_exceptions_in_json(client, method, url, status, code, accept):
    headers = {"Accept": accept} if accept else {}
    response = client.open(url, method=method, headers=headers)
    assert response.status_code == status
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert body["code"] == code and body["description"]
    if status == 405:
        assert "GET" in response.headers["Allow"]


def test_errors_are_pages_only_for_clients_that_ask_for_html(client):
    browser = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}
    page = client.get("/ogc/foo", headers=browser)
    assert page.status_code == 404 and page.mimetype == "text/html"
    forced = client.get("/ogc/collections/nothing?f=html")
    assert forced.status_code == 404 and forced.mimetype == "text/html"
    assert "nothing" in forced.get_data(as_text=True)
    bad = client.get("/ogc/collections/locations/items?f=html&limit=0")
    assert bad.status_code == 400 and bad.mimetype == "text/html"
    as_json = client.get("/ogc/collections/nothing?f=json", headers=browser)
    assert as_json.mimetype == "application/json"


@pytest.fixture
def june_shoot(create_shoot):
    shoot = create_shoot(*NAMUR, start=datetime(2099, 6, 14, 7, 0, tzinfo=BRUSSELS), hours=10)
    approve(shoot, PermitStatus.APPROVED)
    return shoot


@pytest.mark.parametrize(
    ("value", "found"),
    [
        ("../9999-12-31", True),
        ("../9999-12-31T23:59:59Z", True),
        ("0001-01-01/..", True),
        ("0001-01-01T00:00:00%2B05:00/9999-12-31", True),
        ("0001-01-01/2099-06-14", True),
        ("2099-06-14/9999-12-31", True),
        ("9999-12-31", False),
        ("0001-01-01", False),
        ("9999-12-31/..", False),
        ("../0001-01-01", False),
        ("0001-01-01/0001-12-31", False),
    ],
)
def test_open_ended_and_extreme_datetimes_are_clamped(client, june_shoot, value, found):
    body = items(client, f"datetime={value}", "shoots")
    assert (june_shoot.id in ids(body)) is found


@pytest.mark.parametrize(
    "value", ["9999-12-31/0001-01-01", "9999-12-31T00:00:00Z/2099-01-01", "10000-01-01/.."]
)
def test_extreme_datetimes_still_say_what_is_wrong(client, value):
    response = client.get(f"/ogc/collections/shoots/items?datetime={value}")
    assert response.status_code == 400
    assert response.get_json()["field"] == "datetime"


def test_datetime_window_edges():
    """Inside [2000-01-01, 2100-01-01] Brussels time a bound is kept; past it, unbounded."""
    assert parse_datetime("2000-01-01T00:00:00+01:00/..").start == EARLIEST_DATE
    assert parse_datetime("1999-12-31T23:59:59+01:00/..").start is None
    assert parse_datetime("../2100-01-01T00:00:00+01:00").end == LATEST_DATE
    assert parse_datetime("../2100-01-01T00:00:01+01:00").end is None
    assert not parse_datetime("2100-01-01T00:00:00+01:00").empty
    assert parse_datetime("2100-01-01T00:00:01+01:00").empty


@pytest.fixture
def many_locations(create_location):
    """MAX_LIMIT + 1 published locations around Namur, inserted in one statement."""
    commune = create_location(*NAMUR).commune_nis
    rows = [
        {
            "name": f"Lieu {number}",
            "status": LocationStatus.PUBLISHED,
            "point": from_shape(Point(*to_lambert(4.86, 50.46)), srid=SRID),
            "commune_nis": commune,
        }
        for number in range(MAX_LIMIT)
    ]
    db.session.execute(insert(Location), rows)
    return MAX_LIMIT + 1


@pytest.mark.parametrize(
    ("limit", "returned"), [(MAX_LIMIT, MAX_LIMIT), (MAX_LIMIT + 1, MAX_LIMIT)]
)
def test_limit_is_clamped_to_the_declared_maximum(client, many_locations, limit, returned):
    body = items(client, f"limit={limit}")
    assert body["numberMatched"] == many_locations
    assert body["numberReturned"] == len(body["features"]) == returned
    (next_page,) = [link["href"] for link in body["links"] if link["rel"] == "next"]
    assert f"limit={MAX_LIMIT}&" in next_page + "&" and f"offset={MAX_LIMIT}" in next_page
    last = ok(client, next_page).get_json()
    assert last["numberReturned"] == many_locations - MAX_LIMIT


def test_conformance_lists_exactly_what_is_implemented(client):
    conforms = ok(client, "/ogc/conformance").get_json()["conformsTo"]
    assert conforms == CONFORMANCE
    assert set(conforms) == {
        "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
        "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
        "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/html",
        "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
        "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs",
        "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables",
        "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables-query-parameters",
    }


# ---- Part 2: CRS by reference ---------------------------------------------------------------


def test_collections_declare_their_crs_and_storage_crs(client):
    for collection in ok(client, "/ogc/collections").get_json()["collections"]:
        assert collection["crs"] == [
            "http://www.opengis.net/def/crs/OGC/1.3/CRS84",
            "http://www.opengis.net/def/crs/EPSG/0/4326",
            "http://www.opengis.net/def/crs/EPSG/0/3812",
            "http://www.opengis.net/def/crs/EPSG/0/31370",
        ]
        assert collection["storageCrs"] == "http://www.opengis.net/def/crs/EPSG/0/3812"


@pytest.mark.parametrize(
    ("crs", "expected"),
    [
        (None, NAMUR),
        (CRS84, NAMUR),
        (WGS84_LATITUDE_FIRST, (NAMUR[1], NAMUR[0])),  # EPSG:4326 is latitude first
        (LAMBERT_2008, to_lambert(*NAMUR)),
        (LAMBERT_72, to_lambert_72(*NAMUR)),
    ],
)
def test_features_in_the_requested_crs_and_axis_order(client, create_location, crs, expected):
    location = create_location(*NAMUR)
    query = f"crs={crs.uri}" if crs else ""
    tolerance = 1e-6 if crs in (None, CRS84, WGS84_LATITUDE_FIRST) else 0.01  # 0.1 m, 1 cm
    for url in (
        f"/ogc/collections/locations/items?{query}",
        f"/ogc/collections/locations/items/{location.id}?{query}",
    ):
        response = ok(client, url)
        assert response.headers["Content-Crs"] == f"<{(crs or CRS84).uri}>"
        body = response.get_json()
        geometry = body["features"][0]["geometry"] if "features" in body else body["geometry"]
        assert geometry["coordinates"] == pytest.approx(list(expected), abs=tolerance)


def test_polygons_come_in_the_requested_crs(client):
    """A commune boundary (MultiPolygon) in Lambert 72 lies where pyproj puts its CRS84 copy."""
    lambert = items(client, f"limit=1&crs={LAMBERT_72.uri}", "communes")["features"]
    crs84 = items(client, "limit=1", "communes")["features"]
    first_ring = crs84[0]["geometry"]["coordinates"][0][0]
    expected = [to_lambert_72(lon, lat) for lon, lat in first_ring]
    got = lambert[0]["geometry"]["coordinates"][0][0]
    assert len(got) == len(expected)
    for point, want in zip(got, expected, strict=True):
        assert point == pytest.approx(list(want), abs=0.2)  # CRS84 kept 6 decimals: ~0.1 m


@pytest.mark.parametrize("parameter", ["crs", "bbox-crs"])
@pytest.mark.parametrize(
    "value",
    ["EPSG:31370", "http://www.opengis.net/def/crs/EPSG/0/32631", "urn:ogc:def:crs:EPSG::3812"],
)
def test_unsupported_crs_is_a_400(client, parameter, value):
    response = client.get(f"/ogc/collections/locations/items?{parameter}={value}")
    assert response.status_code == 400
    body = response.get_json()
    assert body["field"] == parameter and "not a supported CRS" in body["description"]
    assert LAMBERT_72.uri in body["description"]


@pytest.fixture
def grid(create_location):
    """Locations every 0.05° around Namur: in or out of AROUND_NAMUR by 1 km at least."""
    return {
        (lon, lat): create_location(lon, lat, name=f"{lon},{lat}").id
        for lon in (4.70, 4.75, 4.85, 4.90, 5.05)
        for lat in (50.35, 50.45, 50.55)
    }


def test_bbox_in_any_crs_selects_the_same_features(client, grid):
    west, south, east, north = AROUND_NAMUR
    inside = {fid for (lon, lat), fid in grid.items() if west < lon < east and south < lat < north}
    assert len(inside) == 2

    def selected(box, crs) -> set:
        query = "bbox=" + ",".join(f"{value:.6f}" for value in box) + "&limit=100"
        return ids(items(client, query + (f"&bbox-crs={crs.uri}" if crs else "")))

    corners = [(west, south), (east, south), (east, north), (west, north)]
    for crs, project in ((LAMBERT_72, to_lambert_72), (LAMBERT_2008, to_lambert)):
        xs, ys = zip(*(project(*corner) for corner in corners), strict=True)
        assert selected((min(xs), min(ys), max(xs), max(ys)), crs) == inside
    assert selected(AROUND_NAMUR, None) == inside
    assert selected(AROUND_NAMUR, CRS84) == inside
    assert selected((south, west, north, east), WGS84_LATITUDE_FIRST) == inside


@pytest.mark.parametrize(
    ("bbox", "reason"),
    [
        ("170000,120000,180000", "four numbers"),
        ("180000,120000,170000,130000", "minimum is above the maximum"),
        ("170000,nan,180000,130000", "finite"),
    ],
)
def test_bad_metric_bbox_is_a_400(client, bbox, reason):
    url = f"/ogc/collections/locations/items?bbox={bbox}&bbox-crs={LAMBERT_72.uri}"
    response = client.get(url)
    assert response.status_code == 400
    body = response.get_json()
    assert body["field"] == "bbox" and reason in body["description"]


def test_metric_bbox_far_from_belgium_matches_nothing(client, grid):
    box = "-9000000,-9000000,-8000000,-8000000"
    body = items(client, f"bbox={box}&bbox-crs={LAMBERT_72.uri}")
    assert body["numberMatched"] == 0
    everything = items(client, f"bbox=-9e9,-9e9,9e9,9e9&bbox-crs={LAMBERT_72.uri}&limit=100")
    assert everything["numberMatched"] == len(grid)


# ---- Part 3: queryables ---------------------------------------------------------------------


def test_queryables_are_a_json_schema_from_the_collection_declaration(client):
    response = ok(client, "/ogc/collections/locations/queryables")
    assert response.mimetype == "application/schema+json"
    schema = response.get_json()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"] == "http://localhost/ogc/collections/locations/queryables"
    assert schema["type"] == "object" and schema["additionalProperties"] is False
    properties = schema["properties"]
    assert properties["has_power"]["type"] == "boolean"
    assert properties["truck_parking_capacity"]["type"] == "integer"
    assert properties["commune_nis"]["type"] == "string"
    assert properties["categories"] == {
        "title": "categories",
        "type": "array",
        "items": {"type": "string"},
    }
    for not_queryable in ("description", "access_notes", "updated_at", "contact_email"):
        assert not_queryable not in properties
    shoots = ok(client, "/ogc/collections/shoots/queryables").get_json()["properties"]
    assert shoots["production_type"]["enum"][:2] == ["feature", "series"]
    # permits.public's fields, as every public output has them (times: datetime, the
    # parking zone: not a parameter's type).
    assert set(shoots) == {
        "production", "production_type", "place", "communes", "road_closure",
        "parking_suspension", "night_shoot",
    }  # fmt: skip
    assert shoots["communes"]["type"] == "array" and shoots["night_shoot"]["type"] == "boolean"
    collection = ok(client, "/ogc/collections/locations").get_json()
    (link,) = [
        link
        for link in collection["links"]
        if link["rel"] == "http://www.opengis.net/def/rel/ogc/1.0/queryables"
    ]
    assert link["href"].endswith("/ogc/collections/locations/queryables")
    assert ok(client, "/ogc/collections/locations/queryables?f=html").mimetype == "text/html"


def test_queryables_filter_as_query_parameters(client, create_location, create_shoot):
    castle = db.session.get(Category, "castle")
    powered = create_location(*NAMUR, has_power=True, truck_parking_capacity=4)
    castle_in_arlon = create_location(*ARLON, categories=[castle])
    plain = create_location(*NAMUR)
    assert ids(items(client, "has_power=true")) == {powered.id}
    assert ids(items(client, "has_power=false")) == {castle_in_arlon.id, plain.id}
    assert ids(items(client, "commune_nis=92094")) == {powered.id, plain.id}
    assert ids(items(client, "commune_nis=92094&has_power=false")) == {plain.id}
    assert ids(items(client, "truck_parking_capacity=4")) == {powered.id}
    assert ids(items(client, "categories=castle")) == {castle_in_arlon.id}
    assert ids(items(client, "name=No%20such%20place")) == set()
    namur = ids(items(client, "province=Province%20de%20Namur&limit=100", "communes"))
    assert "92094" in namur and "81001" not in namur
    start = datetime.now(BRUSSELS) + timedelta(days=2)
    shoot = create_shoot(*NAMUR, start=start)
    approve(shoot, PermitStatus.APPROVED)
    assert ids(items(client, "production_type=feature", "shoots")) == {shoot.id}
    assert ids(items(client, "production_type=series", "shoots")) == set()
    assert ids(items(client, "communes=Namur", "shoots")) == {shoot.id}  # an array subquery
    assert ids(items(client, "communes=Arlon", "shoots")) == set()
    assert ids(items(client, "night_shoot=false", "shoots")) == {shoot.id}


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("has_power=maybe", "has_power"),
        ("truck_parking_capacity=2147483648", "truck_parking_capacity"),
        ("truck_parking_capacity=1e308", "truck_parking_capacity"),
        ("name=" + "x" * 501, "name"),
    ],
)
def test_bad_queryable_values_are_a_400(client, query, field):
    response = client.get(f"/ogc/collections/locations/items?{query}")
    assert response.status_code == 400
    assert response.get_json()["field"] == field


def test_queryable_just_inside_the_integer_range_is_no_error(client):
    assert items(client, "truck_parking_capacity=2147483647")["numberMatched"] == 0


def test_queryable_enum_outside_its_values_is_a_400(client):
    response = client.get("/ogc/collections/shoots/items?production_type=opera")
    assert response.status_code == 400 and response.get_json()["field"] == "production_type"


def test_the_api_document_declares_each_collections_queryables(client):
    spec = ok(client, "/ogc/api?f=json").get_json()
    operation = spec["paths"]["/ogc/collections/locations/items"]["get"]
    names = [parameter["name"] for parameter in operation["parameters"]]
    assert names[:3] == ["f", "lang", "crs"] and "collection_id" not in names
    assert {"has_power", "commune_nis", "categories"} <= set(names)
    assert "province" not in names
    shoots = spec["paths"]["/ogc/collections/shoots/items"]["get"]
    assert {"production", "production_type"} <= {p["name"] for p in shoots["parameters"]}
    assert spec["components"]["schemas"]["Error"]["required"] == ["code"]


# ---- HTTP caching ---------------------------------------------------------------------------


def test_items_carry_a_weak_etag_and_answer_304_while_unchanged(client, create_location):
    location = create_location(*NAMUR)
    url = "/ogc/collections/locations/items"
    first = ok(client, url)
    etag = first.headers["ETag"]
    assert etag.startswith('W/"')
    assert first.headers["Access-Control-Expose-Headers"] == "Content-Crs, ETag"
    assert first.headers["Cache-Control"] in ("public, max-age=60", "max-age=60, public")
    again = client.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.get_data() == b""
    assert again.headers["ETag"] == etag
    assert ok(client, url + "?limit=1").headers["ETag"] != etag  # another page, another tag
    location.name = "Renamed"
    db.session.flush()
    changed = client.get(url, headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag


def test_a_location_has_its_last_modified_time(client, create_location):
    location = create_location(*NAMUR)
    url = f"/ogc/collections/locations/items/{location.id}"
    first = ok(client, url)
    modified = first.headers["Last-Modified"]
    assert first.last_modified == location.updated_at.replace(microsecond=0)
    assert client.get(url, headers={"If-Modified-Since": modified}).status_code == 304
    assert client.get(url, headers={"If-None-Match": first.headers["ETag"]}).status_code == 304
    location.updated_at = location.updated_at + timedelta(seconds=5)
    location.name = "Renamed"
    db.session.flush()
    assert client.get(url, headers={"If-Modified-Since": modified}).status_code == 200
    communes = ok(client, "/ogc/collections/communes/items/92094")
    assert "Last-Modified" not in communes.headers  # no record of when a commune changed


def test_documents_without_features_get_an_etag_too(client):
    landing = ok(client, "/ogc?f=json")
    assert (
        client.get("/ogc?f=json", headers={"If-None-Match": landing.headers["ETag"]}).status_code
        == 304
    )


def test_signed_in_visitors_get_private_answers(client, make_user):
    anonymous = ok(client, "/ogc/collections/locations/items?f=html")
    assert "public" in anonymous.headers["Cache-Control"]
    user = make_user("scout")
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302
    for url in ("/ogc/collections/locations/items?f=html", "/ogc/collections/locations/items"):
        cache_control = ok(client, url).headers["Cache-Control"]
        assert "private" in cache_control and "public" not in cache_control


def test_errors_are_not_cached_as_public(client):
    response = client.get("/ogc/collections/nothing")
    assert "public" not in response.headers.get("Cache-Control", "")
    assert "ETag" not in response.headers
