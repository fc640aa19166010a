"""The permit pages' forms (request, decision, certificate) refuse bad input next to the field,
in French or German, keep what was typed and ticked, and store nothing."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from core.db import db
from permits.models import PermitEvent, PermitRequest, PermitStatus
from permits.workflow import apply_transition
from tests.forms import LANGUAGES, errors_of, is_checked, is_marked_invalid, summary_of, value_of
from tests.permits.conftest import CITADEL

NO_SHOOT = {"fr": "cochez au moins un tournage", "de": "wählen Sie mindestens einen Dreh aus"}
NOT_PDF = {"fr": "doit être un document PDF", "de": "muss ein PDF-Dokument sein"}
COMMENT_FOR_REJECT = {
    "fr": "est obligatoire pour « Refuser »",
    "de": "ist für „Ablehnen“ erforderlich",
}


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_request_without_a_shoot_is_refused_under_the_shoots_with_the_text_kept(
    client, login, create_shoot, production, coordinator, lang
):
    create_shoot(*CITADEL, production=production)
    create_shoot(*CITADEL, production=production, start=datetime(2027, 7, 1, 7, tzinfo=UTC))
    login(coordinator)
    response = client.post(
        f"/permits/new?lang={lang}",
        data={
            "production_id": production.id,
            "public_domain_use": "Trottoir, 8 h",
            "notes": "Merci",
        },
    )
    assert response.status_code == 400
    page = response.text
    field = f"shoot_ids-{production.id}"
    assert errors_of(page, field) == [NO_SHOOT[lang]]
    assert not is_checked(page, f"{field}-0") and not is_checked(page, f"{field}-1")
    assert value_of(page, f"public_domain_use-{production.id}") == "Trottoir, 8 h"
    assert value_of(page, f"notes-{production.id}") == "Merci"
    assert count(PermitRequest) == 0
    fresh = client.get("/permits/new").text  # a first visit ticks every shoot
    assert is_checked(fresh, f"{field}-0") and is_checked(fresh, f"{field}-1")


def test_a_request_for_a_started_shoot_names_it_and_keeps_the_ticks(
    client, login, create_shoot, production, coordinator
):
    soon = create_shoot(*CITADEL, production=production)
    started = create_shoot(
        *CITADEL, production=production, start=datetime.now(UTC) - timedelta(hours=1)
    )
    login(coordinator)
    response = client.post(
        "/permits/new?lang=de",
        data={"production_id": production.id, "shoot_ids": [soon.id, started.id]},
    )
    assert response.status_code == 400
    field = f"shoot_ids-{production.id}"
    assert errors_of(response.text, field) == [f"Dreh(s) [{started.id}] bereits begonnen"]
    assert is_checked(response.text, f"{field}-0")  # the offered shoot stays ticked
    assert count(PermitRequest) == 0


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_decision_needing_a_comment_says_so_under_the_comment(
    client, login, namur_permit, coordinator, officer, lang
):
    apply_transition(db.session, namur_permit.id, "submit", coordinator)
    apply_transition(db.session, namur_permit.id, "take_into_review", officer)
    events = count(PermitEvent)
    login(officer)
    url = f"/permits/{namur_permit.id}/transition?lang={lang}"
    response = client.post(url, data={"action": "reject", "comment": "   "})
    assert response.status_code == 400
    assert errors_of(response.text, "comment") == [COMMENT_FOR_REJECT[lang]]
    assert is_marked_invalid(response.text, "comment")
    too_long = client.post(url, data={"action": "reject", "comment": "x" * 5001})
    assert too_long.status_code == 400 and value_of(too_long.text, "comment") == "x" * 5001
    assert namur_permit.status is PermitStatus.IN_REVIEW
    assert count(PermitEvent) == events


def test_a_move_the_request_no_longer_allows_is_said_above_the_form_in_german(
    client, login, namur_permit, coordinator
):
    login(coordinator)
    response = client.post(
        f"/permits/{namur_permit.id}/transition?lang=de",
        data={"action": "resubmit", "comment": "Neu"},
    )
    assert response.status_code == 409
    summary = summary_of(response.text)
    assert "„Erneut einreichen“ ist bei einem Antrag im Status „Entwurf“ nicht möglich." in summary
    assert value_of(response.text, "comment") == "Neu"
    assert namur_permit.status is PermitStatus.DRAFT


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_certificate_that_is_no_pdf_is_refused_next_to_the_file_field(
    client, login, create_shoot, production, request_shoots, coordinator, lang
):
    (permit,) = request_shoots(create_shoot(*CITADEL, production=production), insured=False)
    login(coordinator)
    response = client.post(
        f"/permits/{permit.id}/insurance?lang={lang}",
        data={"file": (io.BytesIO(b"GIF89a not a pdf"), "assurance.pdf")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert errors_of(response.text, "file") == [NOT_PDF[lang]]
    assert is_marked_invalid(response.text, "file")
    assert db.session.get(PermitRequest, permit.id).insurance_filename is None


def test_an_inbox_filter_error_names_the_filter_by_its_label(client, login, officer):
    login(officer)
    page = client.get("/permits/?from=2027-13-40&lang=de").text
    assert "Drehs ab: ist kein Datum" in page and "from:" not in page


def test_a_request_for_someone_elses_production_is_said_above_the_page(
    client, login, create_production, create_shoot, make_user, coordinator
):
    other = create_production(coordinators=[make_user("coordinator")])
    shoot = create_shoot(*CITADEL, production=other)
    login(coordinator)
    response = client.post(
        "/permits/new?lang=fr", data={"production_id": other.id, "shoot_ids": [shoot.id]}
    )
    assert response.status_code == 404
    assert f"La production {other.id} n'est pas parmi les vôtres." in summary_of(response.text)
    assert count(PermitRequest) == 0
