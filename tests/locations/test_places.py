"""The place search (locations.places, GET /api/v1/places) and the location search's `near` and
`commune` given as names, off-line: communes, provinces and library locations."""

from __future__ import annotations

import html

import pytest

from core.geo import parse_point_text
from locations.models import LocationStatus

NAMUR = (4.8617, 50.4596)
EUPEN = (6.0358, 50.6279)


def places(client, q: str, **params) -> list[dict]:
    response = client.get("/api/v1/places", query_string={"q": q, **params})
    assert response.status_code == 200, response.json
    return response.json["places"]


def labels(client, q: str, **params) -> list[str]:
    return [place["label"] for place in places(client, q, **params)]


def first(client, q: str, **params) -> dict:
    found = places(client, q, **params)
    assert found, f"nothing for {q!r}"
    return found[0]


def feature_names(response) -> list[str]:
    assert response.status_code == 200, response.json
    return [feature["properties"]["name"] for feature in response.json["features"]]


# ---- names in French and German, accents, prefixes, typos ------------------------------------


def test_a_commune_is_found_by_name_with_its_point_bbox_and_nis(client):
    namur = first(client, "Namur")
    assert namur["kind"] == "commune" and namur["label"] == "Namur"
    assert namur["commune_nis"] == "92094" and namur["province_nis"] == "90000"
    assert namur["context"] == "Province de Namur" and namur["id"] is None
    west, south, east, north = namur["bbox"]
    lon, lat = namur["point"]
    assert west < lon < east and south < lat < north
    commune = client.get("/api/v1/communes/at", query_string={"lon": lon, "lat": lat}).json
    assert commune["nis"] == "92094" and commune["distance_m"] == 0  # the point is inside


@pytest.mark.parametrize(
    ("typed", "lang", "label", "nis"),
    [
        ("Sankt Vith", "de", "Sankt Vith", "63067"),
        ("Sankt Vith", "fr", "Saint-Vith", "63067"),  # found by its German name
        ("saint vith", "de", "Sankt Vith", "63067"),  # by its French name, labelled in German
        ("Kelmis", "fr", "La Calamine", "63040"),
        ("Bütgenbach", "de", "Bütgenbach", "63013"),
        ("BUTGENBACH", "de", "Bütgenbach", "63013"),
        ("Eupen", "de", "Eupen", "63023"),
        ("Liege", "fr", "Liège", "62063"),
        ("LIÈGE", "de", "Liège", "62063"),  # no German name in the boundary file: French
        ("Luik", "fr", "Liège", "62063"),  # the Dutch name finds it too
        ("braine l alleud", "fr", "Braine-l'Alleud", "25014"),
    ],
)
def test_communes_by_french_german_or_dutch_name_labelled_in_the_users_language(
    client, typed, lang, label, nis
):
    found = first(client, typed, lang=lang)
    assert (found["kind"], found["label"], found["commune_nis"]) == ("commune", label, nis)


def test_the_label_follows_the_language_of_the_session_or_the_browser(client):
    assert first(client, "Amel")["label"] == "Amblève"
    german = client.get("/api/v1/places?q=Amel", headers={"Accept-Language": "de"})
    assert german.json["places"][0]["label"] == "Amel"
    assert german.json["places"][0]["context"] == "Provinz Lüttich"


def test_luettich_finds_the_province_of_liege_by_its_german_name(client):
    (province,) = places(client, "Lüttich", kind="province")
    assert province["label"] == "Province de Liège" and province["province_nis"] == "60000"
    assert first(client, "Lüttich", lang="de")["label"] == "Provinz Lüttich"
    assert first(client, "luttich", lang="de")["label"] == "Provinz Lüttich"
    assert first(client, "Hennegau")["province_nis"] == "50000"
    west, south, east, north = province["bbox"]
    eupen = first(client, "Eupen")["point"]  # the province's box holds its communes
    assert west < eupen[0] < east and south < eupen[1] < north
    assert province["commune_nis"] is None


def test_a_prefix_finds_the_commune_first_then_what_has_a_word_starting_so(client, create_location):
    create_location(4.8720, 50.4620, name="Citadelle de Namur")
    found = places(client, "Nam")
    assert [(p["kind"], p["label"]) for p in found[:3]] == [
        ("commune", "Namur"),
        ("province", "Province de Namur"),
        ("location", "Citadelle de Namur"),
    ]
    assert first(client, "vith", lang="de")["label"] == "Sankt Vith"  # a word's start


def test_near_misses_are_found_within_the_trigram_threshold_only(client):
    # pg_trgm's word similarity threshold is 0.6: "bugenbach" is 0.62 from "butgenbach",
    # "charlroi" 0.58 from "charleroi".
    assert first(client, "Bugenbach", lang="de")["label"] == "Bütgenbach"
    assert first(client, "Charleroy")["label"] == "Charleroi"
    assert "Charleroi" not in labels(client, "Charlroi")


