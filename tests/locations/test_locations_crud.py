import threading

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from core.auth.operations import create_token, create_user
from core.db import db
from core.errors import NotFound
from locations import operations
from locations.models import Location, LocationStatus
from tests.locations.conftest import PRIVATE_VALUES, point_feature

NAMUR = (4.8617, 50.4596)


def location_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Location))


def test_scout_creates_a_draft_with_the_commune_from_the_point(client, api_as):
    response = client.post(
        "/api/v1/locations",
        json=point_feature(*NAMUR, categories=["fortress"], tags=["Remparts", "remparts"]),
        headers=api_as("scout"),
    )
    assert response.status_code == 201, response.json
    properties = response.json["properties"]
    assert properties["commune"] == {"nis": "92094", "name": "Namur"}
    assert properties["status"] == "draft" and properties["version"] == 1
    assert properties["categories"] == ["fortress"] and properties["tags"] == ["remparts"]
    assert response.json["geometry"] == {"type": "Point", "coordinates": [4.8617, 50.4596]}
    assert response.headers["Location"].endswith(f"/api/v1/locations/{response.json['id']}")
    assert properties["created_by"] == properties["updated_by"] == "scout1@example.be"


def test_anonymous_and_officers_cannot_create(client, api_as):
    assert client.post("/api/v1/locations", json=point_feature(*NAMUR)).status_code == 401
    officer = client.post(
        "/api/v1/locations", json=point_feature(*NAMUR), headers=api_as("officer")
    )
    assert officer.status_code == 403


@pytest.mark.parametrize(
    ("feature", "field", "words"),
    [
        (point_feature(2.35, 48.85), "geometry", "outside Wallonia"),  # Paris
        (point_feature(50.4596, 4.8617), "geometry", "swapped"),  # Namur, lat/lon
        (point_feature(*NAMUR, name=""), "properties.name", "at least 1"),
        (point_feature(*NAMUR, categories=["volcano"]), "properties.categories", "volcano"),
        (
            point_feature(
                *NAMUR,
                outline={  # a bow tie
                    "type": "Polygon",
                    "coordinates": [
                        [
                            [4.861, 50.459],
                            [4.862, 50.460],
                            [4.862, 50.459],
                            [4.861, 50.460],
                            [4.861, 50.459],
                        ]
                    ],
                },
            ),
            "properties.outline",
            "Self-intersection",
        ),
        (
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [4.8, "x"]},
                "properties": {"name": "x"},
            },
            "geometry.coordinates.1",
            "number",
        ),
        (
            {
                "type": "Feature",
                "geometry": {"type": "LineString", "coordinates": [[4.8, 50]]},
                "properties": {"name": "x"},
            },
            "geometry.type",
            "Point",
        ),
    ],
)
def test_bad_input_is_a_400_naming_the_field_and_stores_nothing(
    client, api_as, feature, field, words
):
    headers = api_as("scout")
    before = location_count()
    response = client.post("/api/v1/locations", json=feature, headers=headers)
    assert response.status_code == 400, response.json
    assert response.json["field"] == field
    assert words in response.json["detail"]
    assert location_count() == before


def test_outline_is_stored_and_returned(client, api_as):
    square = [[4.861, 50.459], [4.862, 50.459], [4.862, 50.460], [4.861, 50.460], [4.861, 50.459]]
    feature = point_feature(*NAMUR, outline={"type": "Polygon", "coordinates": [square]})
    response = client.post("/api/v1/locations", json=feature, headers=api_as("scout"))
    assert response.status_code == 201, response.json
    outline = response.json["properties"]["outline"]
    assert outline["type"] == "Polygon" and len(outline["coordinates"][0]) == 5


