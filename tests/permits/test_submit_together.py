"""Sibling requests of one selection sent in one action, all or none; each commune decides."""

from __future__ import annotations

import pytest

from core.db import db
from core.errors import InvalidInput
from permits.models import PermitStatus
from permits.requirements import Rule, save_rule
from permits.workflow import apply_transition, submit_together
from tests.forms import summary_of
from tests.permits.conftest import BORDER, NAMUR, PROFONDEVILLE


@pytest.fixture
def pair(create_shoot, production, request_shoots):
    """A shoot astride the Namur / Profondeville border: two sibling drafts, one certificate."""
    shoot = create_shoot(*BORDER, radius_m=40, production=production, crew_size=20)
    permits = request_shoots(shoot)
    assert sorted(p.commune_nis for p in permits) == [NAMUR, PROFONDEVILLE]
    return permits


def test_one_action_sends_both_and_each_commune_decides(pair, coordinator, make_user):
    sent = submit_together(db.session, pair[0].id, "submit", coordinator)
    assert [p.status for p in sent] == [PermitStatus.SUBMITTED] * 2
    namur = next(p for p in pair if p.commune_nis == NAMUR)
    apply_transition(db.session, namur.id, "approve", make_user("officer", commune=NAMUR))
    assert {p.commune_nis: p.status for p in pair} == {
        NAMUR: PermitStatus.APPROVED, PROFONDEVILLE: PermitStatus.SUBMITTED,
    }  # fmt: skip


def test_a_refusal_for_one_commune_sends_none(pair, coordinator):
    # Profondeville asks for the owner's consent of night work; Namur does not.
    save_rule(db.session, PROFONDEVILLE, Rule("night_work", 0, ("owner_consent",)))
    for permit in pair:
        for part in permit.parts:
            part.shoot.night_shoot = True
    with pytest.raises(InvalidInput) as caught, db.session.begin_nested():  # as a request
        submit_together(db.session, pair[0].id, "submit", coordinator)
    profondeville = next(p for p in pair if p.commune_nis == PROFONDEVILLE)
    assert caught.value.extra["request_id"] == profondeville.id
    assert caught.value.field == "documents" and "(Profondeville)" in caught.value.detail
    db.session.expire_all()
    assert {p.status for p in pair} == {PermitStatus.DRAFT}


def test_only_a_submission_takes_the_siblings(pair, coordinator, client, token_for):
    with pytest.raises(InvalidInput) as caught:
        submit_together(db.session, pair[0].id, "withdraw", coordinator)
    assert caught.value.field == "with_siblings"
    answer = client.post(f"/api/v1/permits/{pair[0].id}/transitions",
                         json={"action": "submit", "with_siblings": True},
                         headers=token_for(coordinator))  # fmt: skip
    assert answer.status_code == 200
    assert {s["status"] for s in answer.get_json()["siblings"]} == {"submitted"}


def test_the_page_sends_the_selection_with_one_button(client, login, pair, coordinator):
    login(coordinator)
    page = client.get(f"/permits/{pair[0].id}?lang=fr").text
    assert "Envoyer les 2 demandes de la sélection" in page
    save_rule(db.session, PROFONDEVILLE, Rule("animals", 0, ("owner_consent",)))
    for permit in pair:
        for part in permit.parts:
            part.shoot.activities = {"animals": True}
    refused = client.post(
        f"/permits/{pair[0].id}/submit-together?lang=fr", data={"action": "submit"}
    )
    assert refused.status_code == 400
    assert "Profondeville" in summary_of(refused.text) and "accord du propriétaire" in summary_of(
        refused.text
    )
    assert {p.status for p in pair} == {PermitStatus.DRAFT}
