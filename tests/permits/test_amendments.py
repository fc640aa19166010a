"""Amendments: what an officer approved is what happens. An edit of a shoot a commune has before
it is a proposal its communes decide; until then the approved version stays official everywhere.
"""

from __future__ import annotations

import io
import json
import re
from datetime import datetime, timedelta

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from core.db import db
from permits.models import (
    Amendment,
    AmendmentStatus,
    OutboxMessage,
    PermitRequest,
    PermitStatus,
)
from permits.versions import content_hash, versions_of
from permits.workflow import apply_transition
from shoots.models import Shoot, ShootStatus
from tests.conftest import BRUSSELS
from tests.forms import LANGUAGES, errors_of, is_marked_invalid, summary_of, value_of
from tests.permits.conftest import CITADEL, EUPEN, EUPEN_CENTRE, NAMUR, PROFONDEVILLE

SCENE = "Scène de nuit ajoutée : <b>la poursuite</b>"


def _square(lon: float, lat: float, half: float = 0.0003) -> dict:
    ring = [
        [lon - half, lat - half],
        [lon + half, lat - half],
        [lon + half, lat + half],
        [lon - half, lat + half],
        [lon - half, lat - half],
    ]
    return {"type": "Polygon", "coordinates": [ring]}


def _pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def _approve(permit: PermitRequest, coordinator, officer, comment="Pas de tournage avant 8 h."):
    apply_transition(db.session, permit.id, "submit", coordinator)
    apply_transition(db.session, permit.id, "take_into_review", officer)
    apply_transition(db.session, permit.id, "approve_with_conditions", officer, comment)


@pytest.fixture
def approved_shoot(create_shoot, production, request_shoots, coordinator, officer):
    """A Namur shoot of 35 people, 7:00–17:00, approved with conditions."""
    shoot = create_shoot(*CITADEL, production=production, crew_size=35, vehicle_count=4)
    (permit,) = request_shoots(shoot, public_domain_use="Trottoir, 8 h")
    _approve(permit, coordinator, officer)
    return shoot, permit


def _patch(client, headers, shoot: Shoot, **fields):
    return client.patch(f"/api/v1/shoots/{shoot.id}", json=fields, headers=headers)


def _move(client, headers, amendment_id: int, action: str, comment: str = ""):
    return client.post(
        f"/api/v1/amendments/{amendment_id}/transitions",
        json={"action": action, "comment": comment},
        headers=headers,
    )


def _decide(client, headers, amendment_id: int, action: str = "approve", comment: str = ""):
    taken = _move(client, headers, amendment_id, "take_into_review")
    assert taken.status_code == 200, taken.get_json()
    decided = _move(client, headers, amendment_id, action, comment)
    assert decided.status_code == 200, decided.get_json()
    return decided.get_json()


# ---- the observed sequence, corrected -------------------------------------------------------


