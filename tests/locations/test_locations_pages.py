from datetime import datetime

import pytest
from sqlalchemy import func, select

from core.db import db
from locations.demo import HAND_WRITTEN, load_demo_locations
from locations.models import Category, Location, LocationStatus
from tests.conftest import BRUSSELS
from tests.locations.conftest import PRIVATE_VALUES

SCRIPT_NAME = '<script>alert("x")</script><b>Gare</b>'


def test_names_with_html_are_shown_as_text_everywhere(client, login, make_user, create_location):
    location = create_location(name=SCRIPT_NAME, description="<img src=x onerror=alert(1)>")
    create_location(4.8630, 50.4600, name="Voisin")
    login(make_user("scout"))
    pages = [
        client.get("/locations"),
        client.get("/locations?q=gare"),
        client.get(f"/locations/{location.id}"),
        client.get(f"/locations/{location.id}/edit"),
    ]
    neighbour = client.get("/locations?q=voisin").get_data(as_text=True)
    assert "Voisin" in neighbour
    for page in pages:
        body = page.get_data(as_text=True)
        assert page.status_code == 200
        assert "<script>alert" not in body and "<img src=x" not in body
        assert "&lt;script&gt;alert(" in body
    # Leaflet's layer control renders layer names as HTML: no user text may name a layer.
    detail = pages[2].get_data(as_text=True)
    overlays = detail[detail.index("overlays") :]
    assert "Gare" not in overlays[: overlays.index("}")]


def test_a_scout_creates_and_edits_a_location_with_the_forms(client, login, make_user):
    login(make_user("scout"))
    form = {
        "name": "Moulin de Beez",
        "lon": "4.9005",
        "lat": "50.4717",
        "categories": ["industrial_site", "lake_river"],
        "tags": "meuse, moulin",
        "truck_parking_capacity": "3",
        "has_power": "y",
    }
    created = client.post("/locations/new", data=form)
    assert created.status_code == 302, created.get_data(as_text=True)
    location = db.session.scalar(select(Location).where(Location.name == "Moulin de Beez"))
    assert location.commune_nis == "92094" and location.has_power and not location.has_water
    assert location.tags == ["meuse", "moulin"] and location.status == LocationStatus.DRAFT
    edited = client.post(
        f"/locations/{location.id}/edit", data={**form, "name": "Moulin", "version": "1"}
    )
    assert edited.status_code == 302
    stale = client.post(f"/locations/{location.id}/edit", data={**form, "version": "1"})
    assert stale.status_code == 409  # the form says the error's status (core.forms)
    # In the user's language, naming the record (core.versioning.check_version).
    assert f"a modifié le lieu {location.id} entre-temps" in stale.get_data(as_text=True)


def test_form_errors_are_shown_and_nothing_is_stored(client, login, make_user):
    login(make_user("scout"))
    response = client.post("/locations/new", data={"name": "Paris", "lon": "2.35", "lat": "48.85"})
    assert response.status_code == 400
    assert "en dehors de la Wallonie" in response.get_data(as_text=True)
    assert 'value="Paris"' in response.get_data(as_text=True)  # what was typed stays
    assert db.session.scalar(select(func.count()).select_from(Location)) == 0


def test_detail_page_shows_facilities_nearby_and_shoots(
    client, login, make_user, create_location, create_shoot
):
    location = create_location(name="Citadelle", truck_parking_capacity=7, **PRIVATE_VALUES)
    create_location(4.8630, 50.4600, name="Pont de Jambes")
    shoot = create_shoot(location=location, start=datetime(2030, 6, 14, 7, 0, tzinfo=BRUSSELS))
    public = client.get(f"/locations/{location.id}").get_data(as_text=True)
    assert "Pont de Jambes" in public and "Namur" in public and ": 7" in public
    assert "jeanne@example.be" not in public and "Production" not in public
    login(make_user("coordinator"))
    coordinator = client.get(f"/locations/{location.id}").get_data(as_text=True)
    assert "jeanne@example.be" in coordinator
    assert "14/06/2030" in coordinator  # the upcoming shoot
    assert shoot.production.title not in coordinator  # not theirs, not listed
    assert "une autre production" in coordinator  # French first


