import pytest
from flask_login import login_user
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from core.db import db
from permits.models import AuditEntry
from tests.permits.conftest import CITADEL


def _entries(table: str, row_id: int) -> list[AuditEntry]:
    return list(
        db.session.scalars(
            select(AuditEntry)
            .where(AuditEntry.table_name == table, AuditEntry.row_id == str(row_id))
            .order_by(AuditEntry.id)
        )
    )


def test_shoot_changes_are_recorded_with_who_before_and_after(
    app, create_shoot, production, coordinator
):
    shoot = create_shoot(*CITADEL, production=production, crew_size=10)
    with app.test_request_context():
        login_user(coordinator)
        shoot.crew_size = 25
        db.session.flush()
    db.session.delete(shoot)
    db.session.flush()
    insert, update, delete = _entries("shoots", shoot.id)
    assert (insert.operation, update.operation, delete.operation) == ("INSERT", "UPDATE", "DELETE")
    assert update.actor_id == coordinator.id
    assert (update.before["crew_size"], update.after["crew_size"]) == (10, 25)
    assert delete.after is None and delete.before["crew_size"] == 25


def test_api_transition_is_audited_with_the_acting_user(
    client, namur_permit, coordinator, token_for
):
    response = client.post(
        f"/api/v1/permits/{namur_permit.id}/transitions",
        json={"action": "submit"},
        headers=token_for(coordinator),
    )
    assert response.status_code == 200, response.get_json()
    update = _entries("permit_requests", namur_permit.id)[-1]
    assert update.actor_id == coordinator.id
    assert (update.before["status"], update.after["status"]) == ("draft", "submitted")
    assert "insurance_pdf" not in update.after  # uploaded files are not copied into the log
    history = client.get(
        f"/api/v1/permits/{namur_permit.id}/history", headers=token_for(coordinator)
    ).get_json()
    assert [e["action"] for e in history["timeline"]] == ["create", "submit"]
    status_change = [a for a in history["audit"] if "status" in a["changes"]]
    assert status_change[-1]["changes"]["status"] == {"before": "draft", "after": "submitted"}
    assert status_change[-1]["actor"] == coordinator.email
    page = client.get(f"/permits/{namur_permit.id}", headers=token_for(coordinator))
    assert coordinator.email in page.get_data(as_text=True)


@pytest.mark.parametrize(
    "statement",
    ["UPDATE audit_log SET actor_id = 0", "DELETE FROM audit_log"],
)
def test_the_audit_log_refuses_updates_and_deletes_even_to_its_owner(owner_engine, statement):
    """The app's role has no such privilege (tests/test_db_roles.py); the trigger also stops
    the owner, as in a single-role install."""
    with owner_engine.connect() as owner, owner.begin() as transaction:
        owner.execute(
            text("INSERT INTO audit_log (table_name, operation) VALUES ('shoots', 'INSERT')")
        )
        savepoint = owner.begin_nested()
        with pytest.raises(DBAPIError, match="append-only"):
            owner.execute(text(statement))
        savepoint.rollback()
        assert owner.scalar(text("SELECT count(*) FROM audit_log WHERE actor_id = 0")) == 0
        transaction.rollback()
