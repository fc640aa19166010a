"""Amendments: changing a shoot that communes have before them, decided by those communes.

A shoot in a submitted, in-review or approved request (BINDING_STATUSES) keeps its values:
editing it stores the shoot as it would be (an Amendment) and opens one review per concerned
commune: each commune holding the shoot in such a request, and each commune the change brings
the shoot onto. The reviews move with the request workflow's actions (permits.transitions,
applied by permits.workflow). Until every review is approved the shoot, its requests, their
documents and every public view keep the approved values. Then the proposal is applied to the
shoot (the conflict engine checks it again, under the area's lock) and the requests follow the
shoot: their parts recomputed, a request (decided as its review was) for each commune newly
reached, a request left without shoots withdrawn, each changed request frozen as a new version.
One refusal rejects the amendment: the approved version stays.

Draft requests (and those sent back for changes) follow an edit in place the same way.
This module is the shoots package's keeper (shoots.operations.holds), installed by permits.init_app.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from flask import url_for
from flask_babel import gettext as _
from geoalchemy2.shape import from_shape, to_shape
from sqlalchemy import exists, func, select
from sqlalchemy.dialects.postgresql import Range
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.auth.models import Role, User
from core.db import SRID
from core.errors import Conflict, InvalidInput, NotFound
from core.geo import as_geojson, as_multipolygon
from locations.models import Location
from permits import transitions, versions
from permits.models import (
    APPROVED_STATUSES,
    BINDING_STATUSES,
    EDITABLE_STATUSES,
    LIVE_STATUSES,
    STATUS_LABELS,
    Amendment,
    AmendmentReview,
    AmendmentStatus,
    AuditEntry,
    PermitEvent,
    PermitRequest,
    PermitShoot,
    PermitStatus,
)
from permits.operations import Part, geometry, split_by_commune
from shoots.models import Shoot, production_coordinators
from shoots.operations import shoots as shoot_ops
from shoots.operations.conflicts import Candidate
from shoots.operations.holds import Proposal
from shoots.operations.inputs import local_iso

OPEN_STATUSES = (PermitStatus.DRAFT, PermitStatus.SUBMITTED, PermitStatus.IN_REVIEW)


# ---- the shoots package's keeper (shoots.operations.holds.Keeper) ---------------------------


class PermitKeeper:
    """What permits tells shoots about the shoots its requests hold."""

    def binds(self, session: Session, shoot: Shoot) -> bool:
        return bool(session.scalar(select(_held(shoot.id, BINDING_STATUSES))))

    def refuse_removal(self, session: Session, shoot_ids: list[int]) -> None:
        held = _holding(session, shoot_ids, LIVE_STATUSES)
        if not held:
            return
        request, part = held[0]
        raise Conflict(
            _(
                "Shoot %(shoot)s is in permit request no. %(id)s (%(commune)s, %(status)s): "
                "withdraw the request first, or cancel the shoot instead (once a commune has it "
                "before it, cancelling is an amendment the commune decides).",
                shoot=part.shoot_id,
                id=request.id,
                commune=request.commune.name(),
                status=STATUS_LABELS[request.status],
            ),
            requests=[
                {
                    "id": r.id,
                    "shoot_id": p.shoot_id,
                    "commune_nis": r.commune_nis,
                    "status": r.status.value,
                    "url": url_for("permits.show", request_id=r.id),
                }
                for r, p in held
            ],
        )

    def amend(
        self, session: Session, user: User | None, shoot: Shoot, proposal: Proposal
    ) -> dict[str, Any]:
        return amendment_json(session, propose(session, user, shoot, proposal), user)

    def follow(self, session: Session, user: User | None, shoot: Shoot) -> None:
        follow_shoot(session, user, shoot)

    def last_change(self, session: Session) -> datetime | None:
        return session.scalar(
            select(
                func.greatest(
                    _latest_audited(FEED_TABLES),
                    select(
                        func.max(func.greatest(Amendment.created_at, Amendment.decided_at))
                    ).scalar_subquery(),
                    select(func.max(AmendmentReview.decided_at)).scalar_subquery(),
                )
            )
        )


# What a calendar feed shows changes with these rows (a shoot's values, its production's title
# and listing, the requests that let an officer read a production), deletions included.
FEED_TABLES = ("shoots", "productions", "permit_requests")


def _latest_audited(tables: tuple[str, ...]):
    """When a row of TABLES last changed: the newest audit entry of theirs (the log's newest
    rows come first in its primary key, so this reads the index from its end)."""
    return (
        select(AuditEntry.at)
        .where(AuditEntry.table_name.in_(tables))
        .order_by(AuditEntry.id.desc())
        .limit(1)
        .scalar_subquery()
    )


KEEPER = PermitKeeper()


def _held(shoot_id: int, statuses: tuple[PermitStatus, ...]):
    return exists().where(
        PermitShoot.shoot_id == shoot_id,
        PermitShoot.request_id == PermitRequest.id,
        PermitRequest.status.in_(statuses),
    )


def _holding(
    session: Session, shoot_ids: list[int], statuses: tuple[PermitStatus, ...], lock: bool = False
) -> list[tuple[PermitRequest, PermitShoot]]:
    """The requests in STATUSES holding any of SHOOT_IDS, with the shoot's part; LOCK takes the
    requests' rows, as a workflow move does."""
    query = (
        select(PermitRequest, PermitShoot)
        .join(PermitShoot, PermitShoot.request_id == PermitRequest.id)
        .where(PermitShoot.shoot_id.in_(shoot_ids), PermitRequest.status.in_(statuses))
        .order_by(PermitRequest.id, PermitShoot.shoot_id)
    )
    if lock:
        query = query.with_for_update(of=PermitRequest).execution_options(populate_existing=True)
    return [(request, part) for request, part in session.execute(query)]