def test_the_upcoming_shoots_name_a_production_only_to_those_who_may_read_it(
    client, login, make_user, create_location, create_shoot
):
    location = create_location(name="Citadelle")
    start = datetime(2030, 6, 14, 7, 0, tzinfo=BRUSSELS)
    secret = create_shoot(location=location, start=start)
    listed = create_shoot(location=location, start=start.replace(day=20))
    listed.production.listed = True
    coordinator = make_user("coordinator")
    secret.production.coordinators = [coordinator]
    for viewer, sees_secret in ((make_user("scout"), False), (coordinator, True)):
        login(viewer)
        page = client.get(f"/locations/{location.id}").get_data(as_text=True)
        upcoming = page[page.index("Tournages à venir") :]
        assert (secret.production.title in upcoming) is sees_secret
        assert listed.production.title in upcoming  # a listed title is anyone's to read
        assert upcoming.index("14/06/2030") < upcoming.index("20/06/2030")  # soonest first


def test_admin_publishes_from_the_detail_page(client, login, make_user, create_location):
    location = create_location(status=LocationStatus.DRAFT)
    login(make_user("admin"))
    response = client.post(f"/locations/{location.id}/status", data={"status": "published"})
    assert response.status_code == 302
    assert db.session.get(Location, location.id).status == LocationStatus.PUBLISHED


def test_demo_locations_load_once_and_are_marked(app):
    first = load_demo_locations(db.session)
    second = load_demo_locations(db.session)
    total = 278 + len(HAND_WRITTEN)
    assert first == f"{total} demo locations created, 0 already there"
    assert second == f"0 demo locations created, {total} already there"
    stations = db.session.scalar(
        select(func.count())
        .select_from(Location)
        .where(Location.categories.any(Category.code == "railway_station"))
    )
    assert stations == 278
    assert db.session.scalar(select(func.count()).where(~Location.is_demo)) == 0
    assert (
        db.session.scalar(select(func.count()).where(Location.status != LocationStatus.PUBLISHED))
        == 0
    )
    other = db.session.scalar(
        select(func.count(func.distinct(Category.code)))
        .select_from(Location)
        .join(Location.categories)
        .where(Category.code != "railway_station")
    )
    assert other >= 5


def test_photos_from_the_detail_page(
    client, login, make_user, create_location, image_bytes, upload_folder
):
    import io

    location = create_location(status=LocationStatus.DRAFT)
    login(make_user("scout"))
    drafts = client.get("/locations?status=draft").get_data(as_text=True)
    assert "Citadelle de Namur" in drafts
    for caption in ("Nord", "Sud"):
        response = client.post(
            f"/locations/{location.id}/photos",
            data={"file": (io.BytesIO(image_bytes()), "p.jpg"), "caption": caption},
            content_type="multipart/form-data",
        )
        assert response.status_code == 302
    fake = client.post(
        f"/locations/{location.id}/photos",
        data={"file": (io.BytesIO(b"not an image"), "p.jpg")},
        content_type="multipart/form-data",
    )
    assert fake.status_code == 400
    assert "n&#39;est pas une image JPEG, PNG ou WebP lisible" in fake.get_data(as_text=True)
    photos = client.get(f"/api/v1/locations/{location.id}/photos").json["photos"]
    assert [p["caption"] for p in photos] == ["Nord", "Sud"]
    client.post(f"/locations/{location.id}/photos/{photos[1]['id']}/earlier")
    client.post(f"/locations/{location.id}/photos/{photos[1]['id']}/cover")
    photos = client.get(f"/api/v1/locations/{location.id}/photos").json["photos"]
    assert [(p["caption"], p["is_cover"]) for p in photos] == [("Sud", True), ("Nord", False)]


@pytest.mark.parametrize(
    ("lang", "expected"),
    [("fr", "Saint-Vith (Province de Liège)"), ("de", "Sankt Vith (Provinz Lüttich)")],
)
def test_pages_name_the_commune_and_the_province_in_the_language(
    client, login, make_user, create_location, lang, expected
):
    location = create_location(6.1236, 50.2817, name="Marché couvert")
    login(make_user("scout"))
    search = client.get(f"/locations?q=march%C3%A9&lang={lang}").get_data(as_text=True)
    detail = client.get(f"/locations/{location.id}?lang={lang}").get_data(as_text=True)
    assert expected in search and expected in detail
    province = expected.split("(")[1].rstrip(")")
    assert f">{province}</option>" in search  # the province filter, too


@pytest.mark.parametrize(("lang", "decimal"), [("fr", ","), ("de", ","), ("en", ".")])
def test_distances_are_written_in_the_languages_style(client, create_location, lang, decimal):
    here = create_location(4.8617, 50.4596, name="Ici")
    create_location(4.8617, 50.4731, name="Là-haut")  # 1.5 km north
    page = client.get(f"/locations/{here.id}?lang={lang}").get_data(as_text=True)
    assert f"1{decimal}5 km" in page
