"""The shoots pages' forms (production, shoot, override, blackout) refuse bad input next to the
field, in French or German, keep everything typed, drawn or ticked and store nothing."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from core.db import db
from shoots.models import Blackout, Production, Shoot, WarningOverride
from tests.forms import (
    LANGUAGES,
    drawn_on_map,
    errors_of,
    is_checked,
    is_marked_invalid,
    summary_of,
    value_of,
)
from tests.shoots.conftest import NAMUR, circle, offset

FOOTPRINT = json.dumps(circle(*NAMUR, 30))
SHOOT = {
    "starts_at": "2027-06-14T07:00",
    "ends_at": "2027-06-14T17:00",
    "footprint": FOOTPRINT,
    "crew_size": "12",
    "vehicle_count": "3",
    "night_shoot": "y",
    "notes": "Quai 1, côté Meuse",
}
AFTER_START = {
    "fr": "doit être après le début",
    "de": "muss nach dem Beginn liegen",
    "en": "must be after the start",  # not the API's "after starts_at"
}
ENDS = {
    "fr": "Fin (heure de Bruxelles)",
    "de": "Ende (Brüsseler Zeit)",
    "en": "Ends (Brussels time)",
}


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.mark.parametrize("lang", [*LANGUAGES, "en"])
def test_a_shoot_ending_before_it_starts_is_named_at_the_end_with_the_drawing_kept(
    client, login, coordinator, production, lang
):
    login(coordinator)
    url = f"/productions/{production.id}/shoots/new?lang={lang}"
    assert drawn_on_map(client.get(url).text, "footprint") is None  # nothing drawn yet
    response = client.post(url, data={**SHOOT, "ends_at": "2027-06-14T06:00"})
    assert response.status_code == 400
    page = response.text
    assert errors_of(page, "ends_at") == [AFTER_START[lang]] and is_marked_invalid(page, "ends_at")
    assert ENDS[lang] in summary_of(page) and "ends_at" not in summary_of(page)
    assert value_of(page, "starts_at") == "2027-06-14T07:00"
    assert value_of(page, "ends_at") == "2027-06-14T06:00"
    assert json.loads(value_of(page, "footprint")) == json.loads(FOOTPRINT)
    assert drawn_on_map(page, "footprint") == json.loads(FOOTPRINT)  # drawn again, editable
    assert value_of(page, "crew_size") == "12" and value_of(page, "vehicle_count") == "3"
    assert is_checked(page, "night_shoot") and not is_checked(page, "drones")
    assert value_of(page, "notes") == "Quai 1, côté Meuse"
    assert count(Shoot) == 0


@pytest.mark.parametrize(
    ("lang", "required"), [("fr", "est obligatoire"), ("de", "ist erforderlich")]
)
def test_an_empty_start_is_required_and_an_unreadable_footprint_is_not_geojson(
    client, login, coordinator, production, lang, required
):
    login(coordinator)
    url = f"/productions/{production.id}/shoots/new?lang={lang}"
    empty = client.post(url, data={**SHOOT, "starts_at": ""})
    assert empty.status_code == 400 and errors_of(empty.text, "starts_at") == [required]
    broken = client.post(url, data={**SHOOT, "footprint": '{"type": "Polygon", "coord'})
    assert broken.status_code == 400
    assert errors_of(broken.text, "footprint") == [
        {"fr": "n'est pas du GeoJSON", "de": "ist kein GeoJSON"}[lang]
    ]
    assert value_of(broken.text, "footprint") == '{"type": "Polygon", "coord'
    assert count(Shoot) == 0


def test_the_german_shoot_form_says_a_clash_in_german(
    client, login, coordinator, production, post_shoot
):
    post_shoot()
    login(coordinator)
    clash = {**SHOOT, "footprint": json.dumps(circle(*offset(*NAMUR, 20), 20))}
    response = client.post(f"/productions/{production.id}/shoots/new?lang=de", data=clash)
    assert response.status_code == 409
    page = response.text
    assert "Abgelehnt: dieser Dreh kollidiert mit" in page
    assert "clashes" not in page and "This shoot" not in page
    assert value_of(page, "notes") == "Quai 1, côté Meuse"
    assert count(Shoot) == 1


def test_an_edit_of_an_old_version_of_a_shoot_is_a_409_in_french(
    client, login, coordinator, production, create_shoot
):
    shoot = create_shoot(production=production)
    login(coordinator)
    form = client.get(f"/shoots/{shoot.id}/edit").text
    assert value_of(form, "version") == str(shoot.version)
    response = client.post(
        f"/shoots/{shoot.id}/edit", data={**SHOOT, "notes": "mine", "version": shoot.version + 1}
    )
    assert response.status_code == 409
    # core.versioning.check_version: the record named, in the page's language.
    assert f"Quelqu'un d'autre a modifié le tournage {shoot.id} entre-temps" in summary_of(
        response.text
    )
    assert value_of(response.text, "notes") == "mine"
    assert db.session.get(Shoot, shoot.id).notes != "mine"


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("fr", "n'est pas le compte d'un coordinateur"),
        ("de", "ist kein Konto einer Koordinatorin oder eines Koordinators"),
    ],
)
def test_a_production_with_an_unknown_coordinator_is_refused_next_to_the_coordinators(
    client, login, coordinator, lang, words
):
    login(coordinator)
    sent = {
        "title": "Les Ardennes",
        "type": "documentary",
        "company": "Doc Sud",
        "status": "preparation",
        "listed": "y",
        "coordinators": f"{coordinator.email}, nobody@example.be",
    }
    response = client.post(f"/productions/new?lang={lang}", data=sent)
    assert response.status_code == 400
    (error,) = errors_of(response.text, "coordinators")
    assert error == f"nobody@example.be {words}"
    assert value_of(response.text, "title") == "Les Ardennes"
    assert value_of(response.text, "coordinators") == sent["coordinators"]
    assert is_checked(response.text, "listed")
    missing = client.post(f"/productions/new?lang={lang}", data={**sent, "title": ""})
    assert errors_of(missing.text, "title") == [
        {"fr": "est obligatoire", "de": "ist erforderlich"}[lang]
    ]
    assert count(Production) == 0


def _nearby_shoot(post_shoot, other_production) -> tuple[int, str]:
    first = post_shoot()
    nearby = post_shoot(
        production_id=other_production.id, footprint=circle(*offset(*NAMUR, 100), 20)
    )
    assert [w["rule"] for w in nearby.json["warnings"]] == ["nearby_set"]
    return nearby.json["id"], f"shoot:{first.json['id']}"


@pytest.mark.parametrize(
    ("lang", "words"),
    [("fr", "doit compter entre 3 et 2000 caractères"), ("de", "muss zwischen 3 und 2000")],
)
def test_an_override_without_a_real_reason_is_refused_beside_its_warning(
    client, login, coordinator, post_shoot, other_production, lang, words
):
    shoot_id, other = _nearby_shoot(post_shoot, other_production)
    login(coordinator)
    response = client.post(
        f"/shoots/{shoot_id}/override?lang={lang}",
        data={"rule": "nearby_set", "other": other, "reason": "ok"},
    )
    assert response.status_code == 400
    (error,) = errors_of(response.text, f"reason-{shoot_id}-1")
    assert words in error and is_marked_invalid(response.text, f"reason-{shoot_id}-1")
    assert value_of(response.text, f"reason-{shoot_id}-1") == "ok"
    assert count(WarningOverride) == 0


def test_an_override_of_a_warning_gone_meanwhile_is_said_above_the_schedule(
    client, login, coordinator, post_shoot, other_production
):
    shoot_id, _other = _nearby_shoot(post_shoot, other_production)
    login(coordinator)
    response = client.post(
        f"/shoots/{shoot_id}/override?lang=de",
        data={
            "rule": "nearby_set",
            "other": "shoot:999999",
            "reason": "mit der Regie abgesprochen",
        },
    )
    assert response.status_code == 400
    assert "hat keine aktuelle Warnung" in summary_of(response.text)
    assert count(WarningOverride) == 0


BLACKOUT = {
    "commune": "92094",
    "kind": "market",
    "title": "Marché du samedi",
    "starts_at": "2027-01-01T00:00",
    "ends_at": "2028-01-01T00:00",
    "weekday": "6",
    "daily_start": "07:00",
    "daily_end": "13:00",
}


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("fr", "doit se trouver dans la commune de la période d’interdiction (à moins de 200 m"),
        ("de", "muss in der Gemeinde der Sperrzeit liegen (höchstens 200 m außerhalb"),
    ],
)
def test_a_blackout_area_outside_its_commune_is_named_at_the_area(
    client, login, make_user, lang, words
):
    login(make_user("officer", commune="92094"))
    elsewhere = json.dumps(circle(4.8680, 50.3780, 200))  # in Profondeville, next door
    response = client.post(f"/blackouts?lang={lang}", data={**BLACKOUT, "area": elsewhere})
    assert response.status_code == 400
    page = response.text
    (error,) = errors_of(page, "area")
    assert error.startswith(words)
    assert value_of(page, "title") == "Marché du samedi" and value_of(page, "area") == elsewhere
    assert value_of(page, "daily_start") == "07:00"
    assert count(Blackout) == 0


@pytest.mark.parametrize(
    ("lang", "words"),
    [("fr", "doit être une heure, par ex. 07:00"), ("de", "muss eine Uhrzeit sein, z. B. 07:00")],
)
def test_a_time_of_day_in_words_is_refused_and_kept_as_typed(client, login, make_user, lang, words):
    login(make_user("officer", commune="92094"))
    response = client.post(f"/blackouts?lang={lang}", data={**BLACKOUT, "daily_start": "7 h"})
    assert response.status_code == 400
    assert errors_of(response.text, "daily_start") == [words]
    assert value_of(response.text, "daily_start") == "7 h"
    assert count(Blackout) == 0
