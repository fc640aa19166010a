"""The special-activity questionnaire, the commune's rule table, its services and the
documents a submission needs (permits.requirements, permits.documents)."""

from __future__ import annotations

import io
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select

from core.db import db
from core.errors import InvalidInput
from permits import documents, requirements
from permits.leadtime import add_working_days
from permits.leadtime import check as lead_check
from permits.models import (
    DEFAULT_FAST_TRACK_MAX_CREW,
    ActivityRule,
    OutboxMessage,
    PermitCommuneSettings,
    PermitStatus,
)
from permits.operations import attach_insurance
from permits.requirements import Rule, requirements_for, rules_for, save_rule
from permits.services import save_service
from permits.workflow import apply_transition
from shoots.activities import answers, declared, touches_night
from tests.conftest import BRUSSELS
from tests.permits.conftest import CITADEL, EUPEN, NAMUR, pdf_bytes

NOW = datetime(2027, 3, 1, 10, 0, tzinfo=BRUSSELS)
FIREWORKS = {"pyrotechnics": True}


def _at(hour: int, minute: int = 0, day: int = 14, month: int = 6) -> datetime:
    return datetime(2027, month, day, hour, minute, tzinfo=BRUSSELS)


@pytest.mark.parametrize(
    ("start", "end", "night"),
    [
        (_at(7), _at(21, 59), False),  # a day's work
        (_at(7), _at(22), False),  # ends as the night begins: half-open
        (_at(7), _at(22, 1), True),  # one minute into the night
        (_at(6, 59), _at(12), True),  # starts a minute before 07:00
        (_at(22), _at(23), True),
        (_at(3), _at(4), True),
        # The days of the DST changes keep 07:00 and 22:00 on the wall clock.
        (_at(7, day=31, month=10), _at(22, day=31, month=10), False),
        (_at(6, 59, day=31, month=10), _at(8, day=31, month=10), True),
        (_at(7, day=28, month=3), _at(22, day=28, month=3), False),
        (_at(21, 59, day=28, month=3), _at(22, 1, day=28, month=3), True),
    ],
)  # fmt: skip
def test_night_work_is_22_to_7_brussels_time(start, end, night):
    assert touches_night(start, end) is night


def test_a_shoot_declares_its_flags_answers_and_night(create_shoot):
    shoot = create_shoot(*CITADEL, road_closure=True, activities={"stunts": True})
    assert declared(shoot) == ("stunts", "road_closure")
    late = create_shoot(*CITADEL, start=_at(15), hours=8, activities={"parking_spaces": 4})
    assert declared(late) == ("night_work", "parking_suspension")
    assert declared(create_shoot(*CITADEL, activities={"public_domain_m2": 0.5})) == (
        "public_domain",
    )
    assert declared(create_shoot(*CITADEL)) == ()


def test_commune_rules_replace_the_defaults_activity_by_activity(app):
    defaults = rules_for(db.session, NAMUR)
    assert defaults["pyrotechnics"] == Rule(
        "pyrotechnics", 10, ("safety_plan", "fire_service_report"), ("police_zone", "fire_zone"),
        allows_fast_track=False,
    )  # fmt: skip
    save_rule(db.session, NAMUR, Rule("pyrotechnics", 20, ("safety_plan",), ("fire_zone",)))
    namur, eupen = rules_for(db.session, NAMUR), rules_for(db.session, EUPEN)
    assert namur["pyrotechnics"].extra_working_days == 20
    assert namur["pyrotechnics"].commune_nis == NAMUR and namur["drones"] == defaults["drones"]
    assert eupen["pyrotechnics"] == defaults["pyrotechnics"]
    requirements.reset_rule(db.session, NAMUR, "pyrotechnics")
    assert rules_for(db.session, NAMUR)["pyrotechnics"] == defaults["pyrotechnics"]


def test_saving_a_rule_twice_keeps_one_row(app):
    for days in (3, 4):
        save_rule(db.session, NAMUR, Rule("animals", days))
    rows = db.session.scalars(select(ActivityRule).where(ActivityRule.commune_nis == NAMUR)).all()
    assert [(r.activity, r.extra_working_days) for r in rows] == [("animals", 4)]


