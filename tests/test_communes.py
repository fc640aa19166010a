import json
import math
from pathlib import Path

import pytest
import shapely
from geoalchemy2.shape import from_shape
from pyproj import Transformer
from shapely.geometry import MultiPolygon, Point, mapping, shape
from shapely.ops import unary_union
from sqlalchemy import func, select, text

from core.communes.models import Commune
from core.communes.operations import (
    BORDER_FALLBACK_M,
    CommuneFileError,
    active_provinces,
    commune_nis_at,
    load_communes,
)
from core.db import SRID, db
from core.errors import InvalidInput
from locations.importing import import_locations
from permits.operations import split_by_commune
from shoots.operations import conflicts
from shoots.operations.inputs import check_in_wallonia
from shoots.operations.shoots import stored_candidate
from tests.conftest import COMMUNES_FILE

LANDMARKS = [
    # (what, lon, lat, NIS) — a couple per province
    ("Citadelle de Namur", 4.8617, 50.4596, "92094"),
    ("Château de Bouillon", 5.0673, 49.7937, "84010"),
    ("Place Saint-Lambert, Liège", 5.5733, 50.6451, "62063"),
    ("Eupen town hall", 6.0358, 50.6279, "63023"),
    ("Grand-Place de Mons", 3.9522, 50.4542, "53053"),
    ("Cathédrale de Tournai", 3.3890, 50.6066, "57081"),
    ("Butte du Lion, Waterloo battlefield", 4.4048, 50.6785, "25014"),
    ("Grand-Place de Wavre", 4.6075, 50.7172, "25112"),
    ("Place Léopold, Arlon", 5.8167, 49.6833, "81001"),
    ("Bastogne War Museum", 5.7364, 50.0136, "82003"),
]

OUTSIDE = [
    ("Grand-Place, Brussels", 4.3525, 50.8467),
    ("Leuven (Flanders)", 4.7005, 50.8798),
    ("Lille (France)", 3.0573, 50.6292),
    ("Luxembourg City", 6.1296, 49.6116),
    ("Aachen (Germany)", 6.0839, 50.7753),
    ("Sedan (France)", 4.9378, 49.7015),
]

# Stations a few metres beyond Belgium's border, outside every simplified polygon.
BORDER_STATIONS = [
    ("Mouscron-Frontière", 3.196086, 50.721716, "57096"),
    ("Quévy-Frontière", 3.908753, 50.32771, "53084"),
    ("Hergenrath-Frontière", 6.041269, 50.718955, "63040"),
    ("Aubange-Frontière-Luxembourg", 5.826307, 49.549455, "81004"),
]


def test_all_walloon_communes_are_loaded(app):
    count = db.session.scalar(select(func.count()).select_from(Commune))
    provinces = db.session.execute(
        select(Commune.province_nis, func.count()).group_by(Commune.province_nis)
    ).all()
    assert count == 262
    assert dict(provinces) == {"20002": 27, "50000": 69, "60000": 84, "80000": 44, "90000": 38}


def test_boundaries_are_valid_multipolygons_in_lambert_2008(app):
    bad = db.session.scalar(
        select(func.count()).where(
            ~func.ST_IsValid(Commune.boundary) | (func.ST_SRID(Commune.boundary) != 3812)
        )
    )
    namur_km2 = db.session.scalar(
        select(func.ST_Area(Commune.boundary) / 1e6).where(Commune.nis == "92094")
    )
    assert bad == 0
    assert namur_km2 == pytest.approx(175.69, rel=0.01)  # official area


def test_list_is_sorted_by_name_with_german_names(client):
    response = client.get("/api/v1/communes")
    communes = response.get_json()["communes"]
    names = [c["name_fr"] for c in communes]
    assert response.status_code == 200
    assert len(communes) == 262
    assert names == sorted(names)
    german = {c["name_fr"]: c["name_de"] for c in communes if c["name_de"]}
    assert german["La Calamine"] == "Kelmis"
    assert german["Saint-Vith"] == "Sankt Vith"
    assert len(german) == 9


