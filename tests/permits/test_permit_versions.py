"""Frozen versions of a request, and the workflow's moves derived from one table."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from core.db import db
from permits import transitions
from permits.models import Audience, OutboxMessage
from permits.models import PermitStatus as S
from permits.schemas import AmendmentTransitionBody, TransitionBody
from permits.versions import canonical_json, content_hash, versions_of
from permits.workflow import apply_transition


def test_submission_and_each_decision_freeze_a_version(namur_permit, coordinator, officer):
    pid = namur_permit.id
    apply_transition(db.session, pid, "submit", coordinator)
    apply_transition(db.session, pid, "take_into_review", officer)  # not a decision
    apply_transition(db.session, pid, "request_changes", officer, "Plan de parking ?")
    namur_permit.parts[0].shoot.crew_size = 41  # sent back: the production edits in place
    apply_transition(db.session, pid, "resubmit", coordinator)
    apply_transition(db.session, pid, "take_into_review", officer)
    apply_transition(db.session, pid, "approve", officer)
    found = versions_of(db.session, pid)
    assert [(v.number, v.action, v.status) for v in found] == [
        (1, "submit", "submitted"),
        (2, "request_changes", "changes_requested"),
        (3, "resubmit", "submitted"),
        (4, "approve", "approved"),
    ]
    assert [v.data["shoots"][0]["crew_size"] for v in found] == [40, 40, 41, 41]
    assert found[1].data["request"]["decision_comment"] == "Plan de parking ?"
    for version in found:
        assert version.content_hash == content_hash(version.data)
    assert len({v.content_hash for v in found}) == 4
    assert found[-1].data["request"]["insurance"]["filename"] == "insurance.pdf"
    assert found[-1].data["shoots"][0]["site_plan"].startswith("<svg")


def test_a_draft_has_no_version_and_its_document_says_so(
    client, token_for, namur_permit, coordinator
):
    assert versions_of(db.session, namur_permit.id) == []
    page = client.get(f"/permits/{namur_permit.id}/document", headers=token_for(coordinator))
    assert "pas encore une version soumise à la commune" in page.get_data(as_text=True)


def test_the_content_hash_is_sha256_of_canonical_json():
    data = {"b": [1, 2.5, None], "a": "é"}
    assert canonical_json(data) == '{"a":"é","b":[1,2.5,null]}'.encode()
    assert content_hash(data) == content_hash({"a": "é", "b": [1, 2.5, None]})
    assert content_hash(data) != content_hash({**data, "a": "e"})


def test_versions_api_lists_them_with_their_pdfs(client, token_for, namur_permit, coordinator,
                                                 officer):  # fmt: skip
    apply_transition(db.session, namur_permit.id, "submit", coordinator)
    headers = token_for(officer)
    listed = client.get(f"/api/v1/permits/{namur_permit.id}/versions", headers=headers)
    assert listed.status_code == 200
    (version,) = listed.get_json()["versions"]
    assert version["number"] == 1 and len(version["content_hash"]) == 64
    one = client.get(version["links"]["self"], headers=headers).get_json()
    assert one["data"]["request"]["id"] == namur_permit.id
    assert content_hash(one["data"]) == version["content_hash"]  # anyone can check it
    pdf = client.get(version["links"]["pdf"], headers=headers)
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    words = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.data)).pages)
    assert version["content_hash"] in "".join(words.split())
    missing = client.get(f"/api/v1/permits/{namur_permit.id}/versions/2", headers=headers)
    assert missing.status_code == 404
    detail = client.get(f"/api/v1/permits/{namur_permit.id}", headers=headers).get_json()
    assert detail["links"]["versions"] == f"/api/v1/permits/{namur_permit.id}/versions"


@pytest.mark.parametrize(
    "statement",
    ["UPDATE permit_request_versions SET status = 'x'", "DELETE FROM permit_request_versions"],
)
def test_versions_refuse_updates_and_deletes_even_to_their_owner(owner_engine, statement):
    """The app's role may only insert and read them (tests/test_db_roles.py); the trigger also
    stops the owner, as in a single-role install."""
    with owner_engine.connect() as owner, owner.begin() as transaction:
        owner.execute(
            text(
                "INSERT INTO permit_request_versions (request_id, number, action, status, data, "
                "content_hash) VALUES (1, 1, 'submit', 'submitted', '{}', repeat('0', 64))"
            )
        )
        savepoint = owner.begin_nested()
        with pytest.raises(DBAPIError, match="append-only"):
            owner.execute(text(statement))
        savepoint.rollback()
        assert owner.scalar(text("SELECT count(*) FROM permit_request_versions")) == 1
        transaction.rollback()


# ---- the moves, from one table --------------------------------------------------------------


def test_schemas_labels_and_audiences_come_from_the_transitions():
    actions = [t.action for t in transitions.TRANSITIONS]
    assert TransitionBody.model_json_schema()["properties"]["action"]["enum"] == list(
        dict.fromkeys(actions)
    )
    amending = AmendmentTransitionBody.model_json_schema()["properties"]["action"]["enum"]
    assert amending == ["take_into_review", "approve", "approve_with_conditions", "reject",
                        "withdraw"]  # fmt: skip
    assert set(transitions.ACTION_LABELS) == set(actions)
    for move in transitions.TRANSITIONS:
        if move.decides:
            assert move.notifies is Audience.APPLICANTS
            assert move.source in transitions.AWAITING_DECISION  # reviewed first, or not
        if move.target in (S.SUBMITTED, S.WITHDRAWN):
            assert move.notifies is Audience.OFFICERS
    assert not [t for t in transitions.TRANSITIONS if t.needs_comment and not t.decides]


def test_taking_into_review_tells_nobody(namur_permit, coordinator, officer):
    apply_transition(db.session, namur_permit.id, "submit", coordinator)
    before = db.session.query(OutboxMessage).count()
    apply_transition(db.session, namur_permit.id, "take_into_review", officer)
    assert db.session.query(OutboxMessage).count() == before
