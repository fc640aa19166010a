"""The home page: one card per place of the menu the visitor may go to, and for the signed-in,
how many requests wait for them (a move the request's page would offer that takes it on)."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest

from core.config import BRUSSELS
from core.db import db
from locations.models import LocationStatus
from permits.models import PermitStatus
from permits.workflow import apply_transition, waiting_for
from tests.conftest import approve
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


# ---- each role's panel ---------------------------------------------------------------------


def panel(client, title: str, lang: str = "en") -> str:
    """The home panel headed TITLE, as HTML ('' when the page has none)."""
    body = client.get(f"/?lang={lang}").get_data(as_text=True)
    heading = f"<h2>{title}</h2>"
    if heading not in body:
        return ""
    part = body[body.index(heading) :]
    return part[: part.index("</article>")]


def test_a_coordinator_sees_their_next_shoots_with_their_worst_finding(
    client, login, coordinator, production, create_shoot, create_production
):
    june_14 = datetime(2027, 6, 14, 7, 0, tzinfo=BRUSSELS)
    mine = create_shoot(*CITADEL, start=june_14, production=production)
    create_shoot(*CITADEL, start=june_14, production=create_production(title="Rivale"))  # clash
    quiet = create_shoot(*EUPEN_CENTRE, start=june_14 + timedelta(days=3), production=production)
    create_shoot(*CITADEL, start=datetime(2026, 1, 5, 7, tzinfo=BRUSSELS), production=production)
    login(coordinator)
    shown = panel(client, "Your next shoots")
    assert f"/shoots/{mine.id}/edit" in shown and f"/shoots/{quiet.id}/edit" in shown
    assert shown.index(f"/shoots/{mine.id}/") < shown.index(f"/shoots/{quiet.id}/")  # in time
    assert shown.count("clash") == 1 and "Rivale" not in shown  # another production: no title
    assert "05/01/2026" not in shown  # over


def test_an_officer_sees_counts_by_status_and_what_to_decide_by_first_shoot(
    client, login, coordinator, officer, production, create_shoot, request_shoots
):
    soon = datetime.now(BRUSSELS).replace(hour=9, minute=0, second=0, microsecond=0)
    later = create_shoot(*CITADEL, start=soon + timedelta(days=40), production=production)
    early = create_shoot(*CITADEL, start=soon + timedelta(days=12), production=production)
    draft = create_shoot(*CITADEL, start=soon + timedelta(days=50), production=production)
    permits = [request_shoots(s)[0] for s in (later, early, draft)]
    for permit in permits[:2]:
        apply_transition(db.session, permit.id, "submit", coordinator)
    login(officer)
    shown = panel(client, "Permit requests")
    # the counts of the commune's inbox (core.auth.policy: its officers read its drafts too)
    assert "<strong>2</strong> submitted" in shown and "<strong>1</strong> draft" in shown
    assert shown.index(f"/permits/{permits[1].id}") < shown.index(f"/permits/{permits[0].id}")
    assert "in 12 days" in shown and "in 40 days" in shown
    login(coordinator)
    assert "<strong>1</strong> draft" in panel(client, "Permit requests")
    assert "To decide" not in panel(client, "Permit requests")  # an officer's list


def test_a_scout_sees_recent_searches_and_the_newest_locations(
    client, login, make_user, create_location
):
    create_location(name="Ancienne ferme", status=LocationStatus.DRAFT)
    login(make_user("scout"))
    client.get("/locations?q=ch%C3%A2teau&commune=Namur")
    client.get("/locations?q={{ 7*7 }}")
    shown = panel(client, "The location library")
    assert "Ancienne ferme" in shown and "draft" in shown
    assert "château · Namur" in shown and "{{ 7*7 }}" in shown and ">49<" not in shown
    assert shown.index("{{ 7*7 }}") < shown.index("château · Namur")  # the latest first


def test_an_anonymous_visitor_sees_the_next_approved_shoots_only(client, create_shoot, production):
    approved = create_shoot(*CITADEL, production=production)
    approve(approved, PermitStatus.APPROVED)
    create_shoot(*EUPEN_CENTRE, production=production)  # not approved
    shown = panel(client, "Coming up near you")
    assert shown.count("<li>") == 1 and "Namur" in shown
    assert "Eupen" not in shown
    assert panel(client, "The location library") == "" and panel(client, "Permit requests") == ""