# ---- proposing ----------------------------------------------------------------------------


def _state(
    period: Range[datetime],
    status: Any,
    location: Location | None,
    values: Any,
    footprint: str,
    parking: str | None,
) -> dict[str, Any]:
    """A shoot's values as the amendment page and the API compare them."""
    return {
        "starts_at": local_iso(period.lower),
        "ends_at": local_iso(period.upper),
        "status": status.value,
        "location_id": location.id if location else None,
        "location": location.name if location else None,
        "footprint": json.loads(footprint),
        "parking": json.loads(parking) if parking else None,
        **{name: getattr(values, name) for name in shoot_ops.ATTRIBUTES},
    }


def shoot_state(session: Session, shoot: Shoot) -> dict[str, Any]:
    footprint, parking = session.execute(
        select(as_geojson(Shoot.footprint), as_geojson(Shoot.parking)).where(Shoot.id == shoot.id)
    ).one()
    return _state(shoot.period, shoot.status, shoot.location, shoot, footprint, parking)


def proposed_state(session: Session, amendment: Amendment) -> dict[str, Any]:
    footprint, parking = session.execute(
        select(as_geojson(Amendment.footprint), as_geojson(Amendment.parking)).where(
            Amendment.id == amendment.id
        )
    ).one()
    return _state(
        amendment.period,
        amendment.shoot_status,
        amendment.location,
        amendment,
        footprint,
        parking,
    )


