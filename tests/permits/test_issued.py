"""What a commune issues on approval: the police ordinance draft (PDF, DOCX) and the notice to
residents (A4, A3), from the approved version, in the commune's language."""

from __future__ import annotations

import io
import subprocess
from datetime import datetime

import pytest
from docx import Document
from pypdf import PdfReader

from core.db import db
from permits.documents import attach_document
from permits.requirements import requirements_for
from permits.workflow import apply_transition, decide_amendment
from shoots.operations.shoots import update_shoot
from shoots.schemas import ShootPatch
from tests.conftest import BRUSSELS
from tests.forms import errors_of
from tests.permits.conftest import CITADEL, EUPEN, EUPEN_CENTRE, NAMUR, pdf_bytes

A3_POINTS = (841.89, 1190.55)


def text_of(pdf: bytes) -> str:
    """The PDF as pdftotext reads it (what a reader's search finds), spaces collapsed."""
    out = subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True,
                         check=True)  # fmt: skip
    return " ".join(out.stdout.decode().split())


@pytest.fixture
def approved_in(create_shoot, production, request_shoots, coordinator, make_user):
    def approve(commune: str, place: tuple[float, float], **answers):
        shoot = create_shoot(
            *place, production=production, crew_size=25, parking_suspension=True,
            road_closure=True, start=datetime(2027, 6, 14, 7, tzinfo=BRUSSELS), hours=12,
            activities={"parking_spaces": 6, "streets": ["Klötzerbahn"], **answers},
        )  # fmt: skip
        (permit,) = request_shoots(shoot)
        for kind in requirements_for(db.session, permit).documents:  # what the rules ask
            attach_document(db.session, production, coordinator, kind, f"{kind}.pdf", pdf_bytes())
        officer = make_user("officer", commune=commune)
        apply_transition(db.session, permit.id, "submit", coordinator)
        apply_transition(db.session, permit.id, "approve", officer)
        return permit, shoot, officer

    return approve


def test_the_ordinance_of_eupen_is_german_and_states_the_measures(client, login, approved_in):
    permit, _shoot, officer = approved_in(EUPEN, EUPEN_CENTRE)
    login(officer)
    response = client.get(f"/permits/{permit.id}/ordinance.pdf?lang=fr")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = text_of(response.data)
    assert "Zeitweilige Polizeiverordnung über Verkehr und Parken für Dreharbeiten" in text
    assert "Parken ist verboten vom 14.06.2027 07:00 – 19:00 in Klötzerbahn" in text
    assert "auf 33 m (6 Plätze)" in text  # 6 spaces × 5.5 m
    # 33 m: a sign at each end and one every 25 m; the closure: two C3.
    assert "3 Schilder E1" in text and "2 Schilder C3" in text
    assert "Der Verkehr ist verboten vom 14.06.2027" in text
    assert "ENTWURF" in text


def test_the_ordinance_as_an_editable_word_document(client, login, approved_in):
    permit, _shoot, officer = approved_in(EUPEN, EUPEN_CENTRE)
    login(officer)
    response = client.get(f"/permits/{permit.id}/ordinance.docx")
    assert response.status_code == 200
    paragraphs = [p.text for p in Document(io.BytesIO(response.data)).paragraphs]
    assert paragraphs[1] == "Zeitweilige Polizeiverordnung über Verkehr und Parken für Dreharbeiten"
    assert any(p.startswith("Artikel 1. Parken ist verboten") for p in paragraphs)


def test_the_resident_notice_as_letter_and_poster(client, login, approved_in, coordinator):
    permit, _shoot, _officer = approved_in(NAMUR, CITADEL, pyrotechnics=True)
    login(coordinator)
    letter = client.get(f"/permits/{permit.id}/notice-a4.pdf")
    poster = client.get(f"/permits/{permit.id}/notice-a3.pdf")
    assert letter.status_code == poster.status_code == 200
    page = PdfReader(io.BytesIO(poster.data)).pages[0]
    assert (float(page.mediabox.width), float(page.mediabox.height)) == pytest.approx(A3_POINTS)
    text = text_of(letter.data)
    assert "Tournage dans votre rue" in text and "Le Fleuve" in text  # a listed production
    assert "Effets spéciaux" in text and "+32 81 00 00 00" in text
    assert "Stationnement interdit sur 33 m (6 places)" in text


def test_an_unlisted_production_is_not_named_to_residents(client, login, approved_in, production):
    production.listed = False
    permit, _shoot, officer = approved_in(NAMUR, CITADEL)
    login(officer)
    text = text_of(client.get(f"/permits/{permit.id}/notice-a4.pdf").data)
    assert "Le Fleuve" not in text and "Une production audiovisuelle" in text