@pytest.mark.parametrize(
    ("rule", "field"),
    [
        (Rule("fireworks"), "activity"),
        (Rule("animals", -1), "extra_working_days"),
        (Rule("animals", 121), "extra_working_days"),
        (Rule("animals", documents=("{{ 7*7 }}",)), "documents"),
        (Rule("animals", services=("army",)), "services"),
    ],
)
def test_a_bad_rule_is_refused_naming_its_field(app, rule, field):
    with pytest.raises(InvalidInput) as caught:
        save_rule(db.session, NAMUR, rule)
    assert caught.value.field == field


def test_fireworks_and_a_road_closure_in_namur(create_shoot, production, request_shoots):
    """The issue's case: extra documents and notice, police and fire copied, no fast track."""
    shoot = create_shoot(*CITADEL, production=production, road_closure=True, activities=FIREWORKS)
    (permit,) = request_shoots(shoot)
    needs = requirements_for(db.session, permit)
    assert needs.activities == ("pyrotechnics", "road_closure")
    assert needs.extra_working_days == 10  # the larger of the two rules, not their sum
    assert needs.documents == ("safety_plan", "fire_service_report")
    assert needs.services == ("police_zone", "fire_zone", "road_manager")
    assert not needs.fast_track and needs.fast_track_blockers == ("pyrotechnics", "road_closure")
    check = lead_check(db.session, permit, NOW)
    assert check.working_days == 15 + 10
    assert check.earliest_allowed_day == add_working_days(NOW.date(), 25)


def test_a_small_quiet_shoot_takes_the_fast_track(create_shoot, production, request_shoots):
    shoot = create_shoot(*CITADEL, production=production, crew_size=DEFAULT_FAST_TRACK_MAX_CREW)
    (permit,) = request_shoots(shoot)
    needs = requirements_for(db.session, permit)
    assert needs.fast_track and needs.documents == ()
    assert lead_check(db.session, permit, NOW).working_days == 5


@pytest.mark.parametrize(
    ("fields", "blocker"),
    [
        ({"crew_size": DEFAULT_FAST_TRACK_MAX_CREW + 1}, "crew"),  # just above the limit
        ({"special_effects": True}, "special_effects"),
        ({"activities": {"public_domain_m2": 1}}, "public_domain"),
    ],
)
def test_the_fast_track_closes(create_shoot, production, request_shoots, fields, blocker):
    (permit,) = request_shoots(create_shoot(*CITADEL, production=production, **fields))
    needs = requirements_for(db.session, permit)
    assert not needs.fast_track and blocker in needs.fast_track_blockers
    assert lead_check(db.session, permit, NOW).working_days >= 15


def test_the_fast_track_follows_the_communes_settings(create_shoot, production, request_shoots):
    db.session.add(
        PermitCommuneSettings(commune_nis=NAMUR, fast_track_working_days=3, fast_track_max_crew=2)
    )
    (small,) = request_shoots(create_shoot(*CITADEL, production=production, crew_size=2))
    assert lead_check(db.session, small, NOW).working_days == 3
    (bigger,) = request_shoots(
        create_shoot(*CITADEL, start=_at(7, day=21), production=production, crew_size=3)
    )
    assert lead_check(db.session, bigger, NOW).working_days == 15


def _fireworks_permit(create_shoot, production, request_shoots):
    shoot = create_shoot(*CITADEL, production=production, road_closure=True, activities=FIREWORKS)
    return request_shoots(shoot)[0]


def test_submission_waits_for_the_documents_the_rules_ask(
    create_shoot, production, request_shoots, coordinator
):
    permit = _fireworks_permit(create_shoot, production, request_shoots)
    with pytest.raises(InvalidInput) as caught:
        apply_transition(db.session, permit.id, "submit", coordinator)
    assert caught.value.field == "documents"
    assert caught.value.extra["missing"] == ["safety_plan", "fire_service_report"]
    assert "safety plan, fire-service report" in caught.value.detail
    documents.attach_document(
        db.session, production, coordinator, "safety_plan", "plan.pdf", pdf_bytes()
    )
    with pytest.raises(InvalidInput) as caught:
        apply_transition(db.session, permit.id, "submit", coordinator)
    assert caught.value.extra["missing"] == ["fire_service_report"]
    documents.attach_document(
        db.session, production, coordinator, "fire_service_report", "avis.pdf", pdf_bytes(),
        request=permit,
    )  # fmt: skip
    assert apply_transition(db.session, permit.id, "submit", coordinator).status is (
        PermitStatus.SUBMITTED
    )


