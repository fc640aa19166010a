"""Concurrent decisions on one amendment, on the real database with one connection per officer.

Moves on an amendment take its row lock first: the last commune to approve waits for the other
and then sees its decision, so the amendment is applied exactly once; two officers of one
commune deciding at once get one success and one 409.
"""

from __future__ import annotations

import threading
from datetime import datetime, timedelta

from flask.testing import FlaskClient
from geoalchemy2.shape import from_shape
from shapely.geometry import MultiPolygon, Point
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import Range

from core.auth.models import Role
from core.auth.operations import create_token, create_user
from core.db import SRID, db
from permits.models import Amendment, AmendmentStatus, PermitRequest, PermitStatus
from permits.operations import attach_insurance, create_requests
from permits.workflow import apply_transition, decide_amendment
from shoots.models import Production, ProductionType, Shoot
from shoots.operations.shoots import update_shoot
from shoots.schemas import ShootPatch
from tests.conftest import BRUSSELS, to_lambert
from tests.permits.conftest import CITADEL, EUPEN, EUPEN_CENTRE, NAMUR, pdf_bytes


def _square(lon: float, lat: float, half: float = 0.0003) -> dict:
    corners = [(-1, -1), (1, -1), (1, 1), (-1, 1), (-1, -1)]
    return {
        "type": "Polygon",
        "coordinates": [[[lon + dx * half, lat + dy * half] for dx, dy in corners]],
    }


def _committed_amendment(footprint: dict) -> tuple[int, dict[str, str]]:
    """An approved Namur request whose shoot an amendment moves to FOOTPRINT, both reviews in
    review, committed; API tokens of two Namur officers and one of Eupen."""
    session = db.session
    coordinator = create_user(session, "race-c@example.be", Role.COORDINATOR, password=None)
    officers = {
        name: create_user(session, f"race-{name}@example.be", Role.OFFICER, commune_nis=nis)
        for name, nis in (("namur1", NAMUR), ("namur2", NAMUR), ("eupen", EUPEN))
    }
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
    apply_transition(session, permit.id, "take_into_review", officers["namur1"])
    apply_transition(session, permit.id, "approve", officers["namur1"])
    patch = ShootPatch(footprint=footprint, reason="Le décor change")
    amendment_id = update_shoot(session, coordinator, shoot, patch).amendment["id"]
    for officer in (officers["namur1"], officers["eupen"]):
        if officer.commune_nis in {r.commune_nis for r in _reviews(amendment_id)}:
            decide_amendment(session, amendment_id, "take_into_review", officer)
    tokens = {name: create_token(session, officer) for name, officer in officers.items()}
    session.commit()
    return amendment_id, tokens


def _reviews(amendment_id: int):
    return db.session.get(Amendment, amendment_id).reviews


def _at_once(app, amendment_id: int, moves: list[tuple[str, str, str]]) -> dict[str, int]:
    """Each (token, action, comment) sent by its own thread, released together."""
    app.test_client_class = FlaskClient  # each thread's requests push their own context
    barrier = threading.Barrier(len(moves), timeout=30)
    results: dict[str, int] = {}

    def move(token: str, action: str, comment: str) -> None:
        client = app.test_client()
        barrier.wait()
        response = client.post(
            f"/api/v1/amendments/{amendment_id}/transitions",
            json={"action": action, "comment": comment},
            headers={"Authorization": f"Bearer {token}"},
        )
        results[token] = response.status_code

    threads = [threading.Thread(target=move, args=args) for args in moves]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def test_two_communes_approving_at_once_apply_the_amendment_once(committed_app):
    amendment_id, tokens = _committed_amendment(_square(*EUPEN_CENTRE))
    results = _at_once(
        committed_app,
        amendment_id,
        [(tokens["namur1"], "approve", ""), (tokens["eupen"], "approve", "")],
    )
    assert sorted(results.values()) == [200, 200]
    db.session.expire_all()
    assert db.session.get(Amendment, amendment_id).status is AmendmentStatus.APPROVED
    requests = db.session.scalars(select(PermitRequest).order_by(PermitRequest.id)).all()
    assert [(r.commune_nis, r.status) for r in requests] == [
        (NAMUR, PermitStatus.WITHDRAWN),
        (EUPEN, PermitStatus.APPROVED),
    ]


def test_two_officers_of_one_commune_deciding_at_once_one_wins(committed_app):
    amendment_id, tokens = _committed_amendment(_square(*CITADEL, 0.0002))
    results = _at_once(
        committed_app,
        amendment_id,
        [(tokens["namur1"], "approve", ""), (tokens["namur2"], "reject", "Non.")],
    )
    assert sorted(results.values()) == [200, 409]
    db.session.expire_all()
    status = db.session.get(Amendment, amendment_id).status
    winner = tokens["namur1"] if results[tokens["namur1"]] == 200 else tokens["namur2"]
    expected = AmendmentStatus.APPROVED if winner == tokens["namur1"] else AmendmentStatus.REJECTED
    assert status is expected
