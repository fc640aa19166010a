"""The location pages' forms refuse bad input next to the field, in French or German, keep
everything typed and store nothing (tests/forms.py reads the pages)."""

from __future__ import annotations

import io
import json

import pytest
from sqlalchemy import func, select

from core.db import db
from locations.models import Location, LocationPhoto, LocationStatus
from tests.forms import (
    LANGUAGES,
    errors_of,
    is_checked,
    is_marked_invalid,
    selected_options,
    summary_of,
    value_of,
)

OUTLINE = {
    "type": "Polygon",
    "coordinates": [[[4.900, 50.471], [4.901, 50.471], [4.901, 50.472], [4.900, 50.471]]],
}
TYPED = {
    "name": "Moulin de Beez",
    "description": "Au bord de la Meuse",
    "lon": "4,9005",
    "lat": "50,4717",
    "categories": ["industrial_site", "lake_river"],
    "tags": "meuse, moulin",
    "outline": json.dumps(OUTLINE),
    "address": "Rue du Moulin 1",
    "truck_parking_capacity": "3",
    "has_power": "y",
    "access_notes": "Par le chemin de halage",
}
OUTSIDE = {"fr": "est en dehors de la Wallonie", "de": "liegt außerhalb der Wallonie"}
LATITUDE = {"fr": "Latitude", "de": "Breitengrad"}


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_a_decimal_comma_is_accepted_where_coordinates_are_typed(client, login, make_user):
    login(make_user("scout"))
    created = client.post("/locations/new", data=TYPED)
    assert created.status_code == 302, created.text
    location = db.session.scalar(select(Location).where(Location.name == "Moulin de Beez"))
    assert location.commune_nis == "92094" and location.outline is not None
    edit = client.get(f"/locations/{location.id}/edit").text
    assert value_of(edit, "lon") == "4.9005" and value_of(edit, "lat") == "50.4717"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_point_outside_wallonia_is_named_next_to_the_longitude_and_nothing_is_lost(
    client, login, make_user, lang
):
    login(make_user("scout"))
    response = client.post(f"/locations/new?lang={lang}", data={**TYPED, "lon": "2,35"})
    assert response.status_code == 400
    page = response.text
    (error,) = errors_of(page, "lon")
    assert OUTSIDE[lang] in error and is_marked_invalid(page, "lon")
    assert value_of(page, "lon") == "2,35" and value_of(page, "lat") == "50,4717"
    assert value_of(page, "name") == "Moulin de Beez"
    assert value_of(page, "description") == "Au bord de la Meuse"
    assert json.loads(value_of(page, "outline")) == OUTLINE
    assert selected_options(page, "categories") == ["industrial_site", "lake_river"]
    assert (
        value_of(page, "tags") == "meuse, moulin"
        and value_of(page, "truck_parking_capacity") == "3"
    )
    assert is_checked(page, "has_power") and not is_checked(page, "has_water")
    assert count(Location) == 0


@pytest.mark.parametrize(
    ("lang", "latitude", "outline"),
    [
        ("fr", "doit être un nombre, par ex. 4,8617 ou 4.8617", "n'est pas du GeoJSON"),
        ("de", "muss eine Zahl sein, z. B. 4,8617 oder 4.8617", "ist kein GeoJSON"),
    ],
)
def test_each_bad_field_says_why_under_it_and_the_summary_names_it(
    client, login, make_user, lang, latitude, outline
):
    login(make_user("scout"))
    sent = {**TYPED, "lat": "cinquante", "outline": '{"type": "Polygon", "coordinates": [[[4.9'}
    first = client.post(f"/locations/new?lang={lang}", data=sent)
    assert first.status_code == 400
    assert errors_of(first.text, "lat") == [latitude]
    assert LATITUDE[lang] in summary_of(first.text)  # by its label, not "lat"
    assert "lat:" not in summary_of(first.text)
    second = client.post(f"/locations/new?lang={lang}", data={**sent, "lat": "50,4717"})
    assert second.status_code == 400 and errors_of(second.text, "outline") == [outline]
    assert value_of(second.text, "outline") == sent["outline"]
    assert count(Location) == 0