def test_a_document_counts_only_when_it_covers_every_shoot_day(
    create_shoot, production, request_shoots, coordinator
):
    """The shoot runs on 14 June 07:00 – 15 June 00:00: its last day is the 14th."""
    shoot = create_shoot(*CITADEL, production=production, special_effects=True, hours=17)
    (permit,) = request_shoots(shoot)

    def missing_with(valid_from: date | None, valid_until: date | None) -> list[str]:
        document = documents.attach_document(
            db.session, production, coordinator, "safety_plan", "p.pdf", pdf_bytes(),
            valid_from, valid_until,
        )  # fmt: skip
        found = documents.missing_documents(db.session, permit, ("safety_plan",))
        db.session.delete(document)
        db.session.flush()
        return found

    june_14 = date(2027, 6, 14)
    assert missing_with(june_14, june_14) == []  # just inside, both ends
    assert missing_with(june_14 + timedelta(days=1), None) == ["safety_plan"]
    assert missing_with(None, june_14 - timedelta(days=1)) == ["safety_plan"]
    assert missing_with(None, None) == []


def test_another_productions_document_does_not_count(
    create_shoot, production, request_shoots, coordinator, create_production
):
    permit = _fireworks_permit(create_shoot, production, request_shoots)
    other = create_production()
    for kind in ("safety_plan", "fire_service_report"):
        documents.attach_document(db.session, other, coordinator, kind, "x.pdf", pdf_bytes())
    assert documents.missing_documents(db.session, permit, ("safety_plan",)) == ["safety_plan"]


@pytest.mark.parametrize(
    ("data", "field"),
    [
        (b"", "file"),
        (b"%PDF-1.7 not really", "file"),
        (b"<svg onload=alert(1)>", "file"),
        (b"{{ 7*7 }}", "file"),
    ],
)
def test_a_document_must_be_a_readable_pdf_or_image(app, production, coordinator, data, field):
    with pytest.raises(InvalidInput) as caught:
        documents.attach_document(db.session, production, coordinator, "safety_plan", "x", data)
    assert caught.value.field == field


def test_a_document_of_an_unknown_kind_or_backwards_validity_is_refused(
    app, production, coordinator
):
    with pytest.raises(InvalidInput) as caught:
        documents.attach_document(db.session, production, coordinator, "selfie", "x", pdf_bytes())
    assert caught.value.field == "kind"
    with pytest.raises(InvalidInput) as caught:
        documents.attach_document(
            db.session, production, coordinator, "safety_plan", "x", pdf_bytes(),
            date(2027, 6, 2), date(2027, 6, 1),
        )  # fmt: skip
    assert caught.value.field == "valid_until"


def test_submission_copies_the_services_the_rules_name(
    create_shoot, production, request_shoots, coordinator
):
    save_service(db.session, NAMUR, "police_zone", {
        "name": "Zone de police Namur Capitale", "email": "police@namur.example",
    })  # fmt: skip
    save_service(db.session, NAMUR, "fire_zone", {"name": "Zone NAGE", "email": "nage@example.be"})
    save_service(db.session, NAMUR, "road_manager", {"name": "SPW Mobilité"})  # no mailbox
    save_service(db.session, NAMUR, "commune_office", {"name": "Ville", "email": "v@namur.example"})
    permit = _fireworks_permit(create_shoot, production, request_shoots)
    for kind in ("safety_plan", "fire_service_report"):
        documents.attach_document(db.session, production, coordinator, kind, "x.pdf", pdf_bytes())
    apply_transition(db.session, permit.id, "submit", coordinator)
    copied = db.session.scalars(
        select(OutboxMessage.recipient).where(
            OutboxMessage.request_id == permit.id,
            OutboxMessage.recipient_user_id.is_(None),  # not an officer's own address
            OutboxMessage.body.contains("les règles de la commune demandent"),  # Namur: French
        )
    ).all()
    # The commune office is not asked for: no public domain is used.
    assert sorted(copied) == ["nage@example.be", "police@namur.example"]


