import io
from datetime import datetime

import pytest
from pypdf import PdfReader

from core.errors import InvalidInput
from permits.operations import MAX_INSURANCE_BYTES, check_pdf
from tests.conftest import BRUSSELS
from tests.permits.conftest import BORDER, CITADEL, NAMUR, PROFONDEVILLE, pdf_bytes


def test_create_from_a_straddling_shoot_returns_both_requests(
    client, token_for, create_shoot, production, coordinator
):
    shoot = create_shoot(*BORDER, radius_m=40, production=production, crew_size=12)
    response = client.post(
        "/api/v1/permits",
        json={"production_id": production.id, "shoot_ids": [shoot.id], "public_domain_use": "x"},
        headers=token_for(coordinator),
    )
    assert response.status_code == 201, response.get_json()
    created = response.get_json()
    assert sorted(p["commune_nis"] for p in created["permits"]) == [NAMUR, PROFONDEVILLE]
    assert {p["group_id"] for p in created["permits"]} == {created["group_id"]}
    first, second = created["permits"]
    detail = client.get(f"/api/v1/permits/{first['id']}", headers=token_for(coordinator))
    body = detail.get_json()
    assert body["siblings"] == [
        {"id": second["id"], "commune_nis": second["commune_nis"], "status": "draft"}
    ]
    (part,) = body["shoots"]
    assert part["also_in_requests"] == [second["id"]]
    assert part["footprint"]["type"] == "MultiPolygon"
    lon, lat = part["footprint"]["coordinates"][0][0][0]
    assert 4.8 < lon < 4.95 and 50.3 < lat < 50.45  # RFC 7946: lon, lat in WGS84
    assert part["start"] == "2027-06-14T07:00:00+02:00"
    assert body["lead_time"]["late_if_submitted_now"] is False
    assert body["allowed_actions"] == ["submit", "withdraw"]


def test_bad_input_names_the_field(client, token_for, coordinator, production):
    headers = token_for(coordinator)
    missing = client.post("/api/v1/permits", json={"production_id": production.id}, headers=headers)
    assert missing.status_code == 400 and missing.get_json()["field"] == "shoot_ids"
    action = client.post("/api/v1/permits/1/transitions", json={"action": "x"}, headers=headers)
    assert action.status_code == 400 and action.get_json()["field"] == "action"
    dates = client.get("/api/v1/permits?from=2027-02-01&to=2027-01-01", headers=headers)
    assert dates.status_code == 400 and "before" in dates.get_json()["detail"]
    status = client.get("/api/v1/permits?status=lost", headers=headers)
    assert status.status_code == 400 and status.get_json()["field"].startswith("status")


def test_impossible_move_is_409_naming_the_current_state(client, token_for, namur_permit, officer):
    response = client.post(
        f"/api/v1/permits/{namur_permit.id}/transitions",
        json={"action": "approve"},
        headers=token_for(officer),
    )
    assert response.status_code == 409
    body = response.get_json()
    assert body["current_status"] == "draft" and "draft" in body["detail"]


def test_inbox_filters_by_status_and_dates(
    client, token_for, create_shoot, production, request_shoots, officer
):
    june = create_shoot(*CITADEL, production=production)
    july = create_shoot(
        *CITADEL, production=production, start=datetime(2027, 7, 5, 8, tzinfo=BRUSSELS)
    )
    (in_june,) = request_shoots(june)
    (in_july,) = request_shoots(july)
    headers = token_for(officer)

    def ids(query):
        response = client.get(f"/api/v1/permits?{query}", headers=headers)
        assert response.status_code == 200, response.get_json()
        return [p["id"] for p in response.get_json()["permits"]]

    assert ids("") == [in_july.id, in_june.id]
    assert ids("from=2027-07-01") == [in_july.id]
    assert ids("to=2027-06-14") == [in_june.id]  # the day is included
    assert ids("to=2027-06-13") == []
    assert ids("status=draft&status=submitted") == [in_july.id, in_june.id]
    assert ids("status=approved") == []
    assert ids(f"commune={PROFONDEVILLE}") == []


def test_insurance_upload_is_checked(client, token_for, create_shoot, production, request_shoots):
    (permit,) = request_shoots(create_shoot(*CITADEL, production=production), insured=False)
    headers = token_for(production.coordinators[0])
    url = f"/api/v1/permits/{permit.id}/insurance"

    def upload(data: bytes):
        return client.post(url, data={"file": (io.BytesIO(data), "c.pdf")}, headers=headers)

    fake = upload(b"%PDF-1.7 this is no PDF at all")
    assert fake.status_code == 400 and fake.get_json()["field"] == "insurance"
    text = upload(b"hello")
    assert text.status_code == 400 and "must be a PDF" in text.get_json()["detail"]
    assert upload(pdf_bytes(pages=2)).status_code == 200
    certificate = client.get(f"/permits/{permit.id}/insurance.pdf", headers=headers)
    assert certificate.mimetype == "application/pdf"
    assert len(PdfReader(io.BytesIO(certificate.data)).pages) == 2


def test_insurance_size_is_limited():
    with pytest.raises(InvalidInput, match="at most 5 MB"):
        check_pdf(pdf_bytes() + b"\n%" + b"0" * MAX_INSURANCE_BYTES)
