import io
import re

from pypdf import PdfReader

from core.db import db
from core.mapping import palette
from permits.document import render_document, render_pdf
from permits.siteplan import nice_length, site_plans
from tests.permits.conftest import BORDER, EUPEN, EUPEN_CENTRE, pdf_bytes


def _pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_pdf_holds_the_whole_request_in_french(namur_permit, client, token_for, coordinator):
    shoot = namur_permit.parts[0].shoot
    shoot.drones = True
    response = client.get(f"/api/v1/permits/{namur_permit.id}.pdf", headers=token_for(coordinator))
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = _pdf_text(response.data)
    assert f"Demande d'autorisation de tournage n° {namur_permit.id}" in text
    for expected in (
        "Le Fleuve",
        "Les Films du Fleuve",
        "prod@example.be",
        "Namur",
        "Trottoir rue des Remparts, 8 h",
        "lun. 14/06/2027 07:00",  # Europe/Brussels, summer time
        "drones",
        "Plans de situation",
        "insurance.pdf",
    ):
        assert expected in text, expected
    assert re.search(r"2\s?8\d\d\s?m²", text), text  # the 30 m circle: about 2 827 m²
    # The insurance certificate follows the document.
    assert len(PdfReader(io.BytesIO(response.data)).pages) >= 2


def test_german_speaking_commune_gets_a_german_document(create_shoot, production, request_shoots):
    (permit,) = request_shoots(create_shoot(*EUPEN_CENTRE, production=production))
    assert permit.commune_nis == EUPEN
    html = render_document(db.session, permit, None)
    assert '<html lang="de">' in html
    assert f"Antrag auf Drehgenehmigung Nr. {permit.id}" in html
    assert "Lagepläne" in html and "Eupen" in html
    assert "Spielfilm" in html  # the production type, in German too
    assert "Antrag auf Drehgenehmigung" in _pdf_text(render_pdf(db.session, permit, None))


def test_site_plan_draws_parts_boundary_scale_and_north(create_shoot, production, request_shoots):
    shoot = create_shoot(*BORDER, radius_m=40, production=production)
    far = create_shoot(4.8617, 50.4596, production=production)
    permit = next(p for p in request_shoots(shoot, far) if len(p.parts) == 2)
    plans = site_plans(db.session, permit.id, permit.commune_nis)
    assert list(plans) == [shoot.id, far.id]  # one plan per shoot, framed on it
    svg = str(plans[shoot.id])
    assert svg.startswith("<svg") and 'class="site-plan"' in svg
    assert svg.count(f'fill="{palette.OWN_GROUND}"') == 1  # the request's own commune
    assert f'fill="{palette.NEIGHBOUR_GROUND}"' in svg  # its neighbour across the border
    assert f'fill="{palette.FOOTPRINT}"' in svg  # the footprint part on this commune's ground
    assert "stroke-dasharray" in svg  # the rest of the footprint, in the other commune
    assert 'class="scale-bar"' in svg and re.search(r">\d+ m</text>", svg)
    assert 'class="north-arrow"' in svg and ">N</text>" in svg
    assert f">{shoot.id}</text>" in svg


def test_scale_bar_lengths_are_round():
    assert [nice_length(m) for m in (7, 43, 180, 437, 1200)] == [5, 20, 100, 200, 1000]


def test_certificate_pages_are_appended(namur_permit):
    namur_permit.insurance_pdf = pdf_bytes(pages=3)
    document_only = len(PdfReader(io.BytesIO(render_pdf(db.session, namur_permit, None))).pages)
    namur_permit.insurance_pdf = pdf_bytes(pages=1)
    assert len(PdfReader(io.BytesIO(render_pdf(db.session, namur_permit, None))).pages) == (
        document_only - 2
    )