def test_private_fields_are_for_coordinators_and_admins_only(app, client, api_as, create_location):
    location = create_location(*NAMUR, name="Ferme", **PRIVATE_VALUES)
    url = f"/api/v1/locations/{location.id}"
    for headers in ({}, api_as("scout"), api_as("officer")):
        # A fresh client each time: the HTML page leaves a session cookie (CSRF token), and
        # Flask-Login's strong session protection then ignores bearer tokens (see the report).
        fresh = app.test_client()
        for response in (
            fresh.get(url, headers=headers),
            fresh.get("/api/v1/locations", headers=headers),
            fresh.get("/api/v1/locations/export", headers=headers),
            fresh.get("/api/v1/locations/export?format=csv", headers=headers),
            fresh.get(f"/locations/{location.id}", headers=headers),
        ):
            body = response.get_data(as_text=True)
            assert response.status_code == 200 and "Ferme" in body
            for name, value in PRIVATE_VALUES.items():
                assert name not in body and value not in body
    for role in ("coordinator", "admin"):
        headers = api_as(role)
        assert client.get(url, headers=headers).json["properties"]["contact_email"] == (
            "jeanne@example.be"
        )
        assert "jeanne@example.be" in client.get(
            "/api/v1/locations/export?format=csv", headers=headers
        ).get_data(as_text=True)


def test_scouts_may_not_write_private_fields(client, api_as):
    feature = point_feature(*NAMUR, contact_phone="+32 470 00 00 00")
    response = client.post("/api/v1/locations", json=feature, headers=api_as("scout"))
    assert response.status_code == 403 and response.json["field"] == "properties.contact_phone"
    coordinator = client.post("/api/v1/locations", json=feature, headers=api_as("coordinator"))
    assert coordinator.status_code == 201


def test_patch_needs_the_current_version(client, api_as, create_location):
    location = create_location(*NAMUR, name="Avant")
    headers = api_as("coordinator")
    url = f"/api/v1/locations/{location.id}"
    changed = client.patch(
        url,
        json={"type": "Feature", "properties": {"name": "Après", "version": 1}},
        headers=headers,
    )
    assert changed.status_code == 200 and changed.json["properties"]["version"] == 2
    stale = client.patch(
        url,
        json={"type": "Feature", "properties": {"name": "Écrasé", "version": 1}},
        headers=headers,
    )
    assert stale.status_code == 409 and stale.json["current_version"] == 2
    assert client.get(url).json["properties"]["name"] == "Après"
    missing = client.patch(url, json={"type": "Feature", "properties": {}}, headers=headers)
    assert missing.status_code == 400 and missing.json["field"] == "properties.version"
    nameless = client.patch(
        url, json={"type": "Feature", "properties": {"name": None, "version": 2}}, headers=headers
    )
    assert nameless.status_code == 400 and nameless.json["field"] == "properties.name"


def test_moving_the_point_derives_the_commune_again(client, api_as, create_location):
    location = create_location(*NAMUR)
    response = client.patch(
        f"/api/v1/locations/{location.id}",
        json={
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [5.5667, 50.6246]},
            "properties": {"version": 1, "commune": {"nis": "92094"}},
        },
        headers=api_as("scout"),
    )
    assert response.status_code == 200
    assert response.json["properties"]["commune"]["nis"] == "62063"  # Liège


def test_only_admins_publish_and_archive(client, api_as, create_location):
    location = create_location(*NAMUR, status=LocationStatus.DRAFT)
    url = f"/api/v1/locations/{location.id}"
    publish = {"type": "Feature", "properties": {"status": "published", "version": 1}}
    scout = client.patch(url, json=publish, headers=api_as("scout"))
    assert scout.status_code == 403 and scout.json["field"] == "properties.status"
    admin = client.patch(url, json=publish, headers=api_as("admin"))
    assert admin.status_code == 200 and admin.json["properties"]["status"] == "published"


def test_delete_archives_a_location_with_shoots(client, api_as, create_location, create_shoot):
    admin = api_as("admin")
    used = create_location(*NAMUR, name="Utilisé")
    create_shoot(*NAMUR, location=used)
    used_id, unused_id = used.id, create_location(*NAMUR, name="Inutilisé").id
    scout = client.delete(f"/api/v1/locations/{unused_id}", headers=api_as("scout"))
    assert scout.status_code == 403
    gone = client.delete(f"/api/v1/locations/{unused_id}", headers=admin)
    assert gone.json == {"id": unused_id, "result": "deleted"}
    assert client.get(f"/api/v1/locations/{unused_id}", headers=admin).status_code == 404
    kept = client.delete(f"/api/v1/locations/{used_id}", headers=admin)
    assert kept.json["result"] == "archived"
    assert db.session.get(Location, used_id).status == LocationStatus.ARCHIVED