def test_commune_feature_is_rfc7946(client):
    response = client.get("/api/v1/communes/63023")
    body = response.get_json()
    assert response.status_code == 200
    assert response.mimetype == "application/geo+json"
    assert body["type"] == "Feature"
    assert body["properties"]["name_de"] == "Eupen"
    assert body["geometry"]["type"] == "MultiPolygon"
    polygon = shape(body["geometry"])
    assert polygon.contains(Point(6.0358, 50.6279))  # lon, lat order
    assert polygon.geoms[0].exterior.is_ccw  # RFC 7946 right-hand rule


def test_unknown_commune_is_404_json(client):
    response = client.get("/api/v1/communes/12345")
    assert response.status_code == 404
    assert response.get_json()["error"] == "not_found"


@pytest.mark.parametrize(("what", "lon", "lat", "nis"), LANDMARKS)
def test_point_lookup_finds_landmarks(client, what, lon, lat, nis):
    response = client.get(f"/api/v1/communes/at?lon={lon}&lat={lat}")
    assert response.status_code == 200, what
    assert response.get_json()["nis"] == nis
    assert response.get_json()["distance_m"] == 0


@pytest.mark.parametrize(("what", "lon", "lat", "nis"), BORDER_STATIONS)
def test_point_just_outside_a_polygon_falls_back_to_nearest(client, what, lon, lat, nis):
    body = client.get(f"/api/v1/communes/at?lon={lon}&lat={lat}").get_json()
    assert body["nis"] == nis, what
    assert 0 < body["distance_m"] <= 200


@pytest.mark.parametrize(("what", "lon", "lat"), OUTSIDE)
def test_points_outside_wallonia_are_404(client, what, lon, lat):
    response = client.get(f"/api/v1/communes/at?lon={lon}&lat={lat}")
    assert response.status_code == 404, what
    assert "outside Wallonia" in response.get_json()["detail"]


def _near_shared_border(a: str, b: str, metres: float) -> Point:
    """A point METRES inside A's polygon, next to its border with B, and not inside B's."""
    features = {
        f["properties"]["nis"]: shape(f["geometry"])
        for f in json.loads(COMMUNES_FILE.read_text())["features"]
    }
    to_lambert = Transformer.from_crs(4326, 3812, always_xy=True).transform
    to_wgs84 = Transformer.from_crs(3812, 4326, always_xy=True).transform
    poly_a, poly_b = (shapely.transform(features[n], to_lambert, interleaved=False) for n in (a, b))
    shared = poly_a.boundary.intersection(poly_b.buffer(5))
    middle = shared.interpolate(0.5, normalized=True)
    for angle in range(0, 360, 15):
        radians = math.radians(angle)
        candidate = Point(
            middle.x + metres * math.cos(radians), middle.y + metres * math.sin(radians)
        )
        if poly_a.contains(candidate) and not poly_b.buffer(1).contains(candidate):
            return shapely.transform(candidate, to_wgs84, interleaved=False)
    raise AssertionError("no point found")


@pytest.mark.parametrize(
    ("inside", "neighbour"),
    [("92094", "92101"), ("92101", "92094"), ("62063", "62096"), ("63023", "63061")],
)
def test_points_a_few_metres_from_an_internal_border(client, inside, neighbour):
    point = _near_shared_border(inside, neighbour, metres=8)
    body = client.get(f"/api/v1/communes/at?lon={point.x}&lat={point.y}").get_json()
    assert body["nis"] == inside


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("lat=50.4", "lon"),
        ("lon=4.8", "lat"),
        ("lon=abc&lat=50.4", "lon"),
        ("lon=4.8&lat=nan", "lat"),
        ("lon=4.8&lat=91", "lat"),
        ("lon=-181&lat=50", "lon"),
        ("lon=&lat=50", "lon"),
    ],
)
def test_point_lookup_rejects_bad_coordinates(client, query, field):
    response = client.get(f"/api/v1/communes/at?{query}")
    assert response.status_code == 400
    assert response.get_json()["field"] == field


def _merged_bastogne_file(tmp_path: Path) -> Path:
    """The boundary set as it is since 2025: Bertogne (82005) merged into Bastogne (82003)."""
    collection = json.loads(COMMUNES_FILE.read_text())
    features = {f["properties"]["nis"]: f for f in collection["features"]}
    bertogne = features.pop("82005")
    bastogne = features["82003"]
    merged = unary_union([shape(bastogne["geometry"]), shape(bertogne["geometry"])])
    bastogne["geometry"] = mapping(merged)
    bastogne["properties"]["population"] += bertogne["properties"]["population"]
    collection["features"] = list(features.values())
    path = tmp_path / "communes_2025.geojson"
    path.write_text(json.dumps(collection))
    return path


