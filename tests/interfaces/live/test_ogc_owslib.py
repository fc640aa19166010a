"""OWSLib (owslib.ogcapi.features, what many Python portals and QGIS plug-ins use) reads every
collection from a real server, in each CRS we serve, with its queryables."""

from __future__ import annotations

from owslib.ogcapi.features import Features

from core.crs import SUPPORTED
from ogc.collections import COLLECTIONS
from ogc.description import CONFORMANCE
from tests.interfaces.live.ogc_reference import assert_same_place, stored_features


def test_owslib_reads_every_collection_in_every_crs(live_server, published):
    api = Features(f"{live_server}/ogc")
    assert api.conformance()["conformsTo"] == CONFORMANCE
    assert api.feature_collections() == list(COLLECTIONS)
    for collection in COLLECTIONS:
        description = api.collection(collection)
        assert description["storageCrs"] == "http://www.opengis.net/def/crs/EPSG/0/3812"
        assert description["crs"] == [crs.uri for crs in SUPPORTED]
        stored = stored_features(live_server, collection)
        for crs in SUPPORTED:
            page = api.collection_items(collection, crs=crs.uri, limit=1000)
            assert api.response_headers["Content-Crs"] == f"<{crs.uri}>"
            assert [f["id"] for f in page["features"]] == [f["id"] for f in stored]
            for got, reference in zip(page["features"], stored, strict=True):
                assert got["properties"] == reference["properties"]
                assert_same_place(got["geometry"], reference, crs)


def test_owslib_reads_queryables_and_filters_with_them(live_server, published):
    api = Features(f"{live_server}/ogc")
    queryables = api.collection_queryables("locations")
    assert {"name", "commune_nis", "has_power"} <= set(queryables["properties"])
    arlon = api.collection_items("locations", commune_nis="81001")
    assert [f["properties"]["name"] for f in arlon["features"]] == ["Place Léopold"]
    namur = api.collection_items("locations", commune_nis="92094", limit=100)
    assert namur["numberMatched"] == 12