def test_an_edit_after_approval_is_an_amendment_and_the_approved_version_stays_official(
    client, token_for, approved_shoot, coordinator, officer
):
    shoot, permit = approved_shoot
    coordinator_api, officer_api = token_for(coordinator), token_for(officer)
    approved = versions_of(db.session, permit.id)[-1]
    assert (approved.number, approved.action) == (2, "approve_with_conditions")
    approved_pdf = client.get(f"/api/v1/permits/{permit.id}.pdf", headers=coordinator_api)
    assert approved.content_hash in re.sub(r"\s", "", _pdf_text(approved_pdf.data))

    edited = _patch(
        client, coordinator_api, shoot, ends_at="2027-06-15T03:00", night_shoot=True,
        crew_size=150, reason=SCENE,
    )  # fmt: skip
    assert edited.status_code == 202, edited.get_json()
    body = edited.get_json()
    # The shoot is what was approved; the proposal is the amendment.
    assert body["ends_at"] == "2027-06-14T17:00:00+02:00" and body["crew_size"] == 35
    amendment = body["amendment"]
    assert amendment["status"] == "pending" and amendment["reason"] == SCENE
    assert amendment["before"]["crew_size"] == 35 and amendment["after"]["crew_size"] == 150
    assert amendment["after"]["ends_at"] == "2027-06-15T03:00:00+02:00"
    assert amendment["after"]["night_shoot"] is True
    assert [(r["commune_nis"], r["status"], r["request_id"]) for r in amendment["reviews"]] == [
        (NAMUR, "submitted", permit.id)
    ]
    db.session.expire_all()
    assert (shoot.crew_size, shoot.night_shoot, shoot.version) == (35, False, 1)
    assert db.session.get(PermitRequest, permit.id).status is PermitStatus.APPROVED_WITH_CONDITIONS

    # Everything official still shows the approved values.
    document = client.get(f"/permits/{permit.id}/document", headers=coordinator_api)
    html = document.get_data(as_text=True)
    assert approved.content_hash in html
    assert "<td>35</td>" in html and "<td>150</td>" not in html  # the crew column
    again = client.get(f"/api/v1/permits/{permit.id}.pdf", headers=coordinator_api)
    assert approved.content_hash in re.sub(r"\s", "", _pdf_text(again.data))
    public = client.get("/permits/public").get_data(as_text=True)
    assert "14/06/2027 07:00" in public and "03:00" not in public
    ogc = client.get("/ogc/collections/shoots/items?f=json").get_json()
    (feature,) = [f for f in ogc["features"] if f["id"] == shoot.id]
    assert "2027-06-14T17:00" in str(feature["properties"])

    # The officer is told, sees before and after, and decides.
    told = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.recipient == officer.email)
    ).all()
    assert SCENE in told[-1].body and f"/permits/amendments/{amendment['id']}" in told[-1].body
    seen = client.get(f"/api/v1/amendments/{amendment['id']}", headers=officer_api).get_json()
    assert seen["allowed_actions"] == [
        "take_into_review", "approve", "approve_with_conditions", "reject",
    ]  # fmt: skip  # decided in one step, or reviewed first
    decided = _decide(client, officer_api, amendment["id"], "approve_with_conditions", "Silence")
    assert decided["status"] == "approved"

    db.session.expire_all()
    assert (shoot.crew_size, shoot.night_shoot) == (150, True)
    assert shoot.period.upper == datetime(2027, 6, 15, 3, tzinfo=BRUSSELS)
    latest = versions_of(db.session, permit.id)[-1]
    assert (latest.number, latest.action, latest.amendment_id) == (3, "amend", amendment["id"])
    assert latest.data["shoots"][0]["crew_size"] == 150
    # The approved version is a record: same data, same hash, same PDF text.
    frozen = versions_of(db.session, permit.id)[1]
    assert frozen.content_hash == approved.content_hash == content_hash(frozen.data)
    assert frozen.data["shoots"][0]["crew_size"] == 35
    old_pdf = client.get(f"/api/v1/permits/{permit.id}/versions/2.pdf", headers=officer_api)
    old_text = _pdf_text(old_pdf.data)
    assert approved.content_hash in re.sub(r"\s", "", old_text) and "150" not in old_text
    new_pdf = client.get(f"/api/v1/permits/{permit.id}.pdf", headers=officer_api)
    assert latest.content_hash in re.sub(r"\s", "", _pdf_text(new_pdf.data))


def test_an_amendment_needs_a_reason_and_one_at_a_time(
    client, token_for, approved_shoot, coordinator
):
    shoot, _permit = approved_shoot
    headers = token_for(coordinator)
    missing = _patch(client, headers, shoot, crew_size=50)
    assert missing.status_code == 400 and missing.get_json()["field"] == "reason"
    assert db.session.scalar(select(Amendment.id)) is None
    first = _patch(client, headers, shoot, crew_size=50, reason="Figurants")
    assert first.status_code == 202
    first_id = first.get_json()["amendment"]["id"]
    second = _patch(client, headers, shoot, crew_size=60, reason="Plus de figurants")
    assert second.status_code == 409 and second.get_json()["amendment_id"] == first_id
    # Saving the same values again (a form sent back as it was) proposes nothing.
    same = _patch(client, headers, shoot, crew_size=35, reason="rien")
    assert same.status_code == 200 and "amendment" not in same.get_json()


