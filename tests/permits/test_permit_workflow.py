import threading
from datetime import UTC, date, datetime, timedelta

import pytest
from flask.testing import FlaskClient
from werkzeug.exceptions import Forbidden

from core.auth.models import Role
from core.auth.operations import create_token, create_user
from core.db import db
from core.errors import Conflict, InvalidInput
from permits.leadtime import add_working_days, is_working_day
from permits.models import OutboxMessage, PermitCommuneSettings, PermitStatus
from permits.operations import create_requests
from permits.workflow import TRANSITIONS, apply_transition, available_transitions
from tests.conftest import BRUSSELS
from tests.permits.conftest import CITADEL, NAMUR, PROFONDEVILLE, pdf_bytes


def test_happy_path_to_approval_with_conditions(namur_permit, coordinator, officer):
    pid = namur_permit.id
    apply_transition(db.session, pid, "submit", coordinator)
    apply_transition(db.session, pid, "take_into_review", officer)
    permit = apply_transition(
        db.session, pid, "approve_with_conditions", officer, "Pas de tournage avant 8 h."
    )
    assert permit.status is PermitStatus.APPROVED_WITH_CONDITIONS
    assert permit.decision_comment == "Pas de tournage avant 8 h."
    assert permit.submitted_at is not None and permit.decided_at is not None
    assert [(e.action, e.to_status) for e in permit.events] == [
        ("create", "draft"),
        ("submit", "submitted"),
        ("take_into_review", "in_review"),
        ("approve_with_conditions", "approved_with_conditions"),
    ]
    assert permit.events[-1].actor_id == officer.id


def test_changes_requested_then_resubmitted(namur_permit, coordinator, officer):
    pid = namur_permit.id
    apply_transition(db.session, pid, "submit", coordinator)
    apply_transition(db.session, pid, "take_into_review", officer)
    apply_transition(db.session, pid, "request_changes", officer, "Ajoutez le plan de parking.")
    permit = apply_transition(db.session, pid, "resubmit", coordinator)
    assert permit.status is PermitStatus.SUBMITTED


def test_only_the_allowed_party_moves(namur_permit, coordinator, officer, make_user):
    pid = namur_permit.id
    with pytest.raises(Forbidden):
        apply_transition(db.session, pid, "submit", officer)
    apply_transition(db.session, pid, "submit", coordinator)
    for intruder in (
        coordinator,
        make_user("officer", commune=PROFONDEVILLE),
        make_user("admin"),
        make_user("coordinator"),
    ):
        with pytest.raises(Forbidden):
            apply_transition(db.session, pid, "take_into_review", intruder)
    assert [t.action for t in available_transitions(officer, namur_permit)] == [
        "take_into_review", "request_changes", "approve", "approve_with_conditions", "reject",
    ]  # fmt: skip
    assert [t.action for t in available_transitions(coordinator, namur_permit)] == ["withdraw"]


def test_impossible_move_is_a_conflict_naming_the_state(namur_permit, officer):
    with pytest.raises(Conflict) as caught:
        apply_transition(db.session, namur_permit.id, "approve", officer)
    assert caught.value.extra["current_status"] == "draft"
    assert "draft" in caught.value.detail


def test_reasons_are_required_to_reject(namur_permit, coordinator, officer):
    apply_transition(db.session, namur_permit.id, "submit", coordinator)
    apply_transition(db.session, namur_permit.id, "take_into_review", officer)
    with pytest.raises(InvalidInput) as caught:
        apply_transition(db.session, namur_permit.id, "reject", officer, "   ")
    assert caught.value.field == "comment"


def test_submitting_needs_the_insurance_certificate(create_shoot, production, request_shoots):
    shoot = create_shoot(*CITADEL, production=production)
    (permit,) = request_shoots(shoot, insured=False)
    coordinator = production.coordinators[0]
    with pytest.raises(InvalidInput) as caught:
        apply_transition(db.session, permit.id, "submit", coordinator)
    assert caught.value.field == "insurance"


def test_transition_table_has_one_target_per_state_and_action():
    pairs = [(t.source, t.action) for t in TRANSITIONS]
    assert len(pairs) == len(set(pairs))
    final = {PermitStatus.REJECTED, PermitStatus.WITHDRAWN}
    assert not [t for t in TRANSITIONS if t.source in final]


def test_working_days_skip_weekends_and_belgian_holidays():
    assert not is_working_day(date(2026, 12, 25))  # Christmas, a Friday
    assert not is_working_day(date(2027, 7, 21))  # national day
    assert is_working_day(date(2026, 12, 24))
    # Wednesday 23 December + 3 working days: 24 (Thu), [25 holiday, 26-27 weekend], 28, 29.
    assert add_working_days(date(2026, 12, 23), 3) == date(2026, 12, 29)
    assert add_working_days(date(2027, 3, 26), 1) == date(2027, 3, 30)  # Easter Monday 29 March


def test_late_submission_is_marked_and_announced(create_shoot, production, request_shoots):
    # At 10:00 (no night work), a crew above the fast track's: the commune's notice applies.
    soon = (datetime.now(UTC) + timedelta(days=4)).astimezone(BRUSSELS).replace(hour=10)
    shoot = create_shoot(*CITADEL, production=production, start=soon, crew_size=20)
    (permit,) = request_shoots(shoot)
    db.session.add(PermitCommuneSettings(commune_nis=NAMUR, notice_working_days=10))
    permit = apply_transition(db.session, permit.id, "submit", production.coordinators[0])
    assert permit.is_late and permit.notice_working_days == 10


