"""The shoot form's map helpers and the series pages, without a browser: the live check (the
API's dry run on the form as it stands), the period's surroundings (occupancy, drafts hidden),
a series made, refused, changed, cancelled and deleted through the pages, a blackout's commune
chosen by name. Hostile input is refused by name or shown as text; nothing is half-stored."""

from __future__ import annotations

import html
import json
from datetime import datetime

import pytest
from sqlalchemy import func, select

from core.config import BRUSSELS
from core.db import db
from locations.models import LocationStatus
from shoots import map_layers
from shoots.models import Blackout, BlackoutKind, Shoot, ShootSeries, ShootStatus
from tests.forms import errors_of, value_of
from tests.hostile import HOSTILE_STRINGS
from tests.shoots.conftest import NAMUR, circle, offset

FORM = {
    "starts_at": "2027-06-14T07:00",
    "ends_at": "2027-06-14T17:00",
    "footprint": json.dumps(circle(*NAMUR, 30)),
    "crew_size": "12",
    "vehicle_count": "3",
}
JUNE_14 = datetime(2027, 6, 14, 7, 0, tzinfo=BRUSSELS)
WINDOW = "4.85,50.45,4.88,50.47"


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def signed_in(client, login, coordinator):
    login(coordinator)
    return client


def check(client, production, lang="fr", **fields):
    url = f"/productions/{production.id}/shoots/check?lang={lang}"
    response = client.post(url, data={**FORM, **fields})
    assert response.status_code == 200, response.text  # an answer even for unready input
    return response.json


# ---- the live check ------------------------------------------------------------------------


def test_the_check_finds_another_productions_shoot_as_occupancy(
    signed_in, production, create_shoot, create_production
):
    rival = create_shoot(*NAMUR, start=JUNE_14,
                         production=create_production(title="Titre secret"))  # fmt: skip
    before = count(Shoot)
    answer = check(signed_in, production)
    assert answer["checked"] is True and answer["ok"] is False
    assert "une autre production" in answer["html"] and "Titre secret" not in answer["html"]
    assert f'data-show-shoot="{rival.id}"' in answer["html"]  # linked to the map
    (named,) = answer["named"]["features"]
    assert named["id"] == rival.id and named["properties"]["style"]["color"] == "#c62828"
    assert named["properties"]["title"] == "une autre production"
    assert count(Shoot) == before  # a dry run


@pytest.mark.parametrize(
    ("lang", "said"),
    [("fr", "tournage {id} d'une autre production"), ("de", "Dreh {id} einer anderen Produktion")],
)
def test_another_productions_shoot_is_named_as_a_whole_phrase_in_each_language(
    signed_in, production, create_shoot, create_production, lang, said
):
    rival = create_shoot(*NAMUR, start=JUNE_14, production=create_production(title="Secret"))
    answer = check(signed_in, production, lang)
    assert said.format(id=rival.id) in html.unescape(answer["html"])


def test_the_check_of_a_free_place_says_so_and_gives_the_footprint_around_a_location(
    signed_in, production, create_location
):
    location = create_location(*offset(*NAMUR, 2_000))
    answer = check(signed_in, production, footprint="", location_id=str(location.id))
    assert answer["ok"] is True and answer["named"]["features"] == []
    assert "Aucun conflit" in answer["html"]
    assert answer["footprint"]["type"] == "MultiPolygon"  # the 50 m around the location


@pytest.mark.parametrize(
    ("fields", "lang", "expected"),
    [
        ({"ends_at": "2027-06-14T06:00"}, "de", "muss nach dem Beginn liegen"),
        ({"ends_at": "9999-12-31T10:00"}, "fr", "2100"),
        ({"footprint": '{"type": "Polygon", "coord'}, "fr", "n'est pas du GeoJSON"),
        ({"footprint": "[" * 5000}, "fr", "n'est pas du GeoJSON"),
        ({"footprint": json.dumps(circle(4.35, 50.85, 30))}, "fr", "Wallonie"),  # Brussels
        ({"location_id": str(2**31)}, "fr", "Lieu de la bibliothèque"),
    ],
)
def test_input_not_ready_is_said_in_the_pages_language_and_checked_false(
    signed_in, production, fields, lang, expected
):
    answer = check(signed_in, production, lang, **fields)
    assert answer["checked"] is False and answer["ok"] is False
    assert expected in html.unescape(answer["html"])