def test_the_larger_commune_comes_first_among_equal_prefixes(client):
    found = [place["label"] for place in places(client, "Saint", kind="commune")]
    assert found[:3] == ["Saint-Nicolas", "Saint-Ghislain", "Saint-Vith"]  # by population


def test_kind_and_limit(client, create_location):
    create_location(*NAMUR, name="Namur Expo")
    assert {p["kind"] for p in places(client, "Namur", kind="location")} == {"location"}
    both = places(client, "Namur", kind=["commune", "location"])
    assert {p["kind"] for p in both} == {"commune", "location"}
    assert len(places(client, "a", limit=20)) == 20
    for bad in ({"limit": 21}, {"limit": 0}, {"kind": "planet"}, {"q": ""}, {"colour": "red"}):
        response = client.get("/api/v1/places", query_string={"q": "Namur", **bad})
        assert response.status_code == 400
        assert response.json["field"].split(".")[0] == next(iter(bad))  # kind.0: the first


# ---- library locations: only those the user may see -----------------------------------------


@pytest.mark.parametrize(
    ("role", "sees_the_draft"),
    [(None, False), ("officer", False), ("scout", True), ("coordinator", True), ("admin", True)],
)
def test_a_draft_location_is_found_only_by_the_library_editors(
    client, create_location, api_as, role, sees_the_draft
):
    published = create_location(*NAMUR, name="Moulin de Beez")
    draft = create_location(*NAMUR, name="Moulin secret", status=LocationStatus.DRAFT)
    headers = api_as(role) if role else {}
    response = client.get("/api/v1/places?q=moulin&kind=location", headers=headers)
    found = {place["id"]: place for place in response.json["places"]}
    assert published.id in found
    assert (draft.id in found) is sees_the_draft
    near = client.get("/api/v1/locations?near=Moulin%20secret", headers=headers)
    assert near.status_code == (200 if sees_the_draft else 400)


def test_a_location_gives_its_id_commune_and_outline_box(client, create_location):
    from geoalchemy2.shape import from_shape
    from shapely.geometry import Point

    from core.db import SRID, db
    from tests.conftest import to_lambert

    location = create_location(*NAMUR, name="Citadelle de Namur")
    location.outline = from_shape(Point(*to_lambert(*NAMUR)).buffer(100), srid=SRID)
    db.session.flush()
    (found,) = places(client, "citadelle", kind="location")
    assert found["id"] == location.id and found["commune_nis"] == "92094"
    assert found["context"] == "Namur"
    assert found["point"] == pytest.approx(list(NAMUR), abs=1e-6)
    west, south, east, north = found["bbox"]
    assert west < NAMUR[0] < east and south < NAMUR[1] < north
    assert east - west < 0.01  # the outline's box, about 200 m wide


# ---- hostile text is text ---------------------------------------------------------------------


@pytest.mark.parametrize("typed", ["%", "_", "%%", "\\", "{{ 7*7 }}", "</script>", "' OR 1=1 --"])
def test_wildcards_and_template_syntax_match_nothing_rather_than_everything(client, typed):
    assert places(client, typed) == []


def test_hostile_names_come_back_literally(client, create_location):
    name = "</script><b>{{ 7*7 }}</b> 100% a_c"
    location = create_location(*NAMUR, name=name)
    create_location(*NAMUR, name="abc")
    response = client.get("/api/v1/places?q=script")
    assert response.json["places"][0]["label"] == name
    assert "49" not in response.get_data(as_text=True)
    assert [p["id"] for p in places(client, "100% a_c", kind="location")] == [location.id]
    assert labels(client, "a_c", kind="location") == [name]  # "_" is no wildcard: not "abc"


# ---- near= and commune= with names -----------------------------------------------------------


@pytest.fixture
def around_namur(create_location):
    create_location(4.8720, 50.4620, name="Citadelle de Namur")
    create_location(4.9005, 50.4717, name="Moulin de Beez")
    create_location(4.7600, 50.4330, name="Château de Floreffe")
    create_location(*EUPEN, name="Rathaus Eupen")