def test_reloading_the_same_set_changes_nothing(app):
    report = load_communes(db.session, COMMUNES_FILE)
    assert (report.created, report.updated, report.retired, report.deleted) == ([], [], [], [])
    assert report.unchanged == 262


def test_merger_updates_geometry_and_deletes_unreferenced_commune(app, tmp_path):
    report = load_communes(db.session, _merged_bastogne_file(tmp_path))
    assert report.updated == ["82003"]
    assert report.deleted == ["82005"]
    bertogne_village = (5.6690, 50.0846)
    assert db.session.get(Commune, "82005") is None
    lookup = app.test_client().get(
        f"/api/v1/communes/at?lon={bertogne_village[0]}&lat={bertogne_village[1]}"
    )
    assert lookup.get_json()["nis"] == "82003"


def test_merger_retires_a_commune_still_referenced(app, tmp_path, make_user):
    make_user("officer", commune="82005")
    report = load_communes(db.session, _merged_bastogne_file(tmp_path))
    bertogne = db.session.get(Commune, "82005")
    assert report.retired == ["82005"]
    assert bertogne is not None and bertogne.retired_at is not None
    listed = [c["nis"] for c in app.test_client().get("/api/v1/communes").get_json()["communes"]]
    assert "82005" not in listed


def test_bad_file_changes_nothing(runner, tmp_path):
    collection = json.loads(COMMUNES_FILE.read_text())
    collection["features"][5]["properties"].pop("name_fr")
    path = tmp_path / "broken.geojson"
    path.write_text(json.dumps(collection))
    with pytest.raises(CommuneFileError, match="missing name_fr"):
        load_communes(db.session, path)
    result = runner.invoke(args=["communes", "load", str(path)])
    assert result.exit_code != 0
    assert "missing name_fr" in result.output
    assert db.session.scalar(select(func.count()).select_from(Commune)) == 262


def test_cli_load_reports_counts(runner):
    result = runner.invoke(args=["communes", "load", str(COMMUNES_FILE)])
    assert result.exit_code == 0, result.output
    assert "262 unchanged" in result.output


def _due_south_of_wallonia(metres: float) -> tuple[str, float, float]:
    """(NIS, x, y): a point (EPSG:3812) METRES due south of the southernmost vertex of every
    commune. Every boundary lies north of that vertex: its commune is exactly METRES away and
    no other is nearer."""
    nis, x, y = db.session.execute(
        text("""
            SELECT nis, ST_X(vertex.geom), ST_Y(vertex.geom)
            FROM communes, ST_DumpPoints(boundary) AS vertex
            WHERE retired_at IS NULL ORDER BY ST_Y(vertex.geom), nis LIMIT 1
        """)
    ).one()
    return nis, x, y - metres


@pytest.mark.parametrize(
    ("beyond", "held"), [(BORDER_FALLBACK_M - 0.1, True), (BORDER_FALLBACK_M + 0.1, False)]
)
def test_the_database_rule_uses_the_python_border_fallback(app, beyond, held):
    """commune_at in SQL (migration 0008) and BORDER_FALLBACK_M cannot disagree."""
    nis, x, y = _due_south_of_wallonia(beyond)
    point = func.ST_SetSRID(func.ST_MakePoint(x, y), SRID)
    assert db.session.scalar(select(commune_nis_at(point))) == (nis if held else None)


@pytest.mark.parametrize(
    ("beyond", "held"), [(BORDER_FALLBACK_M - 1, True), (BORDER_FALLBACK_M + 1, False)]
)
def test_the_point_lookup_api_follows_the_border_fallback(client, beyond, held):
    nis, x, y = _due_south_of_wallonia(beyond)
    lon, lat = Transformer.from_crs(3812, 4326, always_xy=True).transform(x, y)
    response = client.get(f"/api/v1/communes/at?lon={lon}&lat={lat}")
    if held:
        assert response.get_json()["nis"] == nis
        assert response.get_json()["distance_m"] == pytest.approx(beyond, abs=0.01)
    else:
        assert response.status_code == 404


