"""The home page: one card per place of the menu the visitor may go to, and for the signed-in,
how many requests wait for them (a move the request's page would offer that takes it on)."""

from __future__ import annotations

import re

import pytest

from core.db import db
from permits.workflow import apply_transition, waiting_for
from tests.permits.conftest import CITADEL, EUPEN, EUPEN_CENTRE


def waiting_on_home(client, lang: str = "en") -> int | None:
    body = client.get(f"/?lang={lang}").get_data(as_text=True)
    cards = body[body.index('class="home-cards"') :]
    card = cards[cards.index('href="/permits/"') :]
    found = re.search(r"<strong>(\d+)</strong> wait", card[: card.index("</article>")])
    return int(found.group(1)) if found else None


@pytest.fixture
def two_communes(create_shoot, production, request_shoots):
    """A draft request in Namur and one in Eupen, of the same production."""
    namur = create_shoot(*CITADEL, production=production)
    eupen = create_shoot(*EUPEN_CENTRE, production=production)
    (in_namur,) = request_shoots(namur)
    (in_eupen,) = request_shoots(eupen)
    return in_namur, in_eupen


def test_anonymous_visitors_see_the_public_places_and_how_to_sign_in(client):
    body = client.get("/?lang=en").get_data(as_text=True)
    for place in ("Locations", "Upcoming shoots", "Sign in"):
        assert f">{place}</a></h2>" in body
    for private in ("Permit requests", "Productions", "Blackouts", "Locations map"):
        assert f">{private}</a></h2>" not in body and "waits for you" not in body


def test_a_request_waits_for_whoever_takes_it_on_next(
    client, login, two_communes, coordinator, officer, make_user
):
    in_namur, in_eupen = two_communes
    eupen_officer = make_user("officer", commune=EUPEN)
    assert waiting_for(db.session, coordinator) == 2  # two drafts to submit
    assert waiting_for(db.session, officer) == 0  # a draft is not yet the commune's
    apply_transition(db.session, in_namur.id, "submit", coordinator)
    assert (waiting_for(db.session, coordinator), waiting_for(db.session, officer)) == (1, 1)
    assert waiting_for(db.session, eupen_officer) == 0  # another commune's request
    apply_transition(db.session, in_namur.id, "take_into_review", officer)
    assert waiting_for(db.session, officer) == 1  # still to decide
    apply_transition(db.session, in_namur.id, "request_changes", officer, "Plan du parking ?")
    assert (waiting_for(db.session, coordinator), waiting_for(db.session, officer)) == (2, 0)
    apply_transition(db.session, in_namur.id, "resubmit", coordinator)
    apply_transition(db.session, in_namur.id, "take_into_review", officer)
    apply_transition(db.session, in_namur.id, "approve", officer)
    apply_transition(db.session, in_eupen.id, "withdraw", coordinator)
    assert (waiting_for(db.session, coordinator), waiting_for(db.session, officer)) == (0, 0)


def test_the_home_page_shows_each_role_its_count(client, login, two_communes, coordinator, officer):
    in_namur, _in_eupen = two_communes
    apply_transition(db.session, in_namur.id, "submit", coordinator)
    login(coordinator)
    assert waiting_on_home(client) == 1
    login(officer)
    assert waiting_on_home(client) == 1
    body = client.get("/?lang=en").get_data(as_text=True)
    assert ">Production maps</a></h2>" not in body  # an officer's menu, not a coordinator's
    apply_transition(db.session, in_namur.id, "take_into_review", officer)
    apply_transition(db.session, in_namur.id, "approve", officer)
    assert waiting_on_home(client) is None
    assert "Nothing waits for you." in client.get("/?lang=en").get_data(as_text=True)


@pytest.mark.parametrize(
    ("lang", "welcome", "nothing"),
    [
        ("fr", "Bienvenue", "Rien ne vous attend."),
        ("de", "Willkommen", "Nichts wartet auf Sie."),
    ],
)
def test_the_home_page_speaks_the_users_language(client, login, officer, lang, welcome, nothing):
    login(officer)
    body = client.get(f"/?lang={lang}").get_data(as_text=True)
    assert welcome in body and nothing in body
