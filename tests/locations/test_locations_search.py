from datetime import datetime

import pytest

from locations.models import LocationStatus
from shoots.models import ShootStatus
from tests.conftest import BRUSSELS

NAMUR = (4.8617, 50.4596)
LIEGE = (5.5667, 50.6246)  # Liège-Guillemins
MONS = (3.9415, 50.4536)


def names(response) -> list[str]:
    assert response.status_code == 200, response.json
    return [f["properties"]["name"] for f in response.json["features"]]


def categorise(location, *codes):
    from core.db import db
    from locations.operations import categories_named

    location.categories = categories_named(db.session, list(codes), "categories")
    db.session.flush()
    return location


def test_text_search_ignores_accents_and_case_and_ranks_names_first(client, create_location):
    create_location(*LIEGE, name="Ferme", description="Vue sur le château voisin")
    create_location(*NAMUR, name="Château de Namur")
    create_location(*MONS, name="Gare de Mons")
    for query in ("chateau", "CHÂTEAU", "châteaux"):
        assert names(client.get("/api/v1/locations", query_string={"q": query})) == [
            "Château de Namur",
            "Ferme",
        ]


def test_category_is_repeatable_and_unknown_is_a_400(client, create_location):
    categorise(create_location(*NAMUR, name="Citadelle"), "fortress")
    categorise(create_location(*MONS, name="Gare de Mons"), "railway_station")
    create_location(*LIEGE, name="Sans catégorie")
    both = client.get("/api/v1/locations?category=fortress&category=railway_station")
    assert names(both) == ["Citadelle", "Gare de Mons"]
    assert names(client.get("/api/v1/locations?category=fortress")) == ["Citadelle"]
    response = client.get("/api/v1/locations?category=volcano")
    assert response.status_code == 400 and response.json["field"] == "category"


def test_tag_commune_and_province_filters(client, create_location):
    create_location(*NAMUR, name="Namur", tags=["remparts"])
    create_location(*LIEGE, name="Liège", tags=["gare"])
    assert names(client.get("/api/v1/locations?tag=REMPARTS")) == ["Namur"]
    assert names(client.get("/api/v1/locations?commune=62063")) == ["Liège"]
    assert names(client.get("/api/v1/locations?province=90000")) == ["Namur"]
    assert names(client.get("/api/v1/locations?province=li%C3%A8ge")) == ["Liège"]
    unknown = client.get("/api/v1/locations?province=Flandre")
    assert unknown.status_code == 400 and unknown.json["field"] == "province"


def test_near_sorts_by_distance_and_returns_it(client, create_location):
    create_location(4.8720, 50.4680, name="Plus loin")  # about 1.2 km from the centre
    create_location(4.8630, 50.4600, name="Tout près")  # about 100 m
    create_location(*LIEGE, name="Liège")  # 50 km
    response = client.get("/api/v1/locations?near=4.8617,50.4596&radius_m=5000")
    assert names(response) == ["Tout près", "Plus loin"]
    distances = [f["properties"]["distance_m"] for f in response.json["features"]]
    assert 50 < distances[0] < 150 and 1000 < distances[1] < 1500


def test_bbox_is_the_map_window(client, create_location):
    create_location(*NAMUR, name="Namur")
    create_location(*LIEGE, name="Liège")
    assert names(client.get("/api/v1/locations?bbox=4.8,50.4,4.9,50.5")) == ["Namur"]


def test_facility_filters(client, create_location):
    create_location(*NAMUR, name="Grand parking", truck_parking_capacity=12, has_power=True)
    create_location(*LIEGE, name="Petit parking", truck_parking_capacity=2, has_power=False)
    assert names(client.get("/api/v1/locations?min_truck_parking=5")) == ["Grand parking"]
    assert names(client.get("/api/v1/locations?power=true")) == ["Grand parking"]
    assert names(client.get("/api/v1/locations?power=false")) == ["Petit parking"]


def test_availability_leaves_out_locations_booked_in_the_period(
    client, create_location, create_shoot
):
    booked = create_location(*NAMUR, name="Réservé")
    create_location(*LIEGE, name="Libre")
    ends_before = create_location(*MONS, name="Libre juste à temps")
    june_10 = datetime(2027, 6, 10, 8, 0, tzinfo=BRUSSELS)
    create_shoot(*LIEGE, start=june_10, hours=10, status=ShootStatus.CANCELLED)
    create_shoot(*NAMUR, start=june_10, hours=10, location=booked)
    # Ends at midnight on 7 June: the half-open period [start, end) does not reach the 7th.
    create_shoot(*MONS, start=datetime(2027, 6, 6, 14, 0, tzinfo=BRUSSELS), hours=10)
    week = "available_from=2027-06-07&available_to=2027-06-14"
    assert names(client.get(f"/api/v1/locations?{week}")) == ["Libre", "Libre juste à temps"]
    assert ends_before.name in names(
        client.get("/api/v1/locations?available_from=2027-06-07&available_to=2027-06-08")
    )
    assert "Réservé" in names(
        client.get("/api/v1/locations?available_from=2027-06-11&available_to=2027-06-14")
    )