def test_a_rejected_amendment_leaves_the_shoot_as_approved(
    client, token_for, approved_shoot, coordinator, officer
):
    shoot, permit = approved_shoot
    proposed = _patch(client, token_for(coordinator), shoot, crew_size=90, reason="Foule")
    amendment_id = proposed.get_json()["amendment"]["id"]
    decided = _decide(client, token_for(officer), amendment_id, "reject", "Trop de monde.")
    assert decided["status"] == "rejected"
    db.session.expire_all()
    assert shoot.crew_size == 35
    assert db.session.get(PermitRequest, permit.id).status is PermitStatus.APPROVED_WITH_CONDITIONS
    assert [v.action for v in versions_of(db.session, permit.id)] == [
        "submit", "approve_with_conditions",
    ]  # fmt: skip
    to_coordinator = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.recipient == coordinator.email)
    ).all()
    assert "Trop de monde." in to_coordinator[-1].body


def test_the_production_may_withdraw_its_amendment(
    client, token_for, approved_shoot, coordinator, officer
):
    shoot, _permit = approved_shoot
    proposed = _patch(client, token_for(coordinator), shoot, crew_size=90, reason="Foule")
    amendment = proposed.get_json()["amendment"]
    assert amendment["allowed_actions"] == ["withdraw"]
    withdrawn = _move(client, token_for(coordinator), amendment["id"], "withdraw")
    assert withdrawn.status_code == 200 and withdrawn.get_json()["status"] == "withdrawn"
    late = _move(client, token_for(officer), amendment["id"], "take_into_review")
    assert late.status_code == 409 and late.get_json()["current_status"] == "withdrawn"
    # Free to propose again.
    again = _patch(client, token_for(coordinator), shoot, crew_size=80, reason="Moins")
    assert again.status_code == 202


def test_an_amendment_clashing_since_is_refused_on_approval(
    client, token_for, approved_shoot, coordinator, officer, create_shoot
):
    shoot, _permit = approved_shoot
    proposed = _patch(
        client, token_for(coordinator), shoot, ends_at="2027-06-15T03:00", reason="Nuit"
    )
    amendment_id = proposed.get_json()["amendment"]["id"]
    # Another production books the same ground for that evening in the meantime.
    create_shoot(*CITADEL, start=datetime(2027, 6, 14, 20, tzinfo=BRUSSELS), hours=3)
    headers = token_for(officer)
    assert _move(client, headers, amendment_id, "take_into_review").status_code == 200
    refused = _move(client, headers, amendment_id, "approve")
    assert refused.status_code == 409 and refused.get_json()["conflicts"]
    db.session.expire_all()
    assert db.session.get(Amendment, amendment_id).status is AmendmentStatus.PENDING
    assert shoot.period.upper == datetime(2027, 6, 14, 17, tzinfo=BRUSSELS)


# ---- deletion and cancellation --------------------------------------------------------------


def test_deleting_a_shoot_of_a_live_request_is_409_naming_the_request(
    client, token_for, login, approved_shoot, coordinator, create_shoot, production,
    request_shoots,
):  # fmt: skip
    shoot, permit = approved_shoot
    headers = token_for(coordinator)
    refused = client.delete(f"/api/v1/shoots/{shoot.id}", headers=headers)
    assert refused.status_code == 409
    body = refused.get_json()
    assert f"n° {permit.id} (Namur" in body["detail"]
    assert body["requests"][0]["id"] == permit.id
    assert body["requests"][0]["url"] == f"/permits/{permit.id}"
    # A draft too is a live request; so is deleting the whole production.
    draft_shoot = create_shoot(*CITADEL, production=production, hours=2,
                               start=shoot.period.upper)  # fmt: skip
    (draft,) = request_shoots(draft_shoot)
    assert client.delete(f"/api/v1/shoots/{draft_shoot.id}", headers=headers).status_code == 409
    whole = client.delete(f"/api/v1/productions/{production.id}", headers=headers)
    assert whole.status_code == 409
    login(coordinator)
    page = client.post(f"/shoots/{shoot.id}/delete", follow_redirects=True)
    assert f"n° {permit.id} (Namur" in page.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Shoot, shoot.id) is not None
    # Once the draft is withdrawn its shoot may go.
    apply_transition(db.session, draft.id, "withdraw", coordinator)
    assert client.delete(f"/api/v1/shoots/{draft_shoot.id}", headers=headers).status_code == 204