def test_a_service_needs_a_name_and_a_real_mailbox(app):
    with pytest.raises(InvalidInput) as caught:
        save_service(db.session, NAMUR, "police_zone", {"name": " "})
    assert caught.value.field == "name"
    with pytest.raises(InvalidInput) as caught:
        save_service(db.session, NAMUR, "police_zone", {"name": "Z", "email": "not an address"})
    assert caught.value.field == "email"
    with pytest.raises(InvalidInput) as caught:
        save_service(db.session, NAMUR, "army", {"name": "Z"})
    assert caught.value.field == "kind"


def test_stored_answers_leave_out_the_defaults(client, token_for, coordinator, production):
    body = {
        "production_id": production.id,
        "starts_at": "2027-06-14T07:00",
        "ends_at": "2027-06-14T17:00",
        "footprint": {
            "type": "Polygon",
            "coordinates": [[[4.861, 50.459], [4.862, 50.459], [4.862, 50.460], [4.861, 50.459]]],
        },
        "activities": {"stunts": True, "animals": False, "streets": ["Rue des Remparts"]},
    }
    created = client.post("/api/v1/shoots", json=body, headers=token_for(coordinator))
    assert created.status_code == 201, created.get_json()
    shoot_id = created.get_json()["id"]
    stored = db.session.get(requirements.Shoot, shoot_id)
    assert stored.activities == {"stunts": True, "streets": ["Rue des Remparts"]}
    assert answers(stored.activities).animals is False
    for bad in ({"stunts": "yes"}, {"parking_spaces": 10**12}, {"public_domain_m2": "NaN"},
                {"streets": ["x" * 121]}, {"lasers": True}):  # fmt: skip
        refused = client.post(
            "/api/v1/shoots", json={**body, "activities": bad}, headers=token_for(coordinator)
        )
        assert refused.status_code == 400, bad
        assert refused.get_json()["field"].startswith("activities"), refused.get_json()


# ---- over HTTP --------------------------------------------------------------------------------


def test_a_communes_rules_are_public_and_its_officers_change_them(
    client, token_for, officer, make_user
):
    listed = client.get(f"/api/v1/permits/communes/{NAMUR}/rules").get_json()
    drones = next(rule for rule in listed["rules"] if rule["activity"] == "drones")
    assert drones == {
        "activity": "drones", "extra_working_days": 10,
        "documents": ["drone_authorisation", "flight_plan"], "services": ["police_zone"],
        "allows_fast_track": False, "own": False,
    }  # fmt: skip
    url = f"/api/v1/permits/communes/{NAMUR}/rules/drones"
    body = {"extra_working_days": 20, "documents": ["flight_plan"], "services": []}
    assert client.put(url, json=body).status_code == 401
    eupen_officer = make_user("officer", commune=EUPEN)
    assert client.put(url, json=body, headers=token_for(eupen_officer)).status_code == 403
    saved = client.put(url, json=body, headers=token_for(officer))
    assert saved.status_code == 200 and saved.get_json()["own"] is True
    assert rules_for(db.session, NAMUR)["drones"].documents == ("flight_plan",)
    for bad, field in (
        ({**body, "extra_working_days": 2**31}, "extra_working_days"),
        ({**body, "documents": ["{{ 7*7 }}"]}, "documents.0"),
        ({**body, "extra_working_days": True}, "extra_working_days"),
    ):
        refused = client.put(url, json=bad, headers=token_for(officer))
        assert (refused.status_code, refused.get_json()["field"]) == (400, field)
    unknown = client.put(
        f"/api/v1/permits/communes/{NAMUR}/rules/lasers", json=body, headers=token_for(officer)
    )
    assert unknown.status_code == 404  # no such activity: no such rule
    assert client.get("/api/v1/permits/communes/99999/rules").status_code == 404
    reset = client.delete(url, headers=token_for(officer)).get_json()
    assert next(r for r in reset["rules"] if r["activity"] == "drones")["own"] is False