def test_a_blackouts_hostile_title_reaches_the_check_as_text(signed_in, production, make_user):
    officer = make_user("officer")
    for title in HOSTILE_STRINGS[:10]:
        db.session.add(Blackout(commune_nis="92094", kind=BlackoutKind.MARKET, title=title,
                                period=_period("2027-06-14T00:00", "2027-06-15T00:00"),
                                created_by_id=officer.id))  # fmt: skip
    db.session.flush()
    answer = check(signed_in, production)["html"]
    assert "<script>window.pwned" not in answer and "<img src=x" not in answer
    assert "&lt;img src=x onerror=alert(1)&gt;" in answer
    assert "Probe 1337" not in answer and "Probe {{ 7*191 }}" in answer


def _period(start: str, end: str):
    from sqlalchemy.dialects.postgresql import Range

    return Range(
        datetime.fromisoformat(start).replace(tzinfo=BRUSSELS),
        datetime.fromisoformat(end).replace(tzinfo=BRUSSELS),
        bounds="[)",
    )


def test_the_check_of_a_series_reports_every_day(signed_in, production, create_shoot):
    create_shoot(*NAMUR, start=datetime(2027, 6, 16, 9, 0, tzinfo=BRUSSELS))
    answer = check(signed_in, production, repeat_weekdays=["1", "2", "3"],
                   repeat_until="2027-06-16")  # fmt: skip
    assert answer["ok"] is False
    assert answer["html"].count('<tr class="day-') == 3
    assert 'class="day-conflict"' in answer["html"]


def test_who_may_ask_for_a_check(client, login, make_user, production, csrf_client):
    url = f"/productions/{production.id}/shoots/check"
    assert client.post(url, data=FORM).status_code in (302, 401)  # anonymous
    login(make_user("coordinator"))  # another production's coordinator
    assert client.post(url, data=FORM).status_code == 403
    assert client.post(f"/productions/{2**31}/shoots/check", data=FORM).status_code == 404


def test_the_check_needs_the_forms_csrf_token(csrf_client, coordinator, production):
    from tests.conftest import PASSWORD

    page = csrf_client.get("/login")
    token = page.text.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    credentials = {"email": coordinator.email, "password": PASSWORD, "csrf_token": token}
    signed = csrf_client.post("/login", data=credentials)
    assert signed.status_code == 302
    url = f"/productions/{production.id}/shoots/check"
    assert csrf_client.post(url, data=FORM).status_code == 400
    form = csrf_client.get(f"/productions/{production.id}/shoots/new").text
    token = form.split('id="csrf_token" name="csrf_token" type="hidden" value="')[1].split('"')[0]
    assert csrf_client.post(url, data={**FORM, "csrf_token": token}).json["checked"] is True


# ---- the period's surroundings ---------------------------------------------------------------


def surroundings(client, production, status=200, **args):
    query = {"starts_at": "2027-06-14T00:00", "ends_at": "2027-06-15T00:00", "bbox": WINDOW,
             "zoom": "15", **args}  # fmt: skip
    response = client.get(f"/productions/{production.id}/shoots/surroundings", query_string=query)
    assert response.status_code == status, response.text
    return response.json


def test_surroundings_show_live_shoots_as_occupancy_blackouts_and_published_locations(
    signed_in, production, create_shoot, create_production, create_location
):
    secret = create_production(title="Titre secret")
    other = create_shoot(*NAMUR, start=JUNE_14, production=secret)
    own = create_shoot(*offset(*NAMUR, 300), start=JUNE_14, production=production)
    create_shoot(*offset(*NAMUR, 600), start=JUNE_14, production=secret, status="cancelled")
    create_shoot(*offset(*NAMUR, 900), start=datetime(2027, 7, 1, tzinfo=BRUSSELS))
    create_location(*offset(*NAMUR, 100), name="Publiée")
    create_location(*offset(*NAMUR, 200), name="Brouillon", status=LocationStatus.DRAFT)
    answer = surroundings(signed_in, production)
    shoots = {f["id"]: f["properties"]["title"] for f in answer["shoots"]["features"]}
    assert shoots == {other.id: "une autre production", own.id: production.title}
    assert answer["truncated"] is False
    names = {f["properties"]["name"] for f in answer["locations"]["features"]}
    assert "Publiée" in names and "Brouillon" not in names  # drafts: the picker's editors only
    assert (
        surroundings(signed_in, production, shoot=str(own.id))["shoots"]["features"][0]["id"]
        == other.id
    )  # the shoot being edited is not around itself
    assert surroundings(signed_in, production, zoom="12")["locations"] is None