def test_cancelling_an_approved_shoot_is_an_amendment(
    client, token_for, approved_shoot, coordinator, officer
):
    shoot, permit = approved_shoot
    proposed = _patch(
        client, token_for(coordinator), shoot, status="cancelled", reason="Décor indisponible"
    )
    assert proposed.status_code == 202
    amendment = proposed.get_json()["amendment"]
    assert amendment["after"]["status"] == "cancelled"
    db.session.expire_all()
    assert shoot.status is ShootStatus.PLANNED
    assert "14/06/2027" in client.get("/permits/public").get_data(as_text=True)
    _decide(client, token_for(officer), amendment["id"])
    db.session.expire_all()
    assert shoot.status is ShootStatus.CANCELLED
    assert "14/06/2027" not in client.get("/permits/public").get_data(as_text=True)
    latest = versions_of(db.session, permit.id)[-1]
    assert latest.action == "amend" and latest.data["shoots"][0]["status"] == "cancelled"


# ---- moving to another commune --------------------------------------------------------------


def test_moving_into_eupen_makes_a_request_there_and_withdraws_the_empty_one(
    client, token_for, approved_shoot, coordinator, officer, make_user
):
    shoot, namur = approved_shoot
    eupen_officer = make_user("officer", commune=EUPEN)
    proposed = _patch(
        client, token_for(coordinator), shoot, footprint=_square(*EUPEN_CENTRE),
        reason="Le décor de Namur n'est plus disponible",
    )  # fmt: skip
    assert proposed.status_code == 202, proposed.get_json()
    amendment = proposed.get_json()["amendment"]
    reviews = {r["commune_nis"]: r for r in amendment["reviews"]}
    assert set(reviews) == {NAMUR, EUPEN}
    assert reviews[NAMUR]["leaves_commune"] and reviews[NAMUR]["request_id"] == namur.id
    assert not reviews[EUPEN]["leaves_commune"] and reviews[EUPEN]["request_id"] is None
    # Eupen is told, in German; until it decides, nothing moves.
    to_eupen = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.recipient == eupen_officer.email)
    ).all()
    assert len(to_eupen) == 1 and "Eupen" in to_eupen[0].body
    in_eupen = select(PermitRequest).where(PermitRequest.commune_nis == EUPEN)
    assert db.session.scalars(in_eupen).all() == []
    eupen_view = client.get("/permits/", headers=token_for(eupen_officer)).get_data(as_text=True)
    assert f"/permits/amendments/{amendment['id']}" in eupen_view

    _decide(client, token_for(eupen_officer), amendment["id"], "approve_with_conditions", "Ruhe")
    assert db.session.get(Amendment, amendment["id"]).status is AmendmentStatus.PENDING
    _decide(client, token_for(officer), amendment["id"])

    db.session.expire_all()
    assert db.session.get(Amendment, amendment["id"]).status is AmendmentStatus.APPROVED
    assert db.session.get(PermitRequest, namur.id).status is PermitStatus.WITHDRAWN
    (eupen,) = db.session.scalars(
        select(PermitRequest).where(PermitRequest.commune_nis == EUPEN)
    ).all()
    assert eupen.status is PermitStatus.APPROVED_WITH_CONDITIONS
    assert eupen.decision_comment == "Ruhe" and eupen.group_id == namur.group_id
    assert [p.shoot_id for p in eupen.parts] == [shoot.id] and eupen.insurance_filename
    # Its timeline: the review that decided it, then its creation from the amendment.
    assert [e.action for e in eupen.events] == [
        "submit", "take_into_review", "approve_with_conditions", "create",
    ]  # fmt: skip
    assert versions_of(db.session, eupen.id)[-1].data["request"]["commune"] == "Eupen"
    namur_versions = versions_of(db.session, namur.id)
    assert namur_versions[-1].data["shoots"] == [] and namur_versions[-1].status == "withdrawn"
    assert namur_versions[1].data["shoots"][0]["id"] == shoot.id  # the approved one, kept
    # The emptied request is still listed and read, with no shoot.
    coordinator_api = token_for(coordinator)
    listed = client.get("/api/v1/permits", headers=coordinator_api).get_json()["permits"]
    assert {(p["id"], p["shoot_count"]) for p in listed} == {(namur.id, 0), (eupen.id, 1)}
    emptied = client.get(f"/api/v1/permits/{namur.id}", headers=coordinator_api).get_json()
    assert emptied["shoots"] == [] and emptied["first_start"] is None
    assert client.get("/permits/", headers=token_for(officer)).status_code == 200
    # Eupen's officer now reads the request; the public page places the shoot in Eupen.
    detail = client.get(f"/api/v1/permits/{eupen.id}", headers=token_for(eupen_officer))
    assert detail.status_code == 200
    assert "Eupen" in client.get("/permits/public").get_data(as_text=True)