def test_each_approved_version_has_its_ordinance(client, login, approved_in, coordinator):
    permit, shoot, officer = approved_in(NAMUR, CITADEL)
    more = {"parking_spaces": 10, "streets": ["Rue des Brasseurs"]}
    edit = update_shoot(
        db.session, coordinator, shoot, ShootPatch(activities=more, reason="Plus de camions")
    )
    decide_amendment(db.session, edit.amendment["id"], "approve", officer)
    login(officer)
    latest = text_of(client.get(f"/permits/{permit.id}/ordinance.pdf").data)
    first = text_of(client.get(f"/permits/{permit.id}/ordinance.pdf?version=2").data)
    assert "Rue des Brasseurs" in latest and "(10 places)" in latest
    assert "Klötzerbahn" in first and "(6 places)" in first
    assert client.get(f"/permits/{permit.id}/ordinance.pdf?version=1").status_code == 404


def test_nothing_is_issued_before_approval(client, login, namur_permit, coordinator, make_user):
    login(coordinator)
    for path in ("ordinance.pdf", "ordinance.docx", "notice-a4.pdf"):
        assert client.get(f"/permits/{namur_permit.id}/{path}").status_code == 404
    too_big = client.get(f"/permits/{namur_permit.id}/ordinance.pdf?version={2**31}")
    assert too_big.status_code == 400
    login(make_user("coordinator"))  # another production's
    assert client.get(f"/permits/{namur_permit.id}/notice-a3.pdf").status_code == 404


def test_the_request_says_by_when_residents_must_have_the_notice(
    client, login, token_for, approved_in, coordinator, officer
):
    permit, _shoot, _namur_officer = approved_in(NAMUR, CITADEL)
    login(coordinator)
    page = client.get(f"/permits/{permit.id}?lang=fr").text
    # 14 June 2027 minus Namur's 7 days.
    assert "Les riverains doivent avoir l'avis au plus tard le lun. 07/06/2027" in page
    assert "Pas encore distribué." in page
    url = f"/api/v1/permits/{permit.id}/notice-delivery"
    body = {"delivered_at": "2027-06-05T18:00", "method": "boîtes aux lettres, rue de Fer"}
    assert client.put(url, json=body, headers=token_for(officer)).status_code == 403
    future = client.put(url, json={**body, "delivered_at": "9999-12-31T10:00"},
                        headers=token_for(coordinator))  # fmt: skip
    assert future.status_code == 400 and future.get_json()["field"] == "delivered_at"
    form = {"delivery-delivered_at": "2026-12-01T10:00", "delivery-method": " "}
    blank = client.post(f"/permits/{permit.id}/notice-delivery?lang=de", data=form)
    assert blank.status_code == 400 and "delivery-method-error-1" in blank.text
    done = client.post(f"/permits/{permit.id}/notice-delivery",
                       data={"delivery-delivered_at": "2026-12-01T10:00",
                             "delivery-method": "boîtes aux lettres, rue de Fer"})  # fmt: skip
    assert done.status_code == 302
    notice = client.get(f"/api/v1/permits/{permit.id}", headers=token_for(coordinator)).get_json()
    assert notice["resident_notice"]["deliver_by"] == "2027-06-07"
    assert notice["resident_notice"]["method"] == "boîtes aux lettres, rue de Fer"
    assert notice["resident_notice"]["delivered_at"].startswith("2026-12-01T10:00:00+01:00")


def _letterhead() -> bytes:
    document = Document()
    document.sections[0].header.paragraphs[0].text = "Ville de Namur — Service de police"
    document.add_paragraph("Hôtel de Ville, 5000 Namur")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def test_the_commune_writes_the_draft_on_its_own_word_template(
    client, login, approved_in, make_user
):
    permit, _shoot, officer = approved_in(NAMUR, CITADEL)
    login(make_user("officer", commune=EUPEN))
    upload = {"template-file": (io.BytesIO(_letterhead()), "entete.docx")}
    assert client.post(f"/permits/communes/{NAMUR}/ordinance-template", data=upload,
                       content_type="multipart/form-data").status_code == 403  # fmt: skip
    login(officer)
    refused = client.post(
        f"/permits/communes/{NAMUR}/ordinance-template?lang=fr",
        data={"template-file": (io.BytesIO(b"PK\x03\x04 not really"), "x.docx")},
        content_type="multipart/form-data",
    )
    assert refused.status_code == 400
    assert errors_of(refused.text, "template-file") == ["n'est pas un document Word (.docx)"]
    saved = client.post(f"/permits/communes/{NAMUR}/ordinance-template",
                        data={"template-file": (io.BytesIO(_letterhead()), "entete.docx")},
                        content_type="multipart/form-data")  # fmt: skip
    assert saved.status_code == 302
    written = Document(io.BytesIO(client.get(f"/permits/{permit.id}/ordinance.docx").data))
    assert written.sections[0].header.paragraphs[0].text == "Ville de Namur — Service de police"
    texts = [p.text for p in written.paragraphs]
    assert texts[0] == "Hôtel de Ville, 5000 Namur" and any(
        t.startswith("Article 1.") for t in texts
    )
    client.post(f"/permits/communes/{NAMUR}/ordinance-template", data={"template-remove": "y"})
    blank = Document(io.BytesIO(client.get(f"/permits/{permit.id}/ordinance.docx").data))
    assert "Hôtel de Ville, 5000 Namur" not in [p.text for p in blank.paragraphs]