def test_surroundings_draw_the_blackouts_of_the_period(signed_in, production, make_user):
    db.session.add(Blackout(commune_nis="92094", kind=BlackoutKind.MARKET, title="Marché",
                            period=_period("2027-06-14T06:00", "2027-06-14T13:00")))  # fmt: skip
    db.session.add(Blackout(commune_nis="92094", kind=BlackoutKind.FESTIVAL, title="Plus tard",
                            period=_period("2027-08-01T00:00", "2027-08-02T00:00")))  # fmt: skip
    db.session.flush()
    answer = surroundings(signed_in, production)
    assert [f["properties"]["title"] for f in answer["blackouts"]["features"]] == ["Marché"]


def test_surroundings_say_when_shoots_were_left_out_just_outside_the_limit(
    signed_in, production, create_shoot, monkeypatch
):
    monkeypatch.setattr(map_layers, "SURROUNDINGS_MAX", 3)
    for step in range(3):
        create_shoot(*offset(*NAMUR, 100 * step), start=JUNE_14)
    inside = surroundings(signed_in, production)
    assert len(inside["shoots"]["features"]) == 3 and inside["truncated"] is False
    create_shoot(*offset(*NAMUR, 400), start=JUNE_14)
    outside = surroundings(signed_in, production)
    assert len(outside["shoots"]["features"]) == 3 and outside["truncated"] is True


@pytest.mark.parametrize(
    ("args", "field"),
    [
        ({"bbox": "4,50,5"}, "bbox"),
        ({"bbox": "nan,50,5,51"}, "bbox"),
        ({"bbox": "{{ 7*7 }}"}, "bbox"),
        ({"zoom": "23"}, "zoom"),
        ({"zoom": "1e309"}, "zoom"),
        ({"starts_at": "9999-01-01T00:00"}, "starts_at"),
        ({"ends_at": "2027-06-13T00:00"}, "ends_at"),
        ({"shoot": str(2**31)}, "shoot"),
        ({"shoot": "${7*7}"}, "shoot"),
        ({"extra": "1"}, "extra"),
    ],
)
def test_bad_surroundings_are_refused_naming_the_parameter(signed_in, production, args, field):
    answer = surroundings(signed_in, production, 400, **args)
    assert answer["field"] == field


def test_who_may_see_the_surroundings(client, login, make_user, production):
    url = f"/productions/{production.id}/shoots/surroundings"
    query = {"starts_at": "2027-06-14T00:00", "ends_at": "2027-06-15T00:00", "bbox": WINDOW,
             "zoom": "15"}  # fmt: skip
    assert client.get(url, query_string=query).status_code in (302, 401)
    login(make_user("coordinator"))
    assert client.get(url, query_string=query).status_code == 403


# ---- series through the pages ----------------------------------------------------------------


def new_series(client, production, lang="fr", **fields):
    data = {**FORM, "repeat_weekdays": ["1", "2", "3", "4", "5"], "repeat_until": "2027-06-18",
            **fields}  # fmt: skip
    return client.post(f"/productions/{production.id}/shoots/new?lang={lang}", data=data)


def test_a_series_made_on_the_form_goes_to_its_page(signed_in, production):
    response = new_series(signed_in, production, repeat_dates="21/06/2027; 22.06.2027")
    assert response.status_code == 302, response.text
    series = db.session.scalars(select(ShootSeries)).one()
    assert response.headers["Location"].endswith(f"/series/{series.id}")
    assert len(series.shoots) == 7
    page = signed_in.get(f"/series/{series.id}").text
    assert page.count('<tr id="shoot-') == 7


def test_a_series_with_an_unreadable_footprint_is_named_not_a_500(signed_in, production):
    response = new_series(signed_in, production, footprint="[" * 5000)
    assert response.status_code == 400
    assert errors_of(response.text, "footprint") == ["n'est pas du GeoJSON"]


def test_a_clashing_day_refuses_the_series_with_the_days_report_and_keeps_the_form(
    signed_in, production, create_shoot
):
    create_shoot(*NAMUR, start=datetime(2027, 6, 16, 9, 0, tzinfo=BRUSSELS))
    before = count(Shoot)
    response = new_series(signed_in, production, lang="de")
    assert response.status_code == 409
    assert 'class="day-conflict"' in response.text and "2027-06-16" in response.text
    assert "kollidiert am 2027-06-16" in response.text
    assert value_of(response.text, "repeat_until") == "2027-06-18"
    assert count(Shoot) == before and count(ShootSeries) == 0