def propose(session: Session, user: User | None, shoot: Shoot, proposal: Proposal) -> Amendment:
    """Store PROPOSAL, an edit of the bound SHOOT, as an amendment and submit it to every
    concerned commune. The shoot's row lock serialises two coordinators saving at once."""
    if not proposal.reason:
        raise InvalidInput(
            "reason",
            _("say why the shoot changes: the communes that have it before them decide it"),
        )
    current = session.scalar(select(Shoot.version).where(Shoot.id == shoot.id).with_for_update())
    if current != proposal.base_version:
        raise Conflict(_("Someone else saved this shoot in the meantime; reload and retry."))
    pending = session.scalar(
        select(Amendment.id).where(
            Amendment.shoot_id == shoot.id, Amendment.status == AmendmentStatus.PENDING
        )
    )
    if pending is not None:
        raise _already_pending(shoot.id, pending)
    candidate = proposal.candidate
    amendment = Amendment(
        shoot_id=shoot.id,
        production_id=shoot.production_id,
        reason=proposal.reason,
        base_version=proposal.base_version,
        previous=shoot_state(session, shoot),
        location_id=candidate.location_id,
        footprint=from_shape(candidate.footprint, srid=SRID),
        parking=from_shape(candidate.parking, srid=SRID) if candidate.parking else None,
        period=Range(candidate.starts_at, candidate.ends_at, bounds="[)"),
        shoot_status=proposal.status,
        created_by_id=user.id if user else None,
        **proposal.attributes,
    )
    session.add(amendment)
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError as exc:  # the unique index, should the lock ever be bypassed
        if "one_pending" in str(exc.orig):
            raise _already_pending(shoot.id, None) from None
        raise
    _open_reviews(session, user, amendment)
    return amendment


def _already_pending(shoot_id: int, amendment_id: int | None) -> Conflict:
    return Conflict(
        _(
            "Shoot %(shoot)s already has an amendment before the communes: withdraw it or "
            "wait for their decision.",
            shoot=shoot_id,
        ),
        amendment_id=amendment_id,
    )


def _set_part(target: PermitShoot | AmendmentReview, part: Part | None) -> None:
    target.footprint_part = geometry(part.footprint) if part else None
    target.parking_part = geometry(part.parking) if part else None
    target.footprint_area_m2 = round(part.footprint_area_m2, 1) if part else 0
    target.parking_area_m2 = round(part.parking_area_m2, 1) if part else 0


def _open_reviews(session: Session, user: User | None, amendment: Amendment) -> None:
    """One review per concerned commune, each submitted: the communes holding the shoot in a
    binding request, and those the proposal reaches where no live request holds it."""
    shoot_id = amendment.shoot_id
    binding = {r.commune_nis: r for r, _p in _holding(session, [shoot_id], BINDING_STATUSES, True)}
    preparing = {r.commune_nis for r, _p in _holding(session, [shoot_id], EDITABLE_STATUSES)}
    proposed = {
        p.commune_nis: p for p in split_by_commune(session, [amendment.id], "permit_amendments")
    }
    concerned = set(binding) | (set(proposed) - preparing)
    for nis in sorted(concerned):
        review = AmendmentReview(
            amendment=amendment,
            commune_nis=nis,
            production_id=amendment.production_id,
            request=binding.get(nis),
            status=PermitStatus.DRAFT,
        )
        _set_part(review, proposed.get(nis))
        session.add(review)
    session.flush()
    for review in amendment.reviews:
        submit = transitions.find(review, "submit")
        transitions.record(session, review, submit, user, "")  # type: ignore[arg-type]


# ---- deciding -------------------------------------------------------------------------------


