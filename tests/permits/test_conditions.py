"""A commune's standard conditions: offered to tick on a decision, kept as they read then."""

from __future__ import annotations

import pytest

from core.db import db
from core.errors import InvalidInput
from permits import conditions, versions
from permits.conditions import Condition, conditions_for, picked
from permits.models import PermitStatus
from permits.workflow import apply_transition
from tests.forms import errors_of
from tests.permits.conftest import EUPEN, EUPEN_CENTRE, NAMUR

DEFAULT_CODES = ["signage", "access", "residents", "quiet", "clean", "police"]


def test_every_commune_is_offered_the_default_conditions(app):
    assert [c.code for c in conditions_for(db.session, NAMUR)] == DEFAULT_CODES
    assert [c.code for c in conditions_for(db.session, EUPEN)] == DEFAULT_CODES
    (signage,) = picked(db.session, EUPEN, ["signage"], "de")
    assert signage["text"].startswith("Die Beschilderung des Parkverbots")


def test_a_commune_rewords_withdraws_and_adds_its_own(app):
    conditions.save_condition(
        db.session, NAMUR, Condition("quiet", "Silence après 21:00.", "Ruhe ab 21:00.")
    )
    conditions.withdraw_condition(db.session, NAMUR, "police")
    citadel = Condition("citadel", "Pas de véhicule sur les pavés.", "Keine Fahrzeuge.", 9)
    conditions.save_condition(db.session, NAMUR, citadel)
    namur = {c.code: c for c in conditions_for(db.session, NAMUR)}
    assert list(namur) == ["signage", "access", "residents", "quiet", "clean", "citadel"]
    assert namur["quiet"].own and namur["quiet"].text("fr") == "Silence après 21:00."
    assert [c.code for c in conditions_for(db.session, EUPEN)] == DEFAULT_CODES  # untouched


@pytest.mark.parametrize(
    ("condition", "field"),
    [
        (Condition("Bad Code", "a", "b"), "code"),
        (Condition("x" * 41, "a", "b"), "code"),
        (Condition("ok", " ", "b"), "text_fr"),
        (Condition("ok", "a", "b" * 2001), "text_de"),
    ],
)
def test_a_bad_condition_is_refused_naming_its_field(app, condition, field):
    with pytest.raises(InvalidInput) as caught:
        conditions.save_condition(db.session, NAMUR, condition)
    assert caught.value.field == field


def _in_review(permit, coordinator, officer):
    apply_transition(db.session, permit.id, "submit", coordinator)
    apply_transition(db.session, permit.id, "take_into_review", officer)


def test_ticked_conditions_are_the_decision_as_it_read_then(namur_permit, coordinator, officer):
    _in_review(namur_permit, coordinator, officer)
    permit = apply_transition(
        db.session, namur_permit.id, "approve_with_conditions", officer, "", ["clean", "signage"]
    )
    assert permit.status is PermitStatus.APPROVED_WITH_CONDITIONS  # no comment needed
    assert [c["code"] for c in permit.decision_conditions] == ["signage", "clean"]  # list order
    assert permit.decision_conditions[1]["text"].startswith("Rendre les lieux propres")
    # Rewording the commune's list afterwards does not change what was decided.
    conditions.save_condition(db.session, NAMUR, Condition("clean", "Autre texte.", "Anders."))
    data, _version = versions.current(db.session, permit)
    assert data["request"]["decision_conditions"][1]["text"].startswith("Rendre les lieux")


def test_conditions_only_go_with_an_approval_with_conditions(namur_permit, coordinator, officer):
    _in_review(namur_permit, coordinator, officer)
    for action in ("approve", "reject"):
        with pytest.raises(InvalidInput) as caught:
            apply_transition(db.session, namur_permit.id, action, officer, "Non", ["clean"])
        assert caught.value.field == "conditions"
    with pytest.raises(InvalidInput) as caught:
        apply_transition(
            db.session, namur_permit.id, "approve_with_conditions", officer, "", ["{{ 7*7 }}"]
        )
    assert caught.value.field == "conditions"
    with pytest.raises(InvalidInput) as caught:  # neither a condition nor a comment
        apply_transition(db.session, namur_permit.id, "approve_with_conditions", officer)
    assert caught.value.field == "comment"
    assert namur_permit.status is PermitStatus.IN_REVIEW


def test_an_eupen_officer_ticks_german_conditions_on_the_page(
    client, login, create_shoot, production, request_shoots, coordinator, make_user
):
    eupen_officer = make_user("officer", commune=EUPEN)
    (permit,) = request_shoots(create_shoot(*EUPEN_CENTRE, production=production))
    apply_transition(db.session, permit.id, "submit", coordinator)
    login(eupen_officer)
    page = client.get(f"/permits/{permit.id}?lang=de").text
    assert "Standardauflagen der Gemeinde" in page and "Die Beschilderung des Parkverbots" in page
    refused = client.post(
        f"/permits/{permit.id}/transition?lang=de",
        data={"action": "approve", "conditions": ["quiet"]},
    )
    assert refused.status_code == 400
    assert errors_of(refused.text, "conditions") == [
        "nur eine Genehmigung unter Auflagen legt Auflagen fest"
    ]
    decided = client.post(
        f"/permits/{permit.id}/transition?lang=de",
        data={"action": "approve_with_conditions", "conditions": ["quiet", "access"]},
    )
    assert decided.status_code == 302
    document = client.get(f"/permits/{permit.id}/document?lang=fr").text
    assert "Der Zugang für Anwohner" in document  # the commune's language, not the reader's
    assert document.index("Der Zugang") < document.index("Zwischen 22:00")


def test_conditions_over_http(client, token_for, officer, namur_permit, coordinator):
    listed = client.get(f"/api/v1/permits/communes/{NAMUR}/conditions").get_json()
    assert [c["code"] for c in listed["conditions"]] == DEFAULT_CODES
    url = f"/api/v1/permits/communes/{NAMUR}/conditions/citadel"
    body = {"text_fr": "Pas de véhicule sur les pavés.", "text_de": "Keine Fahrzeuge."}
    assert client.put(url, json=body).status_code == 401
    saved = client.put(url, json=body, headers=token_for(officer)).get_json()
    assert saved["conditions"][-1] == {**body, "code": "citadel", "position": 6, "own": True}
    _in_review(namur_permit, coordinator, officer)
    decided = client.post(
        f"/api/v1/permits/{namur_permit.id}/transitions",
        json={"action": "approve_with_conditions", "conditions": ["citadel"]},
        headers=token_for(officer),
    )
    assert decided.status_code == 200, decided.get_json()
    assert decided.get_json()["decision_conditions"] == [
        {"code": "citadel", "text": "Pas de véhicule sur les pavés."}
    ]
    withdrawn = client.delete(url, headers=token_for(officer)).get_json()
    assert "citadel" not in [c["code"] for c in withdrawn["conditions"]]
