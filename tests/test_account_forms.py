"""The log-in and account forms refuse bad input next to the field, in French or German."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from core.auth.models import ApiToken
from core.db import db
from tests.conftest import PASSWORD
from tests.forms import LANGUAGES, errors_of, is_marked_invalid, summary_of, value_of

REQUIRED = {"fr": "est obligatoire", "de": "ist erforderlich"}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_log_in_without_a_password_says_it_is_required_and_keeps_the_email(client, lang):
    response = client.post(f"/login?lang={lang}", data={"email": "someone@example.be"})
    assert response.status_code == 400
    assert errors_of(response.text, "password") == [REQUIRED[lang]]
    assert is_marked_invalid(response.text, "password")
    assert value_of(response.text, "email") == "someone@example.be"


def test_a_wrong_password_is_said_above_the_form_in_german(client, make_user):
    user = make_user("scout")
    response = client.post("/login?lang=de", data={"email": user.email, "password": "nope " * 3})
    assert response.status_code == 401
    assert "Unbekannte E-Mail-Adresse oder falsches Passwort." in summary_of(response.text)
    assert value_of(response.text, "email") == user.email


@pytest.mark.parametrize(
    ("lang", "current", "weak"),
    [
        ("fr", "n’est pas votre mot de passe actuel", "est trop courant ou trop facile à deviner"),
        ("de", "ist nicht Ihr aktuelles Passwort", "ist zu gängig oder zu leicht zu erraten"),
    ],
)
def test_password_errors_are_under_the_password_they_concern(
    client, login, make_user, lang, current, weak
):
    user = make_user("coordinator")
    login(user)
    url = f"/account/password?lang={lang}"
    wrong = client.post(url, data={"current_password": "not it at all", "new_password": "x" * 20})
    assert wrong.status_code == 400 and errors_of(wrong.text, "current_password") == [current]
    guessable = client.post(
        url, data={"current_password": PASSWORD, "new_password": "password1234"}
    )
    assert guessable.status_code == 400 and errors_of(guessable.text, "new_password") == [weak]
    assert errors_of(guessable.text, "current_password") == []


@pytest.mark.parametrize(
    ("lang", "words"),
    [("fr", "doit compter au plus 120 caractères"), ("de", "darf höchstens 120 Zeichen haben")],
)
def test_a_token_label_too_long_is_refused_under_it_and_kept(client, login, make_user, lang, words):
    login(make_user("scout"))
    label = "QGIS " * 30
    response = client.post(f"/account/tokens?lang={lang}", data={"label": label})
    assert response.status_code == 400
    assert errors_of(response.text, "label") == [words]
    assert value_of(response.text, "label") == label
    assert db.session.scalar(select(func.count()).select_from(ApiToken)) == 0


# ---- the user's language ----------------------------------------------------------------------


def sign_in_form(client, user) -> None:
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302


def test_the_language_chosen_before_signing_in_is_kept(client, make_user):
    user = make_user("scout")
    client.get("/lang/de")
    sign_in_form(client, user)
    assert 'lang="de"' in client.get("/account").text


def test_the_account_language_follows_the_user_to_a_new_browser(app, client, make_user):
    user = make_user("officer")
    sign_in_form(client, user)
    saved = client.post("/account/language", data={"language": "de"})
    assert saved.status_code == 302 and user.language == "de"
    other = app.test_client()  # another browser, which asks for French
    sign_in_form(other, user)
    page = other.get("/account", headers={"Accept-Language": "fr-BE,fr"}).text
    assert 'lang="de"' in page and "Ihre Sprache" in page
    assert 'lang="fr"' in other.get("/account?lang=fr").text  # a choice of the moment wins
    client.post("/account/language", data={"language": ""})
    assert user.language is None  # back to each browser's own


@pytest.mark.parametrize("value", ["xx", "{{ 7*7 }}", "</script>", "de" * 40])
def test_an_unknown_language_is_refused_by_name_and_nothing_is_stored(client, make_user, value):
    user = make_user("coordinator")
    user.language = "fr"
    sign_in_form(client, user)
    response = client.post("/account/language?lang=fr", data={"language": value})
    assert response.status_code == 400
    assert errors_of(response.text, "language") == ["ne fait pas partie des choix"]
    assert user.language == "fr"


def test_an_anonymous_visitor_has_no_language_to_save(client):
    response = client.post("/account/language", data={"language": "de"})
    assert response.status_code in (302, 401) and "/login" in response.headers.get(
        "Location", "/login"
    )


def test_a_user_names_themself_and_the_pages_show_it(client, login, make_user):
    user = make_user("coordinator", display_name=None)
    login(user)
    saved = client.post("/account/name", data={"display_name": "  Élise Van den Bossche  "})
    assert saved.status_code == 302 and user.display_name == "Élise Van den Bossche"
    assert "Élise Van den Bossche (" in client.get("/account").text  # the menu's name
    cleared = client.post("/account/name", data={"display_name": ""})
    assert cleared.status_code == 302 and user.display_name is None
    assert f"{user.email} (" in client.get("/").text


@pytest.mark.parametrize(
    ("value", "lang", "reason"),
    [
        ("x" * 121, "fr", "doit compter au plus 120 caractères"),
        ("deux\nlignes", "de", "muss in einer Zeile stehen"),
        ("tab\there", "en", "must be on one line"),
    ],
)
def test_a_bad_name_is_refused_under_it_and_nothing_is_stored(
    client, login, make_user, value, lang, reason
):
    user = make_user("scout", display_name="Sam")
    login(user)
    answer = client.post(f"/account/name?lang={lang}", data={"display_name": value})
    assert answer.status_code == 400 and errors_of(answer.text, "display_name") == [reason]
    assert user.display_name == "Sam"


@pytest.mark.parametrize("hostile", ["{{ 7*7 }}", "</script><script>alert(1)</script>", "${7*7}"])
def test_a_name_is_text_wherever_it_is_shown(client, login, make_user, hostile):
    user = make_user("coordinator")
    login(user)
    client.post("/account/name", data={"display_name": hostile})
    assert user.display_name == hostile
    for page in ("/", "/account"):
        body = client.get(page).text
        assert "<script>alert(1)" not in body and ">49 (" not in body