def test_moving_one_of_two_shoots_shrinks_the_request(
    client, token_for, create_shoot, production, request_shoots, coordinator, officer, make_user
):
    stays = create_shoot(*CITADEL, production=production)
    moves = create_shoot(*CITADEL, production=production, radius_m=10,
                         start=stays.period.upper + timedelta(days=1))  # fmt: skip
    (namur,) = request_shoots(stays, moves)
    _approve(namur, coordinator, officer)
    proposed = _patch(client, token_for(coordinator), moves, footprint=_square(*EUPEN_CENTRE),
                      reason="Eupen")  # fmt: skip
    amendment_id = proposed.get_json()["amendment"]["id"]
    _decide(client, token_for(make_user("officer", commune=EUPEN)), amendment_id)
    _decide(client, token_for(officer), amendment_id)
    db.session.expire_all()
    namur = db.session.get(PermitRequest, namur.id)
    assert namur.status is PermitStatus.APPROVED_WITH_CONDITIONS
    assert [p.shoot_id for p in namur.parts] == [stays.id]
    assert [s["id"] for s in versions_of(db.session, namur.id)[-1].data["shoots"]] == [stays.id]


def test_a_draft_follows_the_shoot_in_place(
    client, token_for, create_shoot, production, request_shoots, coordinator
):
    shoot = create_shoot(*CITADEL, production=production, radius_m=30)
    (draft,) = request_shoots(shoot)
    before = draft.parts[0].footprint_area_m2
    bigger = _patch(client, token_for(coordinator), shoot, footprint=_square(*CITADEL, 0.001))
    assert bigger.status_code == 200, bigger.get_json()
    db.session.expire_all()
    assert draft.parts[0].footprint_area_m2 > 3 * before
    moved = _patch(client, token_for(coordinator), shoot, footprint=_square(*EUPEN_CENTRE))
    assert moved.status_code == 200
    db.session.expire_all()
    assert db.session.get(PermitRequest, draft.id).status is PermitStatus.WITHDRAWN
    (eupen,) = db.session.scalars(
        select(PermitRequest).where(PermitRequest.group_id == draft.group_id,
                                    PermitRequest.commune_nis == EUPEN)
    ).all()  # fmt: skip
    assert eupen.status is PermitStatus.DRAFT and [p.shoot_id for p in eupen.parts] == [shoot.id]
    assert versions_of(db.session, eupen.id) == []


# ---- who decides ------------------------------------------------------------------------------


