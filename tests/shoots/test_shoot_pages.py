"""HTML pages: a coordinator schedules through the form and edits only their productions."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from core.db import db
from shoots.models import Shoot
from tests.shoots.conftest import NAMUR, circle, offset


def form_data(**fields) -> dict:
    return {
        "starts_at": "2027-06-14T07:00",
        "ends_at": "2027-06-14T17:00",
        "footprint": json.dumps(circle(*NAMUR, 30)),
        "crew_size": "12",
        "vehicle_count": "3",
        **fields,
    }


def test_schedule_through_the_form_and_see_the_calendar(client, login, coordinator, production):
    login(coordinator)
    url = f"/productions/{production.id}/shoots/new"
    assert client.get(url).status_code == 200
    saved = client.post(url, data=form_data(notes="Quai 1"))
    assert saved.status_code == 302, saved.data
    page = client.get(f"/productions/{production.id}?month=2027-06")
    assert page.status_code == 200
    assert b"Quai 1" in page.data and b'class="chip' in page.data
    double = client.post(url, data=form_data(footprint=json.dumps(circle(*offset(*NAMUR, 20), 20))))
    assert double.status_code == 409
    assert db.session.scalar(select(func.count()).select_from(Shoot)) == 1


def test_form_names_the_bad_field(client, login, coordinator, production):
    login(coordinator)
    response = client.post(
        f"/productions/{production.id}/shoots/new", data=form_data(starts_at="2027-03-28T02:30")
    )
    assert response.status_code == 400
    assert "aria-invalid" in response.text and "n&#39;existe pas à Bruxelles" in response.text


def test_a_coordinator_cannot_edit_someone_elses_production(client, login, make_user, production):
    login(make_user("coordinator"))
    assert client.get(f"/productions/{production.id}/shoots/new").status_code == 403
    assert client.get(f"/productions/{production.id}/edit").status_code == 403


def test_user_supplied_text_is_escaped(client, login, coordinator, create_production):
    production = create_production(title="<script>alert(1)</script>", coordinators=[coordinator])
    login(coordinator)
    page = client.get(f"/productions/{production.id}")
    assert b"<script>alert(1)</script>" not in page.data


def test_commune_schedule_and_blackouts_pages(client, login, make_user, post_shoot):
    post_shoot()
    officer = make_user("officer", commune="92094")
    login(officer)
    page = client.get("/schedule/communes?month=2027-06")
    assert page.status_code == 200 and b"shoot-" in page.data
    created = client.post(
        "/blackouts",
        data={
            "commune": "92094",
            "kind": "festival",
            "title": "Fêtes de Wallonie",
            "starts_at": "2027-09-17T00:00",
            "ends_at": "2027-09-21T00:00",
        },
    )
    assert created.status_code == 302, created.text
    assert "Fêtes de Wallonie" in client.get("/blackouts").text


def test_create_and_edit_a_production_through_the_form(client, login, coordinator):
    login(coordinator)
    created = client.post(
        "/productions/new",
        data={
            "title": "Les Ardennes",
            "type": "documentary",
            "company": "Doc Sud",
            "status": "preparation",
            "file_reference": "WFC-T-1",
        },
    )
    assert created.status_code == 302, created.text
    page = client.get(created.headers["Location"])
    assert "Les Ardennes" in page.text and coordinator.email in page.text
    production_id = created.headers["Location"].rsplit("/", 1)[1]
    edited = client.post(
        f"/productions/{production_id}/edit",
        data={
            "title": "Les Hautes Ardennes",
            "type": "documentary",
            "company": "Doc Sud",
            "status": "shooting",
            "coordinators": coordinator.email,
        },
    )
    assert edited.status_code == 302, edited.text
    assert "Les Hautes Ardennes" in client.get(edited.headers["Location"]).text


def test_location_schedule_page(client, login, coordinator, post_shoot, create_location):
    location = create_location(name="Gare de Namur")
    post_shoot(location_id=location.id, footprint=None, notes="Quai 2")
    login(coordinator)
    page = client.get(f"/schedule/locations/{location.id}?month=2027-06")
    assert page.status_code == 200
    assert "Gare de Namur" in page.text and "Quai 2" in page.text


def test_pages_name_types_statuses_and_kinds_in_words(client, login, make_user, create_production):
    coordinator = make_user("coordinator")
    create_production(coordinators=[coordinator])
    login(coordinator)
    page = client.get("/productions").get_data(as_text=True)
    assert "préparation" in page and ">preparation<" not in page


@pytest.mark.parametrize(
    "footprint",
    [
        '{"type": "Polygon", "coordinates": "4.86 50.46, 4.87 50.46"}',
        '{"type": "Polygon", "coordinates": [[["a", "b"], [1, 2], [3, 4], ["a", "b"]]]}',
        '{"type": "Polygon", "coordinates": [[[NaN, 50.4], [4.8, 1e308], [4.9, 50.5], [NaN, 5]]]}',
        '{"type": "Polygon"}',
        "[" * 5000 + "]" * 5000,
    ],
)
def test_a_malformed_footprint_on_the_form_is_a_400_naming_it(
    client, login, coordinator, production, footprint
):
    """Found on main at e55319c: coordinates as a string on the shoot form gave a 500."""
    login(coordinator)
    response = client.post(
        f"/productions/{production.id}/shoots/new", data=form_data(footprint=footprint)
    )
    assert response.status_code == 400
    assert db.session.scalar(select(func.count()).select_from(Shoot)) == 0


def test_the_shoot_forms_location_is_shown_by_name_and_sent_by_id(
    client, login, coordinator, production, create_location
):
    location = create_location(name="Gare de Namur <quai>")
    login(coordinator)
    url = f"/productions/{production.id}/shoots/new"
    saved = client.post(url, data=form_data(location_id=str(location.id), footprint=""))
    assert saved.status_code == 302, saved.text
    shoot = db.session.scalars(select(Shoot)).one()
    assert shoot.location_id == location.id
    page = client.get(f"/shoots/{shoot.id}/edit").text
    # The box shows the name (escaped), the hidden field holds the id; nobody types the number.
    assert 'role="combobox"' in page and 'value="Gare de Namur &lt;quai&gt;"' in page
    assert f'<input type="hidden" data-place-value value="{location.id}">' in page
    assert "/static/places/place-picker.js" in page
    unknown = client.post(url, data=form_data(location_id="Gare de Namur"))  # no JavaScript
    assert unknown.status_code == 400 and 'aria-invalid="true"' in unknown.text


@pytest.mark.parametrize(
    ("lang", "commune", "weekly"),
    [
        ("fr", "Bullange", "chaque samedi, 06:00–14:00"),
        ("de", "Büllingen", "jeden Samstag, 06:00–14:00"),
    ],
)
def test_the_blackout_list_names_the_commune_and_the_weekday(
    client, login, make_user, lang, commune, weekly
):
    login(make_user("officer", commune="63012"))
    created = client.post(
        "/blackouts",
        data={
            "commune": "63012", "kind": "market", "title": "Marché hebdomadaire",
            "starts_at": "2027-01-01T00:00", "ends_at": "2028-01-01T00:00",
            "weekday": "6", "daily_start": "06:00", "daily_end": "14:00",
        },
    )  # fmt: skip
    assert created.status_code == 302, created.text
    row = client.get(f"/blackouts?lang={lang}").text.split("Marché hebdomadaire")[0]
    row = row[row.rindex("<tr>") :]
    assert f"<td>{commune}</td>" in row and "63012" not in row
    page = client.get(f"/blackouts?lang={lang}").text
    assert weekly in page and "day 6" not in page
