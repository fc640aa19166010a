import io
import json

import pytest
from pyproj import Transformer
from sqlalchemy import func, select

from core.db import db
from locations.models import Location, LocationStatus

HEADER = "name,lon,lat,categories,tags,truck_parking_capacity,has_power\n"
GOOD_ROWS = (
    "Citadelle,4.8617,50.4596,fortress;park,remparts,10,true\n"
    "Gare de Liège,5.5667,50.6246,railway_station,gare,0,false\n"
)
to_belgian_1972 = Transformer.from_crs(4326, 31370, always_xy=True).transform
to_lambert_2008 = Transformer.from_crs(4326, 3812, always_xy=True).transform


def location_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Location))


def post_import(client, headers, content: str, name="locations.csv", **query):
    return client.post(
        "/api/v1/locations/import",
        query_string=query,
        data={"file": (io.BytesIO(content.encode()), name)},
        headers=headers,
        content_type="multipart/form-data",
    )


def test_dry_run_reports_each_row_and_stores_nothing(client, api_as):
    content = (
        HEADER
        + GOOD_ROWS
        + (
            ",4.86,50.46,,,,\n"  # no name
            "Volcan,4.86,50.46,volcano,,,\n"
            "Paris,2.35,48.85,,,,\n"
            "Inversé,50.4596,4.8617,,,,\n"
            "Texte,abc,50.46,,,,\n"
            "Camions,4.86,50.46,,,-3,\n"
        )
    )
    response = post_import(client, api_as("scout"), content, dry_run="true")
    assert response.status_code == 200, response.json
    report = response.json
    assert (report["rows"], report["accepted"], report["rejected"]) == (8, 2, 6)
    assert report["created"] == 0
    results = {r["row"]: r for r in report["results"]}
    assert results[1]["result"] == "would be created"
    assert "name" in results[3]["reason"]
    assert "unknown category 'volcano'" in results[4]["reason"]
    assert "outside Wallonia" in results[5]["reason"]
    assert "swapped" in results[6]["reason"]
    assert "must be numbers" in results[7]["reason"]
    assert "truck_parking_capacity" in results[8]["reason"]
    assert location_count() == 0


def test_a_real_import_is_all_or_nothing(client, api_as):
    content = HEADER + GOOD_ROWS + "Paris,2.35,48.85,,,,\n"
    response = post_import(client, api_as("scout"), content)
    assert response.status_code == 400 and response.json["error"] == "import_rejected"
    assert response.json["report"]["rejected"] == 1
    assert location_count() == 0


def test_a_good_csv_is_imported_as_drafts_with_derived_communes(client, api_as):
    response = post_import(client, api_as("scout"), HEADER + GOOD_ROWS)
    assert response.status_code == 201, response.json
    assert response.json["created"] == 2
    citadelle = db.session.get(Location, response.json["results"][0]["id"])
    assert citadelle.commune_nis == "92094" and citadelle.status == LocationStatus.DRAFT
    assert {c.code for c in citadelle.categories} == {"fortress", "park"}
    assert citadelle.truck_parking_capacity == 10 and citadelle.has_power
    assert citadelle.tags == ["remparts"]


def test_publishing_on_import_is_for_admins(client, api_as):
    denied = post_import(client, api_as("scout"), HEADER + GOOD_ROWS, status="published")
    assert denied.status_code == 403
    allowed = post_import(client, api_as("admin"), HEADER + GOOD_ROWS, status="published")
    assert allowed.status_code == 201
    assert client.get("/api/v1/locations").json["numberMatched"] == 2


@pytest.mark.parametrize(
    ("crs", "project"), [("EPSG:31370", to_belgian_1972), ("3812", to_lambert_2008)]
)
def test_wkt_in_belgian_lambert(client, api_as, crs, project):
    x, y = project(4.8617, 50.4596)
    content = f'name;wkt\nCitadelle;"POINT ({x:.2f} {y:.2f})"\n'
    response = post_import(client, api_as("scout"), content, crs=crs)
    assert response.status_code == 201, response.json
    location = db.session.get(Location, response.json["results"][0]["id"])
    assert location.commune_nis == "92094"