def test_near_namur_searches_around_namurs_point(client, around_namur):
    lon, lat = first(client, "Namur")["point"]
    by_point = feature_names(client.get(f"/api/v1/locations?near={lon},{lat}&radius_m=20000"))
    assert len(by_point) == 3
    for typed in ("Namur", "namur", "NAMUR"):
        by_name = client.get(f"/api/v1/locations?near={typed}&radius_m=20000")
        assert feature_names(by_name) == by_point
        assert [f["properties"]["distance_m"] for f in by_name.json["features"]] == [
            f["properties"]["distance_m"]
            for f in client.get(f"/api/v1/locations?near={lon},{lat}&radius_m=20000").json[
                "features"
            ]
        ]
    # A commune's point is its centroid, not its town hall: Eupen's lies in the Hertogenwald.
    assert feature_names(client.get("/api/v1/locations?near=Eupen")) == ["Rathaus Eupen"]
    page = client.get("/locations?near=Namur&radius_m=20000").get_data(as_text=True)
    assert page.index("Citadelle de Namur") < page.index("Moulin de Beez")
    assert 'value="Namur"' in page  # the box shows what was typed
    points = client.get("/api/v1/locations/map-points?near=Namur&radius_m=20000")
    assert points.status_code == 200


def test_near_a_library_location_by_name(client, around_namur):
    assert feature_names(client.get("/api/v1/locations?near=Moulin%20de%20Beez&radius_m=10"))[
        0
    ] == ("Moulin de Beez")


@pytest.mark.parametrize(
    "typed",
    ["4.8617,50.4596", "4.8617, 50.4596", "4,8617 50,4596", "4,8617;50,4596", "4.8617;50.4596"],
)
def test_near_accepts_decimal_commas_where_unambiguous(client, around_namur, typed):
    expected = feature_names(client.get("/api/v1/locations?near=4.8617,50.4596"))
    assert expected
    assert feature_names(client.get("/api/v1/locations", query_string={"near": typed})) == expected


def test_point_text_readings():
    assert parse_point_text("4,8550 50,4556") == (4.855, 50.4556)
    assert parse_point_text(" 4.8550 , 50.4556 ") == (4.855, 50.4556)
    assert parse_point_text("-4,5;+50") == (-4.5, 50.0)
    assert parse_point_text("Namur") is None
    assert parse_point_text("5000") is None  # a postcode is a name for the geocoder
    for ambiguous in ("4,8617,50,4596", "4.8.6,50", "1,2,3"):
        with pytest.raises(ValueError, match="longitude,latitude"):
            parse_point_text(ambiguous)
    with pytest.raises(ValueError, match="±180"):
        parse_point_text("180.0001,50")
    assert parse_point_text("180,90") == (180.0, 90.0)


@pytest.mark.parametrize(
    ("query", "language", "words"),
    [
        ("near=Atlantis", "fr", "aucun lieu appelé Atlantis"),
        ("near=Atlantis", "de", "kein Ort namens Atlantis"),
        ("near=Atlantis", "en", "no place called Atlantis"),
        ("near=4,8617,50,4596", "fr", "virgules décimales"),
        ("commune=Atlantis", "de", "keine wallonische Gemeinde heißt Atlantis"),
        ("commune=99999", "fr", "aucune commune n'a le code INS 99999"),
        ("commune=123", "fr", "code INS (5 chiffres"),
    ],
)
def test_a_name_matching_nothing_is_a_400_naming_the_field_in_the_users_language(
    client, query, language, words
):
    field = query.split("=")[0]
    response = client.get(f"/api/v1/locations?{query}", headers={"Accept-Language": language})
    assert response.status_code == 400
    assert response.json["field"] == field
    assert response.json["detail"].startswith(f"{field}: ") and words in response.json["detail"]
    page = client.get(f"/locations?{query}", headers={"Accept-Language": language})
    assert page.status_code == 400 and words in html.unescape(page.get_data(as_text=True))


def test_the_commune_filter_takes_a_name(client, around_namur):
    by_code = feature_names(client.get("/api/v1/locations?commune=92094"))
    assert by_code == ["Citadelle de Namur", "Moulin de Beez"]
    assert feature_names(client.get("/api/v1/locations?commune=namur")) == by_code
    assert feature_names(client.get("/api/v1/locations?commune=63023")) == ["Rathaus Eupen"]
    assert feature_names(client.get("/api/v1/locations?commune=Eupen")) == ["Rathaus Eupen"]
    page = client.get("/locations?commune=63023").get_data(as_text=True)
    assert 'value="Eupen"' in page and 'value="63023"' in page  # shown by name, sent by code


def test_an_ambiguous_commune_name_lists_the_candidates(client):
    response = client.get("/api/v1/locations?commune=Saint")
    assert response.status_code == 400 and response.json["field"] == "commune"
    assert "Saint-Ghislain" in response.json["detail"]
    # A whole name wins over the names it is a word of, or is close to.
    for name in ("Virton", "Celles"):  # Meix-devant-Virton; Pont-à-Celles, Courcelles
        assert len(places(client, name, kind="commune")) > 1
        assert client.get(f"/api/v1/locations?commune={name}").status_code == 200