def test_only_the_concerned_communes_officers_decide(
    client, token_for, approved_shoot, coordinator, officer, make_user, create_production
):
    shoot, _permit = approved_shoot
    proposed = _patch(client, token_for(coordinator), shoot, crew_size=90, reason="Foule")
    amendment_id = proposed.get_json()["amendment"]["id"]
    path = f"/api/v1/amendments/{amendment_id}"
    other_coordinator = make_user("coordinator")
    create_production(coordinators=[other_coordinator])
    for outsider in (make_user("officer", commune=PROFONDEVILLE), other_coordinator,
                     make_user("scout")):  # fmt: skip
        headers = token_for(outsider)
        assert client.get(path, headers=headers).status_code == 404
        assert _move(client, headers, amendment_id, "take_into_review").status_code == 404
        assert client.get(f"/permits/amendments/{amendment_id}", headers=headers).status_code == 404
    assert client.get(path).status_code == 401
    assert _move(client, {}, amendment_id, "take_into_review").status_code == 401
    admin = token_for(make_user("admin"))
    assert client.get(path, headers=admin).status_code == 200  # the film commission reads
    assert _move(client, admin, amendment_id, "take_into_review").status_code == 403
    # The coordinator neither reviews nor decides; the officer does not withdraw.
    assert (
        _move(client, token_for(coordinator), amendment_id, "take_into_review").status_code == 403
    )
    assert _move(client, token_for(officer), amendment_id, "withdraw").status_code == 403
    assert _move(client, token_for(officer), amendment_id, "take_into_review").status_code == 200
    rejected = _move(client, token_for(officer), amendment_id, "reject", "  ")
    assert rejected.status_code == 400 and rejected.get_json()["field"] == "comment"


def test_withdrawing_the_request_withdraws_its_pending_amendment(
    client, token_for, approved_shoot, coordinator
):
    shoot, permit = approved_shoot
    proposed = _patch(client, token_for(coordinator), shoot, crew_size=90, reason="Foule")
    amendment_id = proposed.get_json()["amendment"]["id"]
    apply_transition(db.session, permit.id, "withdraw", coordinator)
    db.session.expire_all()
    assert db.session.get(Amendment, amendment_id).status is AmendmentStatus.WITHDRAWN
    assert versions_of(db.session, permit.id)[-1].action == "withdraw"
    # Nothing holds the shoot any more: it changes in place.
    assert _patch(client, token_for(coordinator), shoot, crew_size=90).status_code == 200


# ---- pages ------------------------------------------------------------------------------------


REASON_REQUIRED = {
    "fr": "dites pourquoi le tournage change : les communes auxquelles il est soumis en décident",
    "de": "geben Sie an, warum sich der Dreh ändert: die Gemeinden, denen er vorliegt, "
    "entscheiden darüber",
}
BECAME_AMENDMENT = {
    "fr": "votre changement est la modification n° {id}",
    "de": "Ihre Änderung ist die Änderung Nr. {id}",
}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_shoot_form_asks_why_an_approved_shoot_changes_then_opens_the_amendment(
    client, login, approved_shoot, coordinator, lang
):
    shoot, _permit = approved_shoot
    login(coordinator)
    edit = f"/shoots/{shoot.id}/edit?lang={lang}"
    sent = {
        "starts_at": "2027-06-14T07:00", "ends_at": "2027-06-14T17:00", "crew_size": "150",
        "vehicle_count": "4", "footprint": json.dumps(_square(*CITADEL)), "parking": "",
        "version": str(shoot.version), "reason": "  ",
    }  # fmt: skip
    refused = client.post(edit, data=sent)
    assert refused.status_code == 400
    page = refused.get_data(as_text=True)
    # The domain (permits.amendments.propose) names the field; the form shows it there.
    assert errors_of(page, "reason") == [REASON_REQUIRED[lang]]
    assert is_marked_invalid(page, "reason")
    assert value_of(page, "crew_size") == "150"  # what was typed is kept
    db.session.expire_all()
    assert db.session.scalars(select(Amendment)).all() == []
    assert db.session.get(Shoot, shoot.id).crew_size == 35

    saved = client.post(edit, data={**sent, "reason": "Figurants pour la scène du marché"})
    assert saved.status_code == 302, saved.get_data(as_text=True)
    (amendment,) = db.session.scalars(select(Amendment)).all()
    assert saved.location.endswith(f"/permits/amendments/{amendment.id}")
    shown = client.get(saved.location).get_data(as_text=True)
    assert BECAME_AMENDMENT[lang].format(id=amendment.id) in shown
    db.session.expire_all()
    assert db.session.get(Shoot, shoot.id).crew_size == 35  # the approved value stays in force
    assert amendment.crew_size == 150