def test_an_outline_far_from_the_point_is_refused_next_to_the_outline(client, login, make_user):
    login(make_user("scout"))
    far = {
        "type": "Polygon",
        "coordinates": [[[4.95, 50.47], [4.96, 50.47], [4.96, 50.48], [4.95, 50.47]]],
    }
    response = client.post("/locations/new?lang=de", data={**TYPED, "outline": json.dumps(far)})
    assert response.status_code == 400
    (error,) = errors_of(response.text, "outline")
    assert error.startswith("liegt ") and error.endswith(" m vom Punkt des Ortes entfernt")
    assert count(Location) == 0


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("fr", "Quelqu'un d'autre a modifié le lieu {id} entre-temps (version 2"),
        ("de", "Jemand anderes hat den Drehort {id} inzwischen geändert (Version 2"),
    ],
)
def test_an_edit_of_an_old_version_is_a_409_above_the_form_keeping_the_edit(
    client, login, make_user, create_location, lang, words
):
    location = create_location(name="Citadelle")
    location.version = 2
    login(make_user("scout"))
    response = client.post(
        f"/locations/{location.id}/edit?lang={lang}",
        data={
            **TYPED,
            "lon": "4,8617",
            "lat": "50,4596",
            "name": "Citadelle (haut)",
            "version": "1",
        },
    )
    assert response.status_code == 409
    # core.versioning.check_version: the record named, in the page's language.
    assert words.format(id=location.id) in summary_of(response.text)
    assert value_of(response.text, "name") == "Citadelle (haut)"
    assert db.session.get(Location, location.id).name == "Citadelle"


@pytest.mark.parametrize(
    ("lang", "words"),
    [("fr", "n'est pas une image JPEG, PNG ou WebP lisible"), ("de", "ist kein lesbares JPEG-")],
)
def test_a_file_that_is_no_photo_is_refused_next_to_the_file_field(
    client, login, make_user, create_location, upload_folder, lang, words
):
    location = create_location()
    login(make_user("scout"))
    response = client.post(
        f"/locations/{location.id}/photos?lang={lang}",
        data={"file": (io.BytesIO(b"not an image"), "p.jpg"), "caption": "Vue du pont"},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    (error,) = errors_of(response.text, "file")
    assert words in error and is_marked_invalid(response.text, "file")
    assert value_of(response.text, "caption") == "Vue du pont"
    assert count(LocationPhoto) == 0


def test_a_photo_form_without_a_file_says_it_is_required(client, login, make_user, create_location):
    location = create_location()
    login(make_user("scout"))
    response = client.post(
        f"/locations/{location.id}/photos?lang=de",
        data={"caption": "Nord"},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert errors_of(response.text, "file") == ["ist erforderlich"]


def test_an_unknown_status_is_refused_and_the_status_kept(
    client, login, make_user, create_location
):
    location = create_location(status=LocationStatus.DRAFT)
    login(make_user("admin"))
    response = client.post(f"/locations/{location.id}/status?lang=fr", data={"status": "gone"})
    assert response.status_code == 400
    assert errors_of(response.text, "status") == ["ne fait pas partie des choix"]
    assert "Statut" in summary_of(response.text)
    assert db.session.get(Location, location.id).status is LocationStatus.DRAFT


def test_a_refused_value_with_markup_is_shown_as_text(client, login, make_user):
    """A domain message quoting what was typed (an unknown category) reaches the page escaped."""
    login(make_user("scout"))
    hostile = '<img src=x onerror="alert(1)">'
    response = client.post("/locations/new", data={**TYPED, "categories": [hostile]})
    assert response.status_code == 400
    (error,) = errors_of(response.text, "categories")
    assert error.startswith(f"catégorie inconnue {hostile!r} ; connues : ")
    assert "<img src=x" not in response.text
    assert count(Location) == 0


@pytest.mark.parametrize(
    ("lang", "said"),
    [
        ("fr", "Rayon en mètres : demande aussi un point « Près de (longitude,latitude) »"),
        ("de", "Radius in Metern: braucht auch einen Punkt „In der Nähe von (Länge,Breite)“"),
    ],
)
def test_a_search_filter_error_names_the_filter_by_its_label(client, lang, said):
    response = client.get(f"/locations?radius_m=500&lang={lang}")
    assert response.status_code == 400
    assert said in summary_of(response.text) and "radius_m" not in summary_of(response.text)
    api = client.get("/api/v1/locations?radius_m=500", headers={"Accept-Language": lang})
    assert api.json["detail"] == "radius_m: needs near=lon,lat"  # the API says it in English
