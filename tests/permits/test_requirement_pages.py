"""The pages of the commune's rules: what a request's page says it needs, the document upload,
and the rules and services page of a commune's officers."""

from __future__ import annotations

import io

import pytest

from core.db import db
from permits import fees
from permits.conditions import conditions_for
from permits.models import ComplianceDocument
from permits.requirements import rules_for
from permits.services import services_of
from tests.forms import LANGUAGES, errors_of, is_marked_invalid
from tests.hostile import EVALUATED, HOSTILE_STRINGS
from tests.permits.conftest import CITADEL, EUPEN, NAMUR, pdf_bytes

WHAT_NAMUR_ASKS = {"fr": "Ce que demande Namur", "de": "Was Namur verlangt"}
MISSING = {
    "fr": "✗ plan de sécurité — manquant, ou pas valable chaque jour de tournage",
    "de": "✗ Sicherheitsplan — fehlt oder ist nicht an jedem Drehtag gültig",
}


@pytest.fixture
def fireworks(create_shoot, production, request_shoots):
    shoot = create_shoot(
        *CITADEL, production=production, road_closure=True, activities={"pyrotechnics": True}
    )
    return request_shoots(shoot)[0]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_request_page_says_what_the_commune_asks(client, login, coordinator, fireworks, lang):
    login(coordinator)
    page = client.get(f"/permits/{fireworks.id}?lang={lang}").text
    assert WHAT_NAMUR_ASKS[lang] in page and MISSING[lang] in page
    assert {"fr": "pyrotechnie", "de": "Pyrotechnik"}[lang] in page
    assert {"fr": "zone de police", "de": "Polizeizone"}[lang] in page


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_document_upload_refused_is_named_under_its_field(
    client, login, coordinator, fireworks, lang
):
    login(coordinator)
    response = client.post(
        f"/permits/{fireworks.id}/documents?lang={lang}",
        data={"document-kind": "safety_plan",
              "document-file": (io.BytesIO(b"GIF89a{{ 7*7 }}"), "plan.pdf")},
        content_type="multipart/form-data",
    )  # fmt: skip
    assert response.status_code == 400
    assert is_marked_invalid(response.text, "document-file")
    assert errors_of(response.text, "document-file") == [
        {"fr": "n'est pas une image JPEG, PNG ou WebP lisible",
         "de": "ist kein lesbares JPEG-, PNG- oder WebP-Bild"}[lang]
    ]  # fmt: skip
    assert db.session.query(ComplianceDocument).count() == 0


def test_a_coordinator_attaches_a_document_on_the_page(client, login, coordinator, fireworks):
    login(coordinator)
    response = client.post(
        f"/permits/{fireworks.id}/documents?lang=fr",
        data={"document-kind": "safety_plan", "document-valid_until": "2027-06-14",
              "document-file": (io.BytesIO(pdf_bytes()), "</td><script>x</script>.pdf")},
        content_type="multipart/form-data",
    )  # fmt: skip
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).text
    assert "✓ plan de sécurité — joint" in page
    assert "<script>x</script>" not in page and "&lt;/td&gt;&lt;script&gt;" in page