COMMENT_FOR_REJECT = {
    "fr": "est obligatoire pour « Refuser »",
    "de": "ist für „Ablehnen“ erforderlich",
}


NOT_AGAIN = {
    "fr": "« Prendre en charge » n'est pas possible sur l'examen d'une modification au statut "
    "« en examen ».",
    "de": "„In Prüfung nehmen“ ist bei der Prüfung einer Änderung im Status „in Prüfung“ "
    "nicht möglich.",
}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_an_amendment_decision_refused_is_said_next_to_the_comment_on_its_page(
    client, login, token_for, approved_shoot, coordinator, officer, lang
):
    shoot, _permit = approved_shoot
    proposed = _patch(client, token_for(coordinator), shoot, crew_size=90, reason="Foule")
    amendment_id = proposed.get_json()["amendment"]["id"]
    login(officer)
    url = f"/permits/amendments/{amendment_id}/transition?lang={lang}"
    assert client.post(url, data={"action": "take_into_review"}).status_code == 302
    refused = client.post(url, data={"action": "reject", "comment": ""})
    assert refused.status_code == 400
    assert errors_of(refused.text, "comment") == [COMMENT_FOR_REJECT[lang]]
    assert is_marked_invalid(refused.text, "comment")
    again = client.post(url, data={"action": "take_into_review", "comment": "Vu"})
    assert again.status_code == 409  # no longer possible: said above the form, comment kept
    assert value_of(again.text, "comment") == "Vu"
    assert NOT_AGAIN[lang] in summary_of(again.text)
    db.session.expire_all()
    assert db.session.get(Amendment, amendment_id).status is AmendmentStatus.PENDING


def test_amendment_pages_compare_and_show_the_reason_literally(
    client, login, approved_shoot, coordinator, officer
):
    shoot, permit = approved_shoot
    hostile = "{{ 7*191 }} <script>window.pwned=1</script> {% raw %}"
    login(coordinator)
    form = client.get(f"/shoots/{shoot.id}/edit")
    assert form.status_code == 200 and 'name="reason"' in form.get_data(as_text=True)
    saved = client.post(
        f"/shoots/{shoot.id}/edit",
        data={
            "starts_at": "2027-06-14T07:00", "ends_at": "2027-06-15T03:00", "crew_size": "150",
            "vehicle_count": "4", "night_shoot": "y", "reason": hostile,
            "footprint": json.dumps(_square(*CITADEL)), "parking": "",
        },
    )  # fmt: skip
    assert saved.status_code == 302, saved.get_data(as_text=True)
    (amendment,) = db.session.scalars(select(Amendment)).all()
    assert saved.location.endswith(f"/permits/amendments/{amendment.id}")
    assert amendment.reason == hostile
    page = client.get(saved.location).get_data(as_text=True)
    assert "{{ 7*191 }}" in page and "1337" not in page
    assert "<script>window.pwned" not in page and "&lt;script&gt;window.pwned" in page
    assert "150" in page and "35" in page and "leaflet" in page.lower()
    client.post("/logout")
    login(officer)
    inbox = client.get("/permits/").get_data(as_text=True)
    assert f"/permits/amendments/{amendment.id}" in inbox
    request_page = client.get(f"/permits/{permit.id}").get_data(as_text=True)
    assert f"/permits/amendments/{amendment.id}" in request_page
    taken = client.post(
        f"/permits/amendments/{amendment.id}/transition", data={"action": "take_into_review"}
    )
    assert taken.status_code == 302
    client.post(f"/permits/amendments/{amendment.id}/transition", data={"action": "approve"})
    db.session.expire_all()
    assert amendment.status is AmendmentStatus.APPROVED and shoot.crew_size == 150
    versions_page = client.get(f"/permits/{permit.id}/versions").get_data(as_text=True)
    for version in versions_of(db.session, permit.id):
        assert version.content_hash in versions_page
        assert f"/permits/{permit.id}/versions/{version.number}.pdf" in versions_page
