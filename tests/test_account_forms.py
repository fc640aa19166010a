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