def test_an_officer_edits_the_rules_and_services_of_their_commune(client, login, officer):
    login(officer)
    page = client.get(f"/permits/communes/{NAMUR}/rules?lang=de")
    assert page.status_code == 200 and "Regeln von Namur für besondere Tätigkeiten" in page.text
    saved = client.post(
        f"/permits/communes/{NAMUR}/rules/stunts",
        data={"stunts-extra_working_days": "7", "stunts-documents": ["safety_plan"],
              "stunts-services": ["fire_zone", "police_zone"]},
    )  # fmt: skip
    assert saved.status_code == 302
    rule = rules_for(db.session, NAMUR)["stunts"]
    assert (rule.extra_working_days, rule.documents, rule.services, rule.allows_fast_track) == (
        7, ("safety_plan",), ("police_zone", "fire_zone"), False,
    )  # fmt: skip
    refused = client.post(
        f"/permits/communes/{NAMUR}/rules/stunts?lang=fr",
        data={"stunts-extra_working_days": "500"},
    )
    assert refused.status_code == 400
    assert errors_of(refused.text, "stunts-extra_working_days") == [
        "doit être compris entre 0 et 120"
    ]
    assert rules_for(db.session, NAMUR)["stunts"].extra_working_days == 7
    for hostile in (text for text in HOSTILE_STRINGS if len(text) <= 200):
        client.post(
            f"/permits/communes/{NAMUR}/services/fire_zone",
            data={"fire_zone-name": hostile, "fire_zone-email": "nage@example.be"},
        )
        assert services_of(db.session, NAMUR)["fire_zone"].name == hostile.strip()
        shown = client.get(f"/permits/communes/{NAMUR}/rules").text
        assert "<script>window" not in shown and "<img src=x" not in shown
        assert not any(evaluated in shown for evaluated in EVALUATED)
    bad_mail = client.post(
        f"/permits/communes/{NAMUR}/services/police_zone?lang=de",
        data={"police_zone-name": "Zone", "police_zone-email": "keine Adresse"},
    )
    assert bad_mail.status_code == 400
    assert errors_of(bad_mail.text, "police_zone-email") == ["ist keine E-Mail-Adresse"]


def test_an_officer_cannot_change_another_communes_rules(client, login, officer):
    login(officer)
    assert client.get(f"/permits/communes/{EUPEN}/rules").status_code == 403
    client.post(f"/permits/communes/{EUPEN}/rules/stunts", data={"stunts-extra_working_days": "9"})
    assert rules_for(db.session, EUPEN)["stunts"].extra_working_days == 5
    assert client.get("/permits/communes/1%27%3B--/rules").status_code == 404


def test_an_officer_sets_the_fees_and_the_conditions_on_the_page(client, login, officer):
    login(officer)
    base = f"/permits/communes/{NAMUR}"
    page = client.get(f"{base}/rules?lang=fr").text
    assert "Conditions habituelles" in page or "Rendre les lieux propres" in page
    saved = client.post(f"{base}/tariff", data={
        "tariff-per_day": "50", "tariff-per_m2_day": "0,25", "tariff-per_sign": "12,5",
        "tariff-per_parking_space_day": "3", "tariff-urgency_surcharge_percent": "25",
        "tariff-exempt_types": ["student", "documentary"],
    })  # fmt: skip
    assert saved.status_code == 302
    tariff = fees.tariff_of(db.session, NAMUR)
    assert (str(tariff.per_sign), tariff.exempt_types) == ("12.50", ["student", "documentary"])
    bad = client.post(f"{base}/tariff?lang=de", data={
        "tariff-per_day": "-5", "tariff-per_m2_day": "0", "tariff-per_sign": "0",
        "tariff-per_parking_space_day": "0", "tariff-urgency_surcharge_percent": "0",
    })  # fmt: skip
    assert bad.status_code == 400 and errors_of(bad.text, "tariff-per_day")
    added = client.post(f"{base}/conditions/new", data={
        "new-code": "citadelle", "new-text_fr": "Pas de véhicule sur les pavés.",
        "new-text_de": "Keine Fahrzeuge auf dem Pflaster.",
    })  # fmt: skip
    assert added.status_code == 302
    assert "citadelle" in [c.code for c in conditions_for(db.session, NAMUR)]
    wrong = client.post(f"{base}/conditions/new?lang=fr", data={
        "new-code": "Pas Bon", "new-text_fr": "x", "new-text_de": "y",
    })  # fmt: skip
    assert wrong.status_code == 400 and errors_of(wrong.text, "new-code")
    client.post(f"{base}/conditions/police/withdraw")
    assert "police" not in [c.code for c in conditions_for(db.session, NAMUR)]