def test_a_communes_services_directory_over_http(client, token_for, officer):
    url = f"/api/v1/permits/communes/{NAMUR}/services/police_zone"
    hostile = "</script><script>alert(1)</script>{{ 7*7 }}"
    saved = client.put(url, json={"name": hostile, "email": "p@namur.example"},
                       headers=token_for(officer))  # fmt: skip
    assert saved.status_code == 200
    assert saved.get_json()["services"][0]["name"] == hostile  # data, kept as typed
    listed = client.get(f"/api/v1/permits/communes/{NAMUR}/services").get_json()
    assert [s["kind"] for s in listed["services"]] == ["police_zone"]
    refused = client.put(url, json={"name": "Z", "email": "nope"}, headers=token_for(officer))
    assert (refused.status_code, refused.get_json()["field"]) == (400, "email")


def test_documents_over_http(
    client, token_for, create_shoot, production, request_shoots, coordinator, officer, make_user
):
    permit = _fireworks_permit(create_shoot, production, request_shoots)
    url = f"/api/v1/permits/{permit.id}/documents"

    def upload(who, **fields):
        data = {"file": (io.BytesIO(pdf_bytes()), '"plan</script>{{7*7}}.pdf'), **fields}
        return client.post(url, data=data, headers=token_for(who))

    assert upload(make_user("coordinator"), kind="safety_plan").status_code == 404
    assert upload(officer, kind="safety_plan").status_code == 403
    refused = upload(coordinator, kind="selfie")
    assert (refused.status_code, refused.get_json()["field"]) == (400, "kind")
    backwards = upload(
        coordinator, kind="safety_plan", valid_from="2027-06-02", valid_until="2027-06-01"
    )
    assert (backwards.status_code, backwards.get_json()["field"]) == (400, "valid_until")
    expired = upload(coordinator, kind="safety_plan", valid_until="2027-06-13").get_json()
    assert expired["covers_the_shoot_days"] is False and expired["scope"] == "production"
    detail = client.get(f"/api/v1/permits/{permit.id}", headers=token_for(coordinator)).get_json()
    assert detail["checklist"]["documents"] == [
        {"kind": "safety_plan", "covered": False},
        {"kind": "fire_service_report", "covered": False},
    ]
    assert detail["checklist"]["ready_to_submit"] is False
    assert detail["lead_time"]["working_days"] == 25 and not detail["lead_time"]["fast_track"]
    for kind in ("safety_plan", "fire_service_report"):
        created = upload(coordinator, kind=kind, valid_until="9999-12-31", scope="request")
        assert created.status_code == 201 and created.get_json()["covers_the_shoot_days"]
    detail = client.get(f"/api/v1/permits/{permit.id}", headers=token_for(officer)).get_json()
    assert detail["checklist"]["ready_to_submit"] is True
    file = client.get(detail["checklist"]["uploaded"][0]["url"], headers=token_for(officer))
    assert file.status_code == 200 and file.mimetype == "application/pdf"
    assert file.headers["Content-Disposition"].startswith('attachment; filename="document-')
    assert "script" not in file.headers["Content-Disposition"]
    other = make_user("coordinator")
    assert (
        client.get(detail["checklist"]["uploaded"][0]["url"], headers=token_for(other)).status_code
        == 404
    )


def test_the_insurance_must_cover_every_shoot_day(
    create_shoot, production, request_shoots, coordinator
):
    """The shoot: 14 June 2027 07:00 – 17:00. A cover ending the day before refuses it."""
    (permit,) = request_shoots(create_shoot(*CITADEL, production=production, crew_size=20),
                               insured=False)  # fmt: skip
    june_14 = date(2027, 6, 14)
    day_before = june_14 - timedelta(days=1)
    attach_insurance(db.session, permit, "i.pdf", pdf_bytes(), date(2027, 1, 1), day_before)
    with pytest.raises(InvalidInput) as caught, db.session.begin_nested():
        apply_transition(db.session, permit.id, "submit", coordinator)
    assert caught.value.field == "insurance" and "every shoot day" in caught.value.detail
    with pytest.raises(InvalidInput) as caught:
        attach_insurance(db.session, permit, "i.pdf", pdf_bytes(), june_14, day_before)
    assert caught.value.field == "valid_until"
    attach_insurance(db.session, permit, "i.pdf", pdf_bytes(), june_14, june_14)  # just inside
    assert apply_transition(db.session, permit.id, "submit", coordinator).status is (
        PermitStatus.SUBMITTED
    )