def test_the_delete_page_and_the_api_share_one_delete(
    app, client, login, make_user, create_location, create_shoot, tmp_path
):
    """The page deletes as the API does (operations.delete_location): archived when shoots
    refer to the location, deleted otherwise, 404 for an unknown id."""
    admin = make_user("admin")
    used, unused = create_location(*NAMUR, name="Utilisé"), create_location(*NAMUR, name="Libre")
    create_shoot(*NAMUR, location=used)
    used_id, unused_id = used.id, unused.id
    assert operations.delete_location(db.session, used_id, admin, tmp_path) == "archived"
    with pytest.raises(NotFound):
        operations.delete_location(db.session, 999_999, admin, tmp_path)
    login(admin)
    page = client.post(f"/locations/{unused_id}/delete")
    assert page.status_code == 302 and page.location.endswith("/locations")
    assert db.session.get(Location, unused_id) is None
    assert db.session.get(Location, used_id).status == LocationStatus.ARCHIVED
    assert client.post("/locations/999999/delete").status_code == 404


def test_unpublished_locations_are_hidden_from_the_public(client, api_as, create_location):
    draft = create_location(*NAMUR, status=LocationStatus.DRAFT)
    assert client.get(f"/api/v1/locations/{draft.id}").status_code == 404
    assert client.get(f"/locations/{draft.id}").status_code == 404
    assert client.get(f"/api/v1/locations/{draft.id}", headers=api_as("scout")).status_code == 200


def test_admins_manage_categories(client, api_as):
    new = {"code": "windmill", "label_fr": "Moulin", "label_en": "Windmill", "label_de": "Mühle"}
    assert (
        client.post("/api/v1/locations/categories", json=new, headers=api_as("scout")).status_code
        == 403
    )
    created = client.post("/api/v1/locations/categories", json=new, headers=api_as("admin"))
    assert created.status_code == 201
    again = client.post("/api/v1/locations/categories", json=new, headers=api_as("admin"))
    assert again.status_code == 409
    renamed = client.patch(
        "/api/v1/locations/categories/windmill",
        json={"label_fr": "Moulin à vent"},
        headers=api_as("admin"),
    )
    assert renamed.json["label_fr"] == "Moulin à vent"
    codes = [c["code"] for c in client.get("/api/v1/locations/categories").json["categories"]]
    assert "windmill" in codes and "castle" in codes


def test_two_coordinators_saving_at_once_one_gets_a_409(committed_app):
    """Both read version 1 and press save together: exactly one save wins."""
    session = db.session
    coordinators = [
        create_user(session, f"race{n}@example.be", "coordinator", password=None) for n in range(2)
    ]
    from geoalchemy2.shape import from_shape

    from locations.operations import commune_for, lambert_point

    location = Location(
        name="Disputé",
        status=LocationStatus.PUBLISHED,
        point=from_shape(lambert_point(*NAMUR), srid=3812),
        commune_nis=commune_for(session, *NAMUR).nis,
    )
    session.add(location)
    session.flush()
    tokens = [create_token(session, user) for user in coordinators]
    session.commit()
    barrier = threading.Barrier(2, timeout=30)  # a failing thread must not hang the suite
    statuses: list[int] = []

    def save(token: str, name: str) -> None:
        # A plain client: each thread has its own request contexts, no shared test session.
        client = FlaskClient(committed_app, committed_app.response_class)
        headers = {"Authorization": f"Bearer {token}"}
        version = client.get(f"/api/v1/locations/{location.id}").json["properties"]["version"]
        barrier.wait()
        response = client.patch(
            f"/api/v1/locations/{location.id}",
            json={"type": "Feature", "properties": {"name": name, "version": version}},
            headers=headers,
        )
        statuses.append(response.status_code)

    threads = [threading.Thread(target=save, args=(t, f"Nom {n}")) for n, t in enumerate(tokens)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(statuses) == [200, 409]
    session.expire_all()
    assert session.get(Location, location.id).version == 2
