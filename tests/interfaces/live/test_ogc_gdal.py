"""GDAL's OGC API – Features driver (what QGIS uses) reads our collections from a real server."""

from __future__ import annotations

import json
import sqlite3
import subprocess

import pytest

from core.crs import LAMBERT_72, LAMBERT_2008
from ogc.collections import COLLECTIONS
from tests.interfaces.live.ogc_reference import assert_same_place, stored_features

AROUND_NAMUR = (4.80, 50.40, 4.95, 50.50)


def gdal(*args: str, debug: bool = False) -> str:
    """The command's output (with GDAL's debug log, which lists each URL fetched, if DEBUG)."""
    result = subprocess.run(
        args,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={
            "GDAL_HTTP_TIMEOUT": "30",
            "CPL_DEBUG": "ON" if debug else "OFF",
            "PATH": "/usr/bin:/bin",
        },
    )
    assert result.returncode == 0, result.stderr
    return result.stdout + (result.stderr if debug else "")


def test_ogrinfo_lists_every_collection(live_server, published):
    listing = gdal("ogrinfo", "-ro", "-q", f"OAPIF:{live_server}/ogc")
    for layer in ("communes", "locations", "shoots", "blackouts"):
        assert layer in listing


def test_ogrinfo_reads_locations_with_their_fields_and_features(live_server, published):
    summary = gdal("ogrinfo", "-ro", "-so", f"OAPIF:{live_server}/ogc", "locations")
    assert "Feature Count: 13" in summary
    for field in ("name:", "commune:", "has_power:", "categories:"):
        assert field in summary
    assert "contact_email" not in summary
    features = gdal("ogrinfo", "-ro", "-al", f"OAPIF:{live_server}/ogc", "locations")
    assert features.count("OGRFeature(locations)") == 13
    assert "secret@example.be" not in features


def test_ogrinfo_reads_communes_and_shoots(live_server, published):
    communes = gdal("ogrinfo", "-ro", "-so", f"OAPIF:{live_server}/ogc", "communes")
    assert "Feature Count: 262" in communes and "Multi Polygon" in communes
    shoots = gdal("ogrinfo", "-ro", "-al", f"OAPIF:{live_server}/ogc", "shoots")
    assert shoots.count("OGRFeature(shoots)") == 1 and "production (String)" in shoots


def test_bbox_filter_is_sent_to_the_server(live_server, published):
    inside = gdal(
        "ogrinfo",
        "-ro",
        "-al",
        "-spat",
        *map(str, AROUND_NAMUR),
        f"OAPIF:{live_server}/ogc",
        "locations",
        debug=True,
    )
    assert inside.count("OGRFeature(locations)") == 12
    assert "Place Léopold" not in inside
    # The filter runs on the server (in PostGIS), not in GDAL after downloading everything.
    assert "/ogc/collections/locations/items?f=json&limit=10&bbox=4.79" in inside


def test_ogr2ogr_exports_a_bbox_of_locations_to_a_geopackage(live_server, published, tmp_path):
    target = tmp_path / "namur.gpkg"
    gdal(
        "ogr2ogr",
        "-f",
        "GPKG",
        str(target),
        f"OAPIF:{live_server}/ogc",
        "locations",
        "-spat",
        *map(str, AROUND_NAMUR),
    )
    with sqlite3.connect(target) as gpkg:
        names = [row[0] for row in gpkg.execute("SELECT name FROM locations ORDER BY name")]
        (srs,) = gpkg.execute(
            "SELECT srs_id FROM gpkg_geometry_columns WHERE table_name = 'locations'"
        ).fetchone()
    assert names == sorted(f"Namur {n}" for n in range(12))
    assert srs == 4326


@pytest.mark.parametrize(("crs", "code"), [(LAMBERT_72, 31370), (LAMBERT_2008, 3812)])
def test_gdal_reads_every_collection_in_lambert(live_server, published, tmp_path, crs, code):
    """GDAL 3.6 (Debian 12) predates its CRS open option (3.7): query parameters in the
    connection string go with every request it makes, so the crs parameter does. (CRS84, the
    default, is what the tests above read.)"""
    source = f"OAPIF:{live_server}/ogc?crs={crs.uri}"
    for collection in COLLECTIONS:
        target = tmp_path / f"{collection}-{code}.geojson"
        gdal("ogr2ogr", "-f", "GeoJSON", "-a_srs", f"EPSG:{code}", str(target), source, collection)
        read = json.loads(target.read_text())["features"]
        stored = stored_features(live_server, collection)
        assert len(read) == len(stored), collection
        for got, reference in zip(read, stored, strict=True):
            assert_same_place(got["geometry"], reference, crs)  # within 1 cm, by pyproj