def test_a_point_in_two_overlapping_polygons_belongs_to_the_one_it_is_deeper_inside(app):
    """Simplified polygons overlap a little along shared borders: the deeper one wins, in SQL as
    in the Python look-up."""
    row = db.session.execute(
        text("""
            SELECT a.nis, b.nis, ST_AsEWKB(ST_PointOnSurface(ST_Intersection(a.boundary,
                                                                              b.boundary)))
            FROM communes a JOIN communes b ON a.nis < b.nis
             AND ST_Overlaps(a.boundary, b.boundary)
             AND ST_Area(ST_Intersection(a.boundary, b.boundary)) > 1
            ORDER BY a.nis, b.nis LIMIT 1
        """)
    ).one()
    first, second, ewkb = row
    point = func.ST_GeomFromEWKB(ewkb)
    depth = {
        nis: db.session.scalar(
            select(func.ST_Distance(func.ST_Boundary(Commune.boundary), point)).where(
                Commune.nis == nis
            )
        )
        for nis in (first, second)
    }
    deeper = max(depth, key=lambda nis: (depth[nis], nis == first))
    assert db.session.scalar(select(commune_nis_at(point))) == deeper


@pytest.mark.parametrize(
    ("beyond", "held"), [(BORDER_FALLBACK_M - 1, True), (BORDER_FALLBACK_M + 1, False)]
)
def test_every_use_of_the_commune_rule_agrees_at_the_border_fallback(
    app, create_shoot, beyond, held
):
    """The location import, the shoot's Wallonia check, the conflict engine's thresholds and the
    permit split all ask commune_at: a point just inside the fallback is the commune's in each,
    one just beyond it nobody's."""
    nis, x, y = _due_south_of_wallonia(beyond)
    csv = f"name,x,y\nSliver,{x},{y}\n".encode()
    report = import_locations(db.session, csv, file_format="csv", crs=3812, user=None, dry_run=True)
    assert report.candidates[0].commune_nis == (nis if held else None)
    # A 20 cm square whose north edge runs through the point: no vertex nearer Wallonia.
    footprint = MultiPolygon([shapely.box(x - 0.1, y - 0.2, x + 0.1, y)])
    conflicts.save_settings(db.session, nis, {"nearby_distance_m": 321})
    shoot = create_shoot(footprint=from_shape(footprint, srid=SRID))
    engine = conflicts.check(db.session, stored_candidate(shoot)).settings["nearby_distance_m"]
    assert engine == (321 if held else conflicts.DEFAULT_SETTINGS["nearby_distance_m"])
    if held:
        check_in_wallonia(db.session, "footprint", footprint)
        assert [part.commune_nis for part in split_by_commune(db.session, [shoot.id])] == [nis]
    else:
        with pytest.raises(InvalidInput, match="outside Wallonia"):
            check_in_wallonia(db.session, "footprint", footprint)
        with pytest.raises(InvalidInput, match="outside Wallonia"):
            split_by_commune(db.session, [shoot.id])


GERMAN_NAMES = {  # the official names that differ from the French ones
    "Amblève": "Amel",
    "Bullange": "Büllingen",
    "Butgenbach": "Bütgenbach",
    "La Calamine": "Kelmis",
    "Saint-Vith": "Sankt Vith",
}


@pytest.mark.parametrize(("locale", "renamed"), [("fr", {}), ("en", {}), ("de", GERMAN_NAMES)])
def test_a_communes_name_in_sql_is_its_name_in_python_in_every_language(app, locale, renamed):
    rows = db.session.execute(select(Commune, Commune.name_in(locale))).all()
    assert len(rows) == 262
    assert all(commune.name(locale) == named for commune, named in rows)
    assert {c.name_fr: named for c, named in rows if named != c.name_fr} == renamed


@pytest.mark.parametrize(
    ("locale", "provinces"),
    [
        ("fr", ["Province de Liège", "Province de Namur", "Province du Brabant Wallon",
                "Province du Hainaut", "Province du Luxembourg"]),
        ("de", ["Provinz Hennegau", "Provinz Luxemburg", "Provinz Lüttich", "Provinz Namur",
                "Provinz Wallonisch-Brabant"]),
    ],
)  # fmt: skip
def test_the_provinces_are_named_and_sorted_in_the_language(app, locale, provinces):
    assert [name for _nis, name in active_provinces(db.session, locale)] == provinces
