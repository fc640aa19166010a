"""The geometry rules of core.geo, the same for every package: one envelope for map windows, one
reprojection, one validation of the areas people send."""

from __future__ import annotations

import json
import math

import pytest
from shapely.geometry import Point, Polygon, mapping

from core.errors import InvalidInput
from core.geo import MAX_VERTICES, to_lambert, to_wgs84
from shoots.operations.inputs import parse_area
from tests.locations.conftest import point_feature

NAMUR = (4.8617, 50.4596)
BOW_TIE = {
    "type": "Polygon",
    "coordinates": [
        [[4.861, 50.459], [4.862, 50.460], [4.862, 50.459], [4.861, 50.460], [4.861, 50.459]]
    ],
}


@pytest.fixture
def api_as(make_user, token_for):
    return lambda role: token_for(make_user(role))


def _circle(vertices: int) -> dict:
    """A 100 m circle around the Citadel with VERTICES vertices (the closing one counted)."""
    centre = to_lambert(Point(*NAMUR))
    turns = [2 * math.pi * i / (vertices - 1) for i in range(vertices - 1)]
    ring = [(centre.x + 100 * math.cos(a), centre.y + 100 * math.sin(a)) for a in turns]
    return dict(mapping(to_wgs84(Polygon(ring))))


def _reason(detail: str) -> str:
    return detail.split(": ", 1)[1]  # without the field's name


def _outline_reason(client, headers, polygon: dict) -> str:
    body = point_feature(*NAMUR, outline=polygon)
    response = client.post("/api/v1/locations", json=body, headers=headers)
    assert response.status_code == 400 and response.json["field"] == "properties.outline"
    return _reason(response.json["detail"])


def _import_reason(client, headers, polygon: dict) -> str:
    collection = {
        "type": "FeatureCollection",
        "features": [{"type": "Feature", "properties": {"name": "Site"}, "geometry": polygon}],
    }
    response = client.post(
        "/api/v1/locations/import",
        query_string={"dry_run": "1"},
        data=json.dumps(collection),
        headers={**headers, "Content-Type": "application/geo+json"},
    )
    (row,) = response.json["results"]
    return _reason(row["reason"])


def _footprint_reason(polygon: dict) -> str:
    with pytest.raises(InvalidInput) as refused:
        parse_area("footprint", polygon)
    return _reason(refused.value.detail)


@pytest.mark.parametrize(
    ("polygon", "words"),
    [
        (BOW_TIE, "is not a valid polygon (Self-intersection"),
        (_circle(MAX_VERTICES + 1), f"has {MAX_VERTICES + 1} vertices; at most {MAX_VERTICES}"),
        (
            {  # Paris
                "type": "Polygon",
                "coordinates": [[[2.35, 48.85], [2.36, 48.85], [2.36, 48.86], [2.35, 48.85]]],
            },
            "lies outside Belgium",
        ),
    ],
)
def test_an_area_is_refused_for_the_same_reason_as_outline_import_or_footprint(
    client, api_as, polygon, words
):
    scout = api_as("scout")
    reasons = {
        "outline": _outline_reason(client, scout, polygon),
        "import": _import_reason(client, scout, polygon),
        "footprint": _footprint_reason(polygon),
    }
    assert reasons["outline"].startswith(words), reasons
    assert reasons["import"] == reasons["outline"] == reasons["footprint"]


def test_an_area_at_the_vertex_limit_is_accepted_everywhere(client, api_as):
    polygon = _circle(MAX_VERTICES)
    body = point_feature(*NAMUR, outline=polygon)
    assert client.post("/api/v1/locations", json=body, headers=api_as("scout")).status_code == 201
    assert len(parse_area("footprint", polygon).geoms[0].exterior.coords) == MAX_VERTICES


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/locations?bbox={}",
        "/api/v1/shoots?bbox={}",
        "/ogc/collections/locations/items?bbox={}",
    ],
)
def test_a_map_window_larger_than_belgium_is_clipped_and_one_beyond_it_is_empty(
    client, api_as, create_location, create_shoot, url
):
    create_location(*NAMUR)
    create_shoot(*NAMUR)
    headers = api_as("admin")
    world = client.get(url.format("-180,-90,180,90"), headers=headers)
    assert world.status_code == 200, world.get_data(as_text=True)
    assert len(world.json.get("features", world.json.get("shoots", []))) == 1
    pacific = client.get(url.format("-170,-10,-160,10"), headers=headers)
    assert pacific.status_code == 200
    assert len(pacific.json.get("features", pacific.json.get("shoots", []))) == 0