@pytest.mark.parametrize(
    ("fields", "field", "lang", "reason"),
    [
        ({"repeat_until": "2100-01-01"}, "repeat_until", "fr", "2100-01-01"),
        ({"repeat_until": "2027-06-13"}, "repeat_until", "de", "darf nicht vor dem ersten Dreh"),
        ({"repeat_until": "", "repeat_dates": "32/13/2027"}, "repeat_dates", "fr", ""),
        ({"repeat_until": "", "repeat_dates": "{{ 7*7 }}"}, "repeat_dates", "fr", ""),
        ({"repeat_until": ""}, "repeat_until", "fr", "obligatoire avec des jours"),
    ],
)
def test_a_bad_repeat_is_named_under_its_field(signed_in, production, fields, field, lang, reason):
    response = new_series(signed_in, production, lang, **fields)
    assert response.status_code == 400, response.text
    errors = errors_of(response.text, field)
    assert errors and reason in errors[0]
    assert "49" not in errors[0]  # a typed template is not evaluated
    assert count(Shoot) == 0


def test_the_whole_series_is_changed_cancelled_and_deleted_through_its_page(signed_in, production):
    new_series(signed_in, production, repeat_until="2027-06-16")
    series = db.session.scalars(select(ShootSeries)).one()
    edit = signed_in.get(f"/series/{series.id}/edit").text
    assert value_of(edit, "start_time") == "07:00" and value_of(edit, "end_time") == "17:00"
    changed = signed_in.post(
        f"/series/{series.id}/edit",
        data={
            **FORM,
            "start_time": "08:30",
            "end_time": "18:00",
            "crew_size": "40",
            "version": str(series.version),
        },
    )
    assert changed.status_code == 302, changed.text
    db.session.expire_all()
    assert {(s.period.lower.astimezone(BRUSSELS).strftime("%H:%M"), s.crew_size)
            for s in series.shoots} == {("08:30", 40)}  # fmt: skip
    one = series.shoots[0]
    assert signed_in.post(f"/shoots/{one.id}/cancel", data={"reason": ""}).status_code == 302
    db.session.expire_all()
    assert one.status is ShootStatus.CANCELLED
    assert signed_in.post(f"/series/{series.id}/cancel", data={"reason": ""}).status_code == 302
    db.session.expire_all()
    assert {s.status for s in series.shoots} == {ShootStatus.CANCELLED}
    assert signed_in.post(f"/series/{series.id}/delete").status_code == 302
    assert count(Shoot) == 0 and count(ShootSeries) == 0


def test_copying_a_shoot_on_its_page(signed_in, production, create_shoot):
    shoot = create_shoot(*NAMUR, production=production)
    assert "Copier ce tournage" in signed_in.get(f"/shoots/{shoot.id}/edit").text
    response = signed_in.post(f"/shoots/{shoot.id}/copies",
                              data={"repeat_dates": "2027-06-21, 2027-06-28"})  # fmt: skip
    assert response.status_code == 302, response.text
    assert len(shoot.series.shoots) == 3
    nothing = signed_in.post(f"/shoots/{shoot.id}/copies", data={})
    assert nothing.status_code == 400
    assert errors_of(nothing.text, "repeat_dates")


def test_another_productions_series_is_not_found(client, login, make_user, signed_in, production):
    new_series(signed_in, production, repeat_until="2027-06-15")
    series = db.session.scalars(select(ShootSeries)).one()
    login(make_user("coordinator"))
    assert client.get(f"/series/{series.id}").status_code == 404
    assert client.post(f"/series/{series.id}/cancel", data={}).status_code == 404
    assert client.post(f"/series/{series.id}/delete").status_code == 404
    assert client.get(f"/series/{2**31}").status_code == 404
    assert count(Shoot) == 2


# ---- blackouts -------------------------------------------------------------------------------

BLACKOUT = {"kind": "festival", "title": "Fêtes", "starts_at": "2027-09-17T00:00",
            "ends_at": "2027-09-21T00:00"}  # fmt: skip


def test_a_blackouts_commune_is_chosen_by_name(client, login, make_user):
    login(make_user("admin"))
    assert client.post("/blackouts", data={**BLACKOUT, "commune": "Namur"}).status_code == 302
    assert db.session.scalars(select(Blackout)).one().commune_nis == "92094"
    unknown = client.post("/blackouts?lang=de", data={**BLACKOUT, "commune": "Atlantis"})
    assert unknown.status_code == 400
    assert "Atlantis" in errors_of(unknown.text, "commune")[0]
    assert count(Blackout) == 1


def test_a_blackouts_unreadable_area_is_named(client, login, make_user):
    login(make_user("officer", commune="92094"))
    refused = client.post("/blackouts", data={**BLACKOUT, "commune": "92094", "area": "{" * 40})
    assert refused.status_code == 400 and errors_of(refused.text, "area")


def test_an_officer_names_another_commune_in_vain(client, login, make_user):
    login(make_user("officer", commune="92094"))
    refused = client.post("/blackouts", data={**BLACKOUT, "commune": "Eupen"})
    assert refused.status_code == 403 and count(Blackout) == 0