def test_geojson_with_a_self_intersecting_outline_is_rejected(client, api_as):
    bow_tie = [[4.861, 50.459], [4.862, 50.460], [4.862, 50.459], [4.861, 50.460], [4.861, 50.459]]
    square = [[4.861, 50.459], [4.862, 50.459], [4.862, 50.460], [4.861, 50.460], [4.861, 50.459]]
    collection = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"name": "Site"},
                "geometry": {"type": "Polygon", "coordinates": [square]},
            },
            {
                "type": "Feature",
                "properties": {"name": "Noeud"},
                "geometry": {"type": "Polygon", "coordinates": [bow_tie]},
            },
            {
                "type": "Feature",
                "properties": {"name": "Ligne"},
                "geometry": {"type": "LineString", "coordinates": [[4.86, 50.46], [4.87, 50.47]]},
            },
        ],
    }
    response = post_import(
        client, api_as("scout"), json.dumps(collection), "sites.geojson", dry_run="1"
    )
    results = response.json["results"]
    assert results[0]["result"] == "would be created"
    assert "Self-intersection" in results[1]["reason"]
    assert "LineString" in results[2]["reason"]


@pytest.mark.parametrize(
    ("content", "name", "words"),
    [
        ("title,lon,lat\nx,4.8,50.4\n", "a.csv", "'name' column"),
        ("name,where\nx,here\n", "a.csv", "lon and lat"),
        ("name,lon,lat\n", "a.csv", "no rows"),
        ('{"type": "FeatureCollection", "features": [', "a.geojson", "not valid JSON"),
        ('{"type": "Feature"}', "a.geojson", "FeatureCollection"),
    ],
)
def test_malformed_files_are_a_400(client, api_as, content, name, words):
    response = post_import(client, api_as("scout"), content, name)
    assert response.status_code == 400 and response.json["field"] == "file"
    assert words in response.json["detail"]


def test_ragged_csv_rows_are_rejected(client, api_as):
    response = post_import(
        client, api_as("scout"), HEADER + "Trop,4.86,50.46,,,,,extra,fields\n", dry_run="true"
    )
    assert "fields where the header has 7" in response.json["results"][0]["reason"]


def test_unsupported_crs_is_a_400(client, api_as):
    response = post_import(client, api_as("scout"), HEADER + GOOD_ROWS, crs="EPSG:2154")
    assert response.status_code == 400 and response.json["field"] == "crs"


def test_command_line_import(runner, tmp_path):
    path = tmp_path / "places.csv"
    path.write_text(HEADER + GOOD_ROWS + "Paris,2.35,48.85,,,,\n", encoding="utf-8")
    dry = runner.invoke(args=["locations", "import", str(path), "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "2 rows would be created, 1 rejected" in dry.output
    assert "row 3 (Paris): " in dry.output
    refused = runner.invoke(args=["locations", "import", str(path)])
    assert refused.exit_code == 1 and location_count() == 0
    path.write_text(HEADER + GOOD_ROWS, encoding="utf-8")
    done = runner.invoke(args=["locations", "import", str(path), "--crs", "EPSG:4326"])
    assert done.exit_code == 0 and "Imported 2 locations." in done.output
    assert location_count() == 2


def test_exported_csv_imports_again(client, api_as, create_location):
    create_location(name="Citadelle", tags=["remparts"])
    exported = client.get("/api/v1/locations/export?format=csv").get_data(as_text=True)
    db.session.execute(Location.__table__.delete())
    response = post_import(client, api_as("scout"), exported, dry_run="true")
    assert response.json["accepted"] == 1, response.json


def test_a_polygon_becomes_the_outline_around_its_point(client, api_as):
    square = [[4.861, 50.459], [4.862, 50.459], [4.862, 50.460], [4.861, 50.460], [4.861, 50.459]]
    collection = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"name": "Esplanade", "external_ref": "test:esplanade"},
                "geometry": {"type": "Polygon", "coordinates": [square]},
            }
        ],
    }
    response = post_import(client, api_as("scout"), json.dumps(collection), "s.geojson")
    assert response.status_code == 201, response.json
    feature = client.get(
        f"/api/v1/locations/{response.json['results'][0]['id']}", headers=api_as("scout")
    ).json
    assert feature["properties"]["outline"]["type"] == "Polygon"
    lon, lat = feature["geometry"]["coordinates"]
    assert 4.861 < lon < 4.862 and 50.459 < lat < 50.460
    again = post_import(client, api_as("scout"), json.dumps(collection), "s.geojson")
    assert "already in the library" in again.json["report"]["results"][0]["reason"]


def test_spatial_order_groups_neighbours_and_keeps_every_row():
    from shapely.geometry import Point

    from locations.importing import Candidate, spatial_order

    places = [(185000, 128000), (250000, 150000), (185050, 128020), (250010, 150090)]
    candidates = [Candidate(row=n, name="", point=Point(*xy)) for n, xy in enumerate(places, 1)]
    ordered = [c.row for c in spatial_order(candidates)]
    assert sorted(ordered) == [1, 2, 3, 4]
    assert {frozenset(ordered[:2]), frozenset(ordered[2:])} == {
        frozenset({1, 3}),
        frozenset({2, 4}),
    }