def test_cli_sets_a_communes_notice(runner):
    result = runner.invoke(args=["permits", "notice", PROFONDEVILLE, "12", "--email", "a@b.be"])
    assert result.exit_code == 0, result.output
    settings = db.session.get(PermitCommuneSettings, PROFONDEVILLE)
    assert (settings.notice_working_days, settings.notification_email) == (12, "a@b.be")
    unknown = runner.invoke(args=["permits", "notice", "99999", "12"])
    too_long = runner.invoke(args=["permits", "notice", NAMUR, "500"])
    assert unknown.exit_code != 0 and "unknown commune" in unknown.output
    assert too_long.exit_code != 0 and "between 0 and 120" in too_long.output


def test_timely_submission_is_not_late(namur_permit, coordinator):
    permit = apply_transition(db.session, namur_permit.id, "submit", coordinator)
    assert not permit.is_late and permit.notice_working_days == 15


def test_submit_and_decisions_queue_notifications(namur_permit, coordinator, officer):
    pid = namur_permit.id
    apply_transition(db.session, pid, "submit", coordinator)
    to_officers = {m.recipient for m in db.session.query(OutboxMessage).filter_by(request_id=pid)}
    assert to_officers == {officer.email}
    apply_transition(db.session, pid, "take_into_review", officer)
    apply_transition(db.session, pid, "reject", officer, "Marché ce jour-là.")
    queued = db.session.query(OutboxMessage).filter_by(request_id=pid).order_by(OutboxMessage.id)
    rejected = queued.all()[1:]  # by id: a table's physical order is not the insertion order
    assert {m.recipient for m in rejected} == {coordinator.email, "prod@example.be"}
    assert all("Marché ce jour-là." in m.body for m in rejected)


@pytest.mark.parametrize("decision", ["approve", "approve_with_conditions", "reject"])
def test_an_officer_decides_a_submitted_request_in_one_step(
    namur_permit, coordinator, officer, decision
):
    apply_transition(db.session, namur_permit.id, "submit", coordinator)
    offered = {t.action for t in available_transitions(officer, namur_permit)}
    assert {"take_into_review", decision} <= offered  # reviewing first stays possible
    permit = apply_transition(db.session, namur_permit.id, decision, officer, "Pas avant 8 h.")
    assert permit.status is not PermitStatus.SUBMITTED and permit.decided_at is not None
    (event,) = [e for e in permit.events if e.action == decision]
    assert (event.from_status, event.to_status) == ("submitted", permit.status.value)
    told = db.session.query(OutboxMessage).filter_by(request_id=permit.id).all()
    assert coordinator.email in {m.recipient for m in told if "Pas avant 8 h." in m.body}


def test_a_draft_cannot_be_decided(namur_permit, officer):
    with pytest.raises(Conflict):
        apply_transition(db.session, namur_permit.id, "approve", officer)
    assert namur_permit.status is PermitStatus.DRAFT


def _committed_submitted_request(app):
    """A request in review, committed, and tokens of two officers of its commune."""
    from geoalchemy2.shape import from_shape
    from shapely.geometry import MultiPolygon, Point
    from sqlalchemy.dialects.postgresql import Range

    from core.db import SRID
    from permits.operations import attach_insurance
    from shoots.models import Production, ProductionType, Shoot
    from tests.conftest import to_lambert

    session = db.session
    coordinator = create_user(session, "race-coord@example.be", Role.COORDINATOR, password=None)
    officers = [
        create_user(session, f"race-o{i}@example.be", Role.OFFICER, commune_nis=NAMUR)
        for i in (1, 2)
    ]
    production = Production(
        title="Course", type=ProductionType.FEATURE, company="X", coordinators=[coordinator]
    )
    start = datetime(2027, 6, 14, 7, tzinfo=BRUSSELS)
    shoot = Shoot(
        production=production,
        footprint=from_shape(MultiPolygon([Point(*to_lambert(*CITADEL)).buffer(20)]), srid=SRID),
        period=Range(start, start + timedelta(hours=8), bounds="[)"),
    )
    session.add_all([production, shoot])
    session.flush()
    (permit,) = create_requests(session, production, [shoot.id], coordinator)
    attach_insurance(session, permit, "i.pdf", pdf_bytes())
    apply_transition(session, permit.id, "submit", coordinator)
    apply_transition(session, permit.id, "take_into_review", officers[0])
    tokens = [create_token(session, officer) for officer in officers]
    session.commit()
    return permit.id, tokens


def test_two_officers_deciding_at_once_one_wins_the_other_gets_409(committed_app):
    permit_id, tokens = _committed_submitted_request(committed_app)
    # Plain clients: each thread's requests push their own application context.
    committed_app.test_client_class = FlaskClient
    barrier = threading.Barrier(2, timeout=30)  # a failing thread must not hang the suite
    results: dict[str, int] = {}

    def decide(token: str, action: str, comment: str) -> None:
        client = committed_app.test_client()
        barrier.wait()
        response = client.post(
            f"/api/v1/permits/{permit_id}/transitions",
            json={"action": action, "comment": comment},
            headers={"Authorization": f"Bearer {token}"},
        )
        results[action] = response.status_code

    threads = [
        threading.Thread(target=decide, args=(tokens[0], "approve", "")),
        threading.Thread(target=decide, args=(tokens[1], "reject", "Non.")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(results.values()) == [200, 409]
    winner = next(a for a, code in results.items() if code == 200)
    client = committed_app.test_client()
    detail = client.get(
        f"/api/v1/permits/{permit_id}", headers={"Authorization": f"Bearer {tokens[0]}"}
    ).get_json()
    assert detail["status"] == {"approve": "approved", "reject": "rejected"}[winner]