def test_paging_reports_matched_returned_and_links(client, create_location):
    for number in range(5):
        create_location(*NAMUR, name=f"Lieu {number}")
    page = client.get("/api/v1/locations?limit=2&offset=2")
    assert page.json["numberMatched"] == 5 and page.json["numberReturned"] == 2
    assert names(page) == ["Lieu 2", "Lieu 3"]
    links = {link["rel"]: link["href"] for link in page.json["links"]}
    assert "offset=4" in links["next"] and "offset=0" in links["prev"]
    past_the_end = client.get("/api/v1/locations?limit=2&offset=10")
    assert past_the_end.json["numberMatched"] == 5 and past_the_end.json["numberReturned"] == 0
    assert page.headers["Content-Type"].startswith("application/geo+json")


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("limit=0", "limit"),
        ("limit=501", "limit"),
        ("offset=-1", "offset"),
        ("near=4.8", "near"),
        ("near=abc,50", "near"),
        ("near=4.8,95", "near"),
        ("near=4.8,50.4&radius_m=-5", "radius_m"),
        ("near=4.8,50.4&radius_m=999999", "radius_m"),
        ("radius_m=100", "radius_m"),
        ("bbox=5,50,4,51", "bbox"),
        ("bbox=1,2,3", "bbox"),
        ("commune=9209", "commune"),
        ("commune=Atlantis", "commune"),
        ("near=4,8617,50,4596", "near"),
        ("min_truck_parking=many", "min_truck_parking"),
        ("power=maybe", "power"),
        ("available_from=2027-06-07", "available_to"),
        ("available_from=soon&available_to=2027-06-07", "available_from"),
        ("available_from=2027-06-09&available_to=2027-06-07", "available_to"),
        ("status=deleted", "status"),
        ("colour=red", "colour"),
    ],
)
def test_every_parameter_is_validated(client, query, field):
    response = client.get(f"/api/v1/locations?{query}")
    assert response.status_code == 400, response.json
    assert response.json["field"] == field
    assert response.json["detail"].startswith(f"{field}: ")


def test_drafts_are_for_the_library_editors_only(client, create_location, api_as):
    create_location(*NAMUR, name="Brouillon", status=LocationStatus.DRAFT)
    create_location(*LIEGE, name="Publié")
    assert names(client.get("/api/v1/locations")) == ["Publié"]
    assert client.get("/api/v1/locations?status=draft").status_code == 403
    officer = client.get("/api/v1/locations?status=any", headers=api_as("officer"))
    assert officer.status_code == 403
    scout = client.get("/api/v1/locations?status=draft", headers=api_as("scout"))
    assert names(scout) == ["Brouillon"]


def test_search_page_and_api_agree(client, create_location):
    create_location(*NAMUR, name="Gare de Namur", tags=["gare"])
    create_location(*LIEGE, name="Gare de Liège", tags=["gare"])
    create_location(*MONS, name="Beffroi de Mons")
    query = "q=gare&near=4.8617,50.4596&radius_m=100000"
    api_names = names(client.get(f"/api/v1/locations?{query}"))
    page = client.get(f"/locations?{query}").get_data(as_text=True)
    assert api_names == ["Gare de Namur", "Gare de Liège"]
    assert page.index("Gare de Namur") < page.index("Gare de Liège")
    assert "Beffroi" not in page


def test_search_page_shows_a_bad_parameter(client):
    response = client.get("/locations?near=nowhere")
    assert response.status_code == 400
    assert "near" in response.get_data(as_text=True)


def test_map_points_are_every_match_of_the_same_search(client, create_location):
    for number in range(3):
        create_location(*NAMUR, name=f"Gare {number}", tags=["gare"])
    create_location(*LIEGE, name="Beffroi")
    create_location(*MONS, name="Gare brouillon", status=LocationStatus.DRAFT)
    points = client.get("/api/v1/locations/map-points?q=gare&limit=1").json
    assert sorted(p[2] for p in points["points"]) == ["Gare 0", "Gare 1", "Gare 2"]
    assert points["points"][0][:2] == [50.4596, 4.8617] and points["points"][0][3] == "Namur"


def test_search_page_map_clusters_the_results(client, create_location):
    create_location(*NAMUR, name="Gare de Namur")
    page = client.get("/locations?q=gare").get_data(as_text=True)
    assert "TournagesMaps.clusteredPoints" in page and "Gare de Namur" in page
    create_location(*LIEGE, name="Gare de Liège")
    many = client.get("/locations?limit=1").get_data(as_text=True)
    assert "/api/v1/locations/map-points?limit=1" in many  # fetched, not inlined
