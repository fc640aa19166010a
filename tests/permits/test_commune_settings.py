"""A commune's settings page: its officers set the notice, the notification address and the
warning thresholds of their own commune (administrators, of any); a refusal names the field in
the page's language and stores nothing."""

from __future__ import annotations

import pytest

from core.db import db
from permits import leadtime
from permits.commune_settings import DEFAULTS, commune_settings
from shoots.operations import conflicts
from tests.forms import errors_of, value_of
from tests.hostile import HOSTILE_STRINGS
from tests.permits.conftest import EUPEN, NAMUR

VALID = {
    "notice_working_days": "20",
    "notification_email": "tournages@ville.namur.be",
    "fast_track_working_days": "4",
    "fast_track_max_crew": "8",
    "parking_space_m": "5,0",
    "resident_notice_days": "10",
    "nearby_distance_m": "300",
    "saturation_days": "12",
    "saturation_radius_m": "150",
    "saturation_window_days": "180",
}


def test_an_officer_sets_the_notice_and_the_thresholds_of_their_commune(client, login, officer):
    login(officer)
    page = client.get("/permits/settings?lang=fr").get_data(as_text=True)
    assert "Réglages de Namur" in page
    assert value_of(page, "notice_working_days") == str(DEFAULTS["notice_working_days"])
    saved = client.post("/permits/settings?lang=fr", data=VALID)
    assert saved.status_code == 302
    assert commune_settings(db.session, NAMUR) == {
        "notice_working_days": 20,
        "notification_email": "tournages@ville.namur.be",
        "fast_track_working_days": 4,
        "fast_track_max_crew": 8,
        "parking_space_m": 5.0,
        "resident_notice_days": 10,
        "nearby_distance_m": 300,
        "saturation_days": 12,
        "saturation_radius_m": 150,
        "saturation_window_days": 180,
    }
    # the owners the engine and the notice check read
    assert leadtime.notice_for(db.session, NAMUR) == 20
    assert conflicts.settings_of(db.session, NAMUR)["nearby_distance_m"] == 300
    again = client.get(saved.headers["Location"]).get_data(as_text=True)
    assert value_of(again, "nearby_distance_m") == "300" and "sont enregistrés" in again


def test_an_officer_cannot_reach_another_communes_settings(client, login, officer):
    login(officer)
    client.post(f"/permits/settings?commune={EUPEN}", data=VALID)
    assert leadtime.notice_for(db.session, EUPEN) == DEFAULTS["notice_working_days"]
    assert leadtime.notice_for(db.session, NAMUR) == 20  # the officer's own commune


@pytest.mark.parametrize("who", ["coordinator", "scout"])
def test_other_roles_are_refused(client, login, make_user, who):
    login(make_user(who))
    assert client.get("/permits/settings").status_code == 403
    assert client.post("/permits/settings", data=VALID).status_code == 403
    assert leadtime.notice_for(db.session, NAMUR) == DEFAULTS["notice_working_days"]


def test_an_administrator_chooses_the_commune_and_sees_its_name_in_german(client, login, make_user):
    login(make_user("admin"))
    chooser = client.get("/permits/settings?lang=de").get_data(as_text=True)
    assert '<option value="63023">Eupen</option>' in chooser
    assert ">Kelmis</option>" in chooser  # La Calamine, in German
    page = client.get(f"/permits/settings?commune={EUPEN}&lang=de").get_data(as_text=True)
    assert "Einstellungen von Eupen" in page
    client.post(f"/permits/settings?commune={EUPEN}", data={**VALID, "notice_working_days": "5"})
    assert leadtime.notice_for(db.session, EUPEN) == 5


@pytest.mark.parametrize(
    ("field", "value", "lang", "reason"),
    [
        ("notice_working_days", "121", "fr", "doit être compris entre 0 et 120"),
        ("notice_working_days", "-1", "de", "muss zwischen 0 und 120 liegen"),
        ("notice_working_days", "inf", "fr", "doit être un nombre entier"),
        ("notice_working_days", "1e3", "en", "must be a whole number"),
        ("nearby_distance_m", "0", "fr", "supérieur à 0"),
        ("nearby_distance_m", "5001", "en", "5000"),
        ("saturation_window_days", "99999999999999999999999", "en", "3660"),
        ("notification_email", "{{ 7*7 }}", "fr", "n'est pas une adresse e-mail"),
        ("notification_email", "</script>@x", "de", "keine E-Mail-Adresse"),
    ],
)
def test_a_refusal_names_the_field_in_the_language_and_stores_nothing(
    client, login, officer, field, value, lang, reason
):
    login(officer)
    # every other field changed too: none of it may be stored
    answer = client.post(f"/permits/settings?lang={lang}", data={**VALID, field: value})
    page = answer.get_data(as_text=True)
    assert answer.status_code == 400
    assert any(reason in error for error in errors_of(page, field)), errors_of(page, field)
    assert commune_settings(db.session, NAMUR) == DEFAULTS
    assert value_of(page, field) == value  # what was typed stays in the form, as text


def test_hostile_text_in_the_address_is_refused_and_shown_as_text(client, login, officer):
    login(officer)
    for hostile in HOSTILE_STRINGS:
        answer = client.post("/permits/settings", data={**VALID, "notification_email": hostile})
        assert answer.status_code == 400, hostile
        assert "<script>" not in answer.get_data(as_text=True)
    assert commune_settings(db.session, NAMUR) == DEFAULTS


def test_just_inside_and_just_outside_the_notice_limit(client, login, officer):
    login(officer)
    top = leadtime.MAX_NOTICE_WORKING_DAYS
    beyond = client.post("/permits/settings", data={**VALID, "notice_working_days": str(top + 1)})
    assert beyond.status_code == 400
    at = client.post("/permits/settings", data={**VALID, "notice_working_days": str(top)})
    assert at.status_code == 302 and leadtime.notice_for(db.session, NAMUR) == top
