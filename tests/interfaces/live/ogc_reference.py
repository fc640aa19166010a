"""Reference coordinates for the OGC client tests: the features as stored (EPSG:3812, to the
millimetre, read over HTTP) and pyproj's transforms of them to each CRS we serve."""

from __future__ import annotations

import json
import urllib.request
from urllib.parse import urlencode

import numpy as np
import shapely
from pyproj import Transformer
from shapely.geometry import shape

from core.crs import CRS84, LAMBERT_72, LAMBERT_2008, WGS84_LATITUDE_FIRST, Crs

# Tolerances per CRS: 1 cm in metres; in degrees, the 6 decimals served (0.1 m) and a rounding.
TOLERANCE = {CRS84: 1.5e-6, WGS84_LATITUDE_FIRST: 1.5e-6, LAMBERT_2008: 0.01, LAMBERT_72: 0.01}


def coordinates(geometry: dict) -> np.ndarray:
    """Every vertex of a GeoJSON geometry, as an (n, 2) array."""
    return shapely.get_coordinates(shape(geometry))


def stored_features(base_url: str, collection: str) -> list[dict]:
    """Every feature of COLLECTION in its storage CRS (EPSG:3812), in the server's order."""
    query = urlencode({"crs": LAMBERT_2008.uri, "limit": 1000, "f": "json"})
    with urllib.request.urlopen(f"{base_url}/ogc/collections/{collection}/items?{query}") as page:
        body = json.load(page)
    assert body["numberMatched"] == body["numberReturned"] > 0, collection
    return body["features"]


def expected_coordinates(stored: dict, crs: Crs) -> np.ndarray:
    """pyproj's transform of a stored (EPSG:3812) feature's vertices to CRS, in its axis order
    (pyproj with the EPSG axis order: EPSG:4326 gives latitude first)."""
    source = coordinates(stored["geometry"])
    if crs == LAMBERT_2008:
        return source
    target = "OGC:CRS84" if crs == CRS84 else f"EPSG:{crs.srid}"
    transform = Transformer.from_crs("EPSG:3812", target).transform  # both in EPSG axis order
    x, y = transform(source[:, 0], source[:, 1])
    return np.column_stack([x, y])


def assert_same_place(got: dict, stored: dict, crs: Crs) -> None:
    """GOT (a GeoJSON geometry said to be in CRS) lies where pyproj puts the stored feature."""
    expected = expected_coordinates(stored, crs)
    actual = coordinates(got)
    assert actual.shape == expected.shape
    error = float(np.abs(actual - expected).max())
    assert error <= TOLERANCE[crs], f"{crs.uri}: {error} off"