def locked(session: Session, amendment_id: int) -> tuple[Amendment, list[AmendmentReview]]:
    """The amendment and its reviews, locked: moves on one amendment run one after the other,
    so the last commune's approval sees every other decision."""
    amendment = session.scalar(
        select(Amendment)
        .where(Amendment.id == amendment_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if amendment is None:
        raise NotFound(f"No amendment {amendment_id}.")
    reviews = session.scalars(
        select(AmendmentReview)
        .where(AmendmentReview.amendment_id == amendment_id)
        .order_by(AmendmentReview.commune_nis)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).all()
    return amendment, list(reviews)


def settle(
    session: Session, amendment: Amendment, reviews: list[AmendmentReview], user: User | None
) -> None:
    """After a review moved: the amendment's outcome, once the communes' decisions give one."""
    statuses = {review.status for review in reviews}
    if PermitStatus.REJECTED in statuses:
        comment = _("Another commune refused the amendment.")
        _close(session, amendment, reviews, AmendmentStatus.REJECTED, user, comment)
    elif statuses <= set(APPROVED_STATUSES):
        _apply(session, amendment, user)
    elif not statuses & set(OPEN_STATUSES):
        _close(session, amendment, reviews, AmendmentStatus.WITHDRAWN, user, "")


def _close(
    session: Session,
    amendment: Amendment,
    reviews: list[AmendmentReview],
    outcome: AmendmentStatus,
    user: User | None,
    comment: str,
) -> None:
    """End AMENDMENT without applying it; the reviews still open are withdrawn."""
    amendment.status = outcome
    amendment.decided_at = datetime.now(UTC)
    for review in reviews:
        if (withdraw := transitions.find(review, "withdraw")) is not None:
            transitions.record(session, review, withdraw, user, comment)
    session.flush()


def close_with_request(session: Session, permit: PermitRequest, user: User | None) -> None:
    """PERMIT was withdrawn or rejected: the amendments it had before it go with it."""
    pending = session.scalars(
        select(AmendmentReview.amendment_id).where(
            AmendmentReview.request_id == permit.id,
            AmendmentReview.status.in_(OPEN_STATUSES),
        )
    ).all()
    comment = _("Its permit request no. %(id)s was closed.", id=permit.id)
    for amendment_id in sorted(set(pending)):
        amendment, reviews = locked(session, amendment_id)
        _close(session, amendment, reviews, AmendmentStatus.WITHDRAWN, user, comment)


def _apply(session: Session, amendment: Amendment, user: User | None) -> None:
    """Every commune approved: the shoot takes the proposed values, checked again by the
    conflict engine, and its requests follow it."""
    shoot = session.scalar(
        select(Shoot)
        .where(Shoot.id == amendment.shoot_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if shoot is None or shoot.version != amendment.base_version:
        raise Conflict(
            _(
                "The shoot changed since amendment %(id)s was proposed: reject it, the "
                "production can propose its change again.",
                id=amendment.id,
            )
        )
    candidate = Candidate(
        footprint=as_multipolygon(to_shape(amendment.footprint)),
        starts_at=amendment.period.lower,
        ends_at=amendment.period.upper,
        production_id=shoot.production_id,
        location_id=amendment.location_id,
        parking=as_multipolygon(to_shape(amendment.parking)) if amendment.parking else None,
        exclude_id=shoot.id,
    )
    attributes = {name: getattr(amendment, name) for name in shoot_ops.ATTRIBUTES}
    shoot_ops.apply_revision(session, user, shoot, candidate, amendment.shoot_status, attributes)
    amendment.status = AmendmentStatus.APPROVED
    amendment.decided_at = datetime.now(UTC)
    follow_shoot(session, user, shoot, amendment)


# ---- the requests follow the shoot ----------------------------------------------------------


def follow_shoot(
    session: Session, user: User | None, shoot: Shoot, amendment: Amendment | None = None
) -> None:
    """Recompute the parts of SHOOT in its live requests from its stored geometry: a commune
    it left loses its part (a request left empty is withdrawn), a commune it reaches gets a
    request: decided as its review was when AMENDMENT is applied, else a draft beside the
    others. With an amendment, each request changed that the commune has freezes a version."""
    held = _holding(session, [shoot.id], LIVE_STATUSES, lock=True)
    if not held:
        return
    parts = {part.commune_nis: part for part in split_by_commune(session, [shoot.id])}
    changed = []
    for request, part in held:
        new_part = parts.pop(request.commune_nis, None)
        if new_part is None:
            request.parts.remove(part)
            session.flush()
            if not request.parts:
                _withdraw_emptied(session, request, user, amendment)
        else:
            _set_part(part, new_part)
        changed.append(request)
    first = held[0][0]
    for nis, new_part in sorted(parts.items()):
        request = _request_reaching(session, first, nis, user, amendment)
        added = PermitShoot(shoot_id=shoot.id)
        _set_part(added, new_part)
        request.parts.append(added)
        changed.append(request)
    session.flush()
    if amendment is not None:
        for request in dict.fromkeys(changed):
            if request.status not in EDITABLE_STATUSES:
                versions.freeze(session, request, "amend", user, amendment.id)


def _withdraw_emptied(
    session: Session, request: PermitRequest, user: User | None, amendment: Amendment | None
) -> None:
    if amendment is not None:
        comment = _(
            "Amendment %(id)s took the shoot off this commune's ground: no shoot is left.",
            id=amendment.id,
        )
    else:
        comment = _("The shoot moved off this commune's ground: no shoot is left.")
    withdraw = transitions.find(request, "withdraw")
    if withdraw is not None:
        transitions.record(session, request, withdraw, user, comment)


def _request_reaching(
    session: Session,
    sibling: PermitRequest,
    nis: str,
    user: User | None,
    amendment: Amendment | None,
) -> PermitRequest:
    """The request of commune NIS the shoot now reaches, in SIBLING's group."""
    if amendment is None:
        preparing = session.scalar(
            select(PermitRequest).where(
                PermitRequest.group_id == sibling.group_id,
                PermitRequest.commune_nis == nis,
                PermitRequest.status.in_(EDITABLE_STATUSES),
            )
        )
        return preparing or _new_request(session, sibling, nis, user, None)
    review = next((r for r in amendment.reviews if r.commune_nis == nis), None)
    if review is None:  # the communes layer changed since the proposal
        raise Conflict(
            _(
                "The shoot now reaches a commune that did not review amendment %(id)s: reject "
                "it, the production can propose its change again.",
                id=amendment.id,
            )
        )
    return _new_request(session, sibling, nis, user, review)


def _new_request(
    session: Session,
    sibling: PermitRequest,
    nis: str,
    user: User | None,
    review: AmendmentReview | None,
) -> PermitRequest:
    """A request of commune NIS beside SIBLING (same group, production, certificate): a draft,
    or, from an approved REVIEW, decided as the review was (its timeline becomes the
    request's)."""
    request = PermitRequest(
        group_id=sibling.group_id,
        production=sibling.production,
        commune_nis=nis,
        public_domain_use=sibling.public_domain_use,
        notes=sibling.notes,
        created_by=user,
        insurance_filename=sibling.insurance_filename,
        insurance_pdf=sibling.insurance_pdf,
    )
    comment = ""
    if review is not None:
        request.status = review.status
        request.submitted_at = review.amendment.created_at
        request.decided_at = review.decided_at
        request.decision_comment = review.decision_comment
        comment = _("From amendment %(id)s of shoot %(shoot)s.", id=review.amendment_id,
                    shoot=review.amendment.shoot_id)  # fmt: skip
    session.add(request)
    session.flush()
    session.add(
        PermitEvent(
            request=request,
            action="create",
            to_status=request.status.value,
            comment=comment,
            actor_id=user.id if user else None,
        )
    )
    if review is not None:
        review.request = request
        for event in review.events:
            event.request = request
    session.flush()
    return request


# ---- reading --------------------------------------------------------------------------------


def get_amendment(session: Session, amendment_id: int) -> Amendment:
    amendment = session.get(Amendment, amendment_id)
    if amendment is None:
        raise NotFound(f"No amendment {amendment_id}.")
    return amendment


def amendments_of(session: Session, permit: PermitRequest) -> list[Amendment]:
    """The amendments of PERMIT's shoots, newest first: those it reviewed and those pending."""
    shoot_ids = [part.shoot_id for part in permit.parts]
    reviewed = select(AmendmentReview.amendment_id).where(AmendmentReview.request_id == permit.id)
    return list(
        session.scalars(
            select(Amendment)
            .where(
                Amendment.id.in_(reviewed)
                | (
                    Amendment.shoot_id.in_(shoot_ids)
                    & (Amendment.status == AmendmentStatus.PENDING)
                )
            )
            .order_by(Amendment.id.desc())
        )
    )


def visible_amendments(
    session: Session, user: User, statuses: list[AmendmentStatus]
) -> list[Amendment]:
    """The amendments USER may read (core.auth.policy, permits.view_amendment), newest first:
    all for admins, their productions' for coordinators, their commune's for officers."""
    query = select(Amendment).order_by(Amendment.id.desc())
    if user.role is Role.OFFICER:
        concerned = select(AmendmentReview.amendment_id).where(
            AmendmentReview.commune_nis == user.commune_nis
        )
        query = query.where(Amendment.id.in_(concerned))
    elif user.role is Role.COORDINATOR:
        coordinated = select(production_coordinators.c.production_id).where(
            production_coordinators.c.user_id == user.id
        )
        query = query.where(Amendment.production_id.in_(coordinated))
    elif user.role is not Role.ADMIN:
        return []
    if statuses:
        query = query.where(Amendment.status.in_(statuses))
    return list(session.scalars(query.limit(500)))


def awaiting(session: Session, user: User) -> list[AmendmentReview]:
    """The open reviews of amendments USER's commune has to decide (an officer's inbox)."""
    if not user.commune_nis:
        return []
    return list(
        session.scalars(
            select(AmendmentReview)
            .where(
                AmendmentReview.commune_nis == user.commune_nis,
                AmendmentReview.status.in_(OPEN_STATUSES),
            )
            .order_by(AmendmentReview.amendment_id)
        )
    )


def review_of(user: User | None, reviews: list[AmendmentReview]) -> AmendmentReview | None:
    """The review USER decides: their commune's, for an officer."""
    nis = user.commune_nis if user is not None else None
    return next((r for r in reviews if nis is not None and r.commune_nis == nis), None)


def allowed_moves(user: User | None, amendment: Amendment) -> list[transitions.Transition]:
    """What USER may do with AMENDMENT now: an officer, move their commune's review; the
    production's coordinators, withdraw it while it is pending."""
    own = review_of(user, amendment.reviews)
    moves = transitions.possible(user, own) if own is not None else []
    still_open = [r for r in amendment.reviews if r.status in OPEN_STATUSES]
    if still_open:  # withdrawing takes back every review still open, as one move
        moves += [t for t in transitions.possible(user, still_open[0]) if t.action == "withdraw"]
    return list({t.action: t for t in moves}.values())


def amendment_json(session: Session, amendment: Amendment, user: User | None) -> dict[str, Any]:
    return {
        "id": amendment.id,
        "shoot_id": amendment.shoot_id,
        "production_id": amendment.production_id,
        "status": amendment.status.value,
        "reason": amendment.reason,
        "created_at": local_iso(amendment.created_at),
        "decided_at": local_iso(amendment.decided_at) if amendment.decided_at else None,
        "created_by": amendment.created_by.email if amendment.created_by else None,
        "before": amendment.previous,
        "after": proposed_state(session, amendment),
        "reviews": [
            {
                "commune_nis": review.commune_nis,
                "commune": review.commune.name(review.language),
                "status": review.status.value,
                "request_id": review.request_id,
                "leaves_commune": review.leaves,
                "footprint_area_m2": review.footprint_area_m2,
                "parking_area_m2": review.parking_area_m2,
                "decision_comment": review.decision_comment,
                "decided_at": local_iso(review.decided_at) if review.decided_at else None,
            }
            for review in amendment.reviews
        ],
        "allowed_actions": [t.action for t in allowed_moves(user, amendment)],
        "links": {
            "self": url_for("amendments_api.get_amendment", amendment_id=amendment.id),
            "page": url_for("permits.amendment", amendment_id=amendment.id),
        },
    }
